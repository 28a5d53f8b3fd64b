"""/verificar/ on an uploaded articles PDF lists every signature in it and whether it is valid,
next to what it says about the register's own documents; junk gets a clear message."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.companies.conftest import tiny_pdf
from tests.efirma import ANA, CARLOS
from tests.pdf import flip

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "estatutos.pdf"):
    return client.post("/verificar/", {"file": SimpleUploadedFile(name, data, "application/pdf")})


def test_the_page_lists_each_signer_serial_issuer_and_verdict(client, sealed):
    response = upload(client, sealed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Firmas en el archivo" in page
    assert "El archivo tiene 3 firmas y todas son válidas." in page
    for person in (ANA, CARLOS):
        assert person.name in page and person.curp in page and person.rfc in page
    assert "30001000000500000001" in page and "30001000000500000002" in page
    assert "AC DEL SERVICIO DE ADMINISTRACION TRIBUTARIA (SANDBOX)" in page
    assert "Registro Público de Empresas de Querétaro" in page
    assert page.count("Válida</span>") == 3
    # the register's own verdict is still given: this file is none of its documents
    assert "Este no es un documento auténtico del registro." in page


def test_the_page_in_english(client, sealed):
    client.cookies["django_language"] = "en"
    page = upload(client, sealed).content.decode()
    assert "Signatures in the file" in page
    assert "The file carries 3 signatures, and all of them are valid." in page


def test_an_altered_file_is_shown_with_the_signature_that_no_longer_holds(client, sealed):
    page = upload(client, flip(sealed, len(b"%PDF-1.3\n%") + 20)).content.decode()
    assert "Al menos una firma no es válida" in page
    assert "No válida" in page


def test_a_pdf_without_signatures_says_so(client):
    page = upload(client, tiny_pdf()).content.decode()
    assert "Este PDF no tiene firmas electrónicas." in page


def test_a_truncated_pdf_is_refused_with_the_message(client, sealed):
    page = upload(client, sealed[: len(sealed) // 2]).content.decode()
    assert "Este PDF está dañado o incompleto" in page


def test_junk_that_is_not_a_pdf_gets_the_message_and_no_signature_list(client):
    page = upload(client, b"GIF89a not a pdf at all", "foto.gif").content.decode()
    assert "Este archivo no es un PDF." in page
    assert "Firmas en el archivo" not in page


def test_a_10_mb_upload_is_refused_unread_with_the_portal_s_message(client):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert "Lo que enviaste es demasiado grande" in response.content.decode()


def test_a_6_mb_pdf_is_refused_by_the_page_with_its_limit(client):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (6 * 1024 * 1024))
    assert response.status_code == 413
    page = response.content.decode()
    assert "más de 5 MB" in page and "Firmas en el archivo" not in page
