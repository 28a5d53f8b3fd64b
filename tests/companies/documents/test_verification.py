"""Verification of the register's documents (by code and by file), their downloads, and their
metadata in the agency API."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from companies.documents import issuance, rendering, verification
from companies.models import Company, Document
from tests.conftest import verified_login
from tests.factories import EntrepreneurFactory, complete_application, registered_company

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def company(applicant) -> Company:
    company = registered_company(complete_application(applicant), number=7)
    issuance.issue_documents(company_id=company.pk)
    return company


def stored(company: Company, kind: str, version: int = 1) -> bytes:
    return issuance.read(company.documents.get(kind=kind, version=version))


def upload(client, data: bytes, *, path: str = "/verificar/", name: str = "documento.pdf"):
    return client.post(path, {"file": SimpleUploadedFile(name, data, "application/pdf")})


# -- by code ---------------------------------------------------------------------------------


def test_the_code_page_shows_the_register_entry_and_every_documents_hash(client, company):
    response = client.get(f"/verificar/{company.verification_code}")
    page = response.content.decode()
    assert response.status_code == 200
    assert company.name in page and company.registration_number in page
    for document in company.documents.all():
        assert document.sha256 in page
    assert "RAOA900514MQTMLN01" not in page


def test_a_code_typed_loosely_leads_to_its_page(client, company):
    loose = company.verification_code.replace("-", " ").lower()
    response = client.get("/verificar/", {"code": loose})
    assert response.status_code == 302
    assert response["Location"] == f"/verificar/{company.verification_code}"
    response = client.get(f"/verificar/{company.verification_code.replace('-', '').lower()}")
    assert response["Location"] == f"/verificar/{company.verification_code}"


@pytest.mark.parametrize("code", ["2222-3333-4444-5555", "not-a-code", "0000", "%3Cscript%3E"])
def test_an_unknown_or_malformed_code_gets_a_plain_answer(client, company, code):
    response = client.get(f"/verificar/{code}")
    assert response.status_code == 404
    assert "No tenemos ninguna empresa con este código de verificación" in response.content.decode()


def test_a_code_that_cannot_be_one_is_explained_on_the_form(client, company):
    response = client.get("/verificar/", {"code": "ABC"})
    assert response.status_code == 200
    assert "16 letras y dígitos" in response.content.decode()


def test_a_stored_code_survives_a_new_secret_key(client, company, settings):
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert client.get(f"/verificar/{company.verification_code}").status_code == 200


# -- by file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["certificate", "articles", "register"])
def test_an_issued_document_is_authentic(client, company, kind):
    response = upload(client, stored(company, kind))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Este es un documento auténtico y sin alteraciones del registro." in page
    assert company.registration_number in page


def test_one_altered_byte_makes_a_document_not_authentic(client, company):
    pdf = bytearray(stored(company, "certificate"))
    pdf[len(pdf) // 3] ^= 0x01
    check = verification.check_file(bytes(pdf))
    assert not check.authentic
    page = upload(client, bytes(pdf)).content.decode()
    assert "Este no es un documento auténtico del registro." in page
    assert "auténtico y sin alteraciones" not in page


def test_an_unsealed_copy_of_the_same_document_is_not_authentic(company):
    unsealed = rendering.render_certificate(company)
    with translation.override("en"):
        check = verification.check_file(unsealed)
    assert not check.authentic
    assert check.detail == "The document has no seal of the registry."


def test_a_known_document_whose_seal_cannot_be_confirmed_is_not_called_authentic(
    company, settings, tmp_path
):
    call_command(
        "make_seal_key", key=tmp_path / "k.pem", cert=tmp_path / "c.pem", stdout=StringIO()
    )
    settings.SEAL_CERT_PATH = tmp_path / "c.pem"
    check = verification.check_file(stored(company, "certificate"))
    assert check.document is not None
    assert not check.authentic


def test_a_file_that_is_not_a_pdf_is_not_parsed(client, company, monkeypatch):
    def must_not_be_called(data):
        raise AssertionError("only PDFs are read")

    monkeypatch.setattr(verification.seal, "validate_seal", must_not_be_called)
    response = upload(client, b"<html><script>alert(1)</script></html>", name="x.pdf")
    assert response.status_code == 200
    assert "Este archivo no es un PDF." in response.content.decode()


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n", b"%PDF-1.7\n%%EOF\n" + b"\x00" * 100, b"%PDF-" + bytes(range(256)) * 8]
)
def test_a_broken_pdf_gets_a_plain_answer(client, company, data):
    response = upload(client, data)
    assert response.status_code == 200
    assert "Este no es un documento auténtico del registro." in response.content.decode()


def test_an_empty_or_missing_file_is_asked_for_again(client, company):
    assert "Elige el archivo PDF" in client.post("/verificar/", {}).content.decode()
    response = upload(client, b"")
    assert response.status_code == 400
    assert "está vacío" in response.content.decode()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, company, monkeypatch):
    monkeypatch.setattr(verification, "MAX_UPLOAD_BYTES", 1000)
    response = upload(client, b"%PDF-" + b"0" * 200_000)
    assert response.status_code == 413
    assert "más de 5 MB" in response.content.decode()
    response = upload(client, b"%PDF-" + b"0" * 2000)
    assert response.status_code == 400
    assert "más de 5 MB" in response.content.decode()


def test_an_earlier_version_is_authentic_and_says_a_later_one_exists(client, company):
    first = stored(company, "certificate")
    company.rfc = "TES261126AB1"
    company.save()
    issuance.issue_documents(company_id=company.pk)
    check = verification.check_file(first)
    assert check.authentic
    assert check.superseded_by == company.documents.get(kind="certificate", version=2)
    page = upload(client, first, path=f"/verificar/{company.verification_code}").content.decode()
    assert "Existe una versión más reciente de este documento, emitida el" in page
    assert f'/verificar/{company.verification_code}#document-certificate-v2"' in page


def test_a_document_of_another_company_is_flagged_on_a_company_page(client, company):
    other_filer = EntrepreneurFactory(curp="MERC851102HQTNSR00", email="c@example.mx")
    other = registered_company(complete_application(other_filer), number=8)
    issuance.issue_documents(company_id=other.pk)
    page = upload(
        client, stored(other, "certificate"), path=f"/verificar/{company.verification_code}"
    ).content.decode()
    assert "auténtico" in page
    assert "Pertenece a otra empresa" in page


# -- downloads -------------------------------------------------------------------------------


def url(company: Company, kind: str, version: int = 1) -> str:
    return f"/empresas/{company.registration_number}/documentos/{kind}-v{version}.pdf"


def test_anyone_downloads_the_certificate_as_issued(client, company):
    response = client.get(url(company, "certificate"))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{company.registration_number}-certificate-v1.pdf"'
    )
    assert hashlib.sha256(body).hexdigest() == company.documents.get(kind="certificate").sha256


@pytest.mark.parametrize("kind", ["articles", "register"])
def test_articles_and_register_are_for_founders_and_verified_staff(
    client, company, kind, other_applicant, clerk
):
    response = client.get(url(company, kind))
    assert response.status_code == 302 and "/entrar/" in response["Location"]
    stranger = EntrepreneurFactory(curp="HETL780223MQTRRZ05", email="h@example.mx")
    client.force_login(stranger)
    assert client.get(url(company, kind)).status_code == 404
    client.force_login(other_applicant)  # Carlos is a founder of the application
    assert client.get(url(company, kind)).status_code == 200
    client.force_login(clerk)  # staff without the second factor in this session
    assert client.get(url(company, kind)).status_code == 404
    verified_login(client, clerk)
    assert client.get(url(company, kind)).status_code == 200


def test_an_unknown_document_is_not_found(client, company):
    assert client.get(url(company, "certificate", 9)).status_code == 404
    assert client.get(url(company, "passport")).status_code == 404


def test_the_company_page_lists_the_documents_and_offers_only_the_certificate(client, company):
    page = client.get(f"/empresas/{company.registration_number}/").content.decode()
    for document in company.documents.all():
        assert document.sha256 in page
    assert url(company, "certificate") in page
    assert url(company, "articles") not in page


def test_the_founders_status_page_offers_every_document(client, company, applicant):
    client.force_login(applicant)
    page = client.get(f"/solicitudes/{company.application.public_id}/estado/").content.decode()
    for kind in ("certificate", "articles", "register"):
        assert url(company, kind) in page
    assert 'hx-trigger="every' not in page, "nothing more to follow"


# -- agency API ------------------------------------------------------------------------------


def test_the_agency_api_lists_every_version_with_its_hash(client, company):
    from companies.models import AgencyAccess

    AgencyAccess.objects.create(client="MX-DEV/GOV/SAT/padron", service="documentos")
    company.rfc = "TES261126AB1"
    company.save()
    issuance.issue_documents(company_id=company.pk)
    response = client.get(
        f"/api/v1/documentos/{company.registration_number}",
        HTTP_X_ROAD_CLIENT="MX-DEV/GOV/SAT/padron",
    )
    body = response.json()
    assert response.status_code == 200
    items = {(i["tipo"], i["version"]): i for i in body["items"]}
    assert set(items) == {
        ("certificado", 2),
        ("certificado", 1),
        ("estatutos", 1),
        ("libro_de_registro", 1),
    }
    assert items[("certificado", 2)]["vigente"] and not items[("certificado", 1)]["vigente"]
    first = company.documents.get(kind="certificate", version=1)
    assert items[("certificado", 1)]["sha256"] == first.sha256
    assert items[("certificado", 1)]["tamano"] == first.size
    assert all(i["sellado"] for i in body["items"])
    again = client.get(
        f"/api/v1/documentos/{company.registration_number}",
        HTTP_X_ROAD_CLIENT="MX-DEV/GOV/SAT/padron",
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304


def test_document_metadata_is_refused_without_the_allowlist(client, company):
    response = client.get(
        f"/api/v1/documentos/{company.registration_number}",
        HTTP_X_ROAD_CLIENT="MX-DEV/GOV/SAT/padron",
    )
    assert response.status_code == 403
    assert Document.objects.count() == 3


def test_documents_are_listed_certificate_first_and_named_by_what_they_register(client, company):
    page = client.get(f"/empresas/{company.registration_number}/").content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert table.index("Certificado de constitución") < table.index("Estatutos sociales")
    assert table.index("Estatutos sociales") < table.index("Libro de registro de acciones")


def test_one_address_may_check_only_so_many_files_in_a_while(client, company, monkeypatch):
    from companies.views import documents as views

    monkeypatch.setattr(views, "FILE_CHECKS_ALLOWED", 2)
    certificate = stored(company, "certificate")
    assert upload(client, certificate).status_code == 200
    assert upload(client, certificate).status_code == 200
    response = upload(client, certificate)
    assert response.status_code == 429
    assert "Espera unos minutos" in response.content.decode()
    other = client.post(
        "/verificar/",
        {"file": SimpleUploadedFile("c.pdf", certificate, "application/pdf")},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200, "somebody else is not held back"


def test_an_allowlisted_agency_downloads_the_sealed_pdf_as_issued(client, company):
    from companies.models import AgencyAccess

    AgencyAccess.objects.create(client="MX-DEV/GOV/SAT/padron", service="documentos")
    headers = {"HTTP_X_ROAD_CLIENT": "MX-DEV/GOV/SAT/padron"}
    url = f"/api/v1/documentos/{company.registration_number}/estatutos/1"
    response = client.get(url, **headers)
    body = b"".join(response.streaming_content)
    articles = company.documents.get(kind="articles", version=1)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(body).hexdigest() == articles.sha256
    assert response["ETag"] == f'"{articles.sha256}"'
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], **headers).status_code == 304
    missing = client.get(url.replace("/1", "/2"), **headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert client.get(url.replace("estatutos", "pasaporte"), **headers).status_code == 400
    refused = client.get(url, HTTP_X_ROAD_CLIENT="MX-DEV/GOV/IMSS/afiliacion")
    assert refused.status_code == 403


def test_a_pdf_over_5_mb_gets_the_verification_page_not_the_portal_wide_refusal(client, company):
    response = upload(client, b"%PDF-" + b"0" * (6 * 1024 * 1024))
    assert response.status_code == 413
    page = response.content.decode()
    assert "más de 5 MB" in page and 'name="file"' in page  # its form, to choose again
