"""The register's documents in Chromium: a founder downloads the certificate from the status
page and a member of the public verifies it, by its code and by the file (with and without
JavaScript); the public company page offers the certificate only; the statistics draw their
chart. CSP is never bypassed, so a violation shows up as a console error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from companies.documents import issuance
from companies.models import Document
from tests.browser.conftest import company_with_documents
from tests.factories import EntrepreneurFactory, complete_application, registered_company

pytestmark = pytest.mark.django_db(transaction=True)
ANA = "RAOA900514MQTMLN01"
CERTIFICATE = "Certificado de constitución"
ARTICLES = "Estatutos sociales"
REGISTER = "Libro de registro de acciones"
AUTHENTIC = "Este es un documento auténtico y sin alteraciones del registro."
NOT_AUTHENTIC = "Este no es un documento auténtico del registro."
DOWNLOAD = re.compile(r"^Descargar PDF \(")


def document_row(page: Page, kind: str) -> Locator:
    return page.locator("table.documents tbody tr").filter(has_text=kind)


def download(page: Page, kind: str, folder: Path) -> Path:
    with page.expect_download() as started:
        document_row(page, kind).get_by_role("link", name=DOWNLOAD).click()
    path = folder / started.value.suggested_filename
    started.value.save_as(path)
    return path


def check_file(page: Page, path: Path) -> Locator:
    """Uploads the file on a verification page; the verdict once the answer has loaded."""
    page.get_by_label("Archivo PDF").set_input_files(path)
    page.get_by_role("button", name="Comprobar el archivo").click()
    page.wait_for_load_state()
    return page.locator("#file-verdict")


def one_byte_flipped(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # well past the %PDF- header: still read as a PDF
    altered = path.with_name(f"alterado-{path.name}")
    altered.write_bytes(bytes(data))
    return altered


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_founder_downloads_the_certificate_and_anyone_can_verify_it(
    portal, new_page, tmp_path, javascript
):
    from tests.browser.conftest import sign_in_with_eidentity

    company = company_with_documents(EntrepreneurFactory())
    certificate = company.documents.get(kind=Document.Kind.CERTIFICATE)
    ana = new_page()
    sign_in_with_eidentity(ana, ANA)
    ana.goto(f"/solicitudes/{company.application.public_id}/estado/")
    expect(ana.locator("table.documents tbody tr")).to_have_count(3)
    for kind in (CERTIFICATE, ARTICLES, REGISTER):
        expect(document_row(ana, kind).get_by_role("link", name=DOWNLOAD)).to_be_visible()
    downloaded = download(ana, CERTIFICATE, tmp_path)
    assert downloaded.read_bytes() == issuance.read(certificate)

    public = new_page(javascript=javascript)
    public.goto("/verificar/")
    loose = company.verification_code.replace("-", " ").lower()
    public.get_by_label("Código de verificación").fill(f" {loose} ")
    public.get_by_role("button", name="Buscar el código").click()
    public.wait_for_url(f"**/verificar/{company.verification_code}")
    expect(public.get_by_role("heading", level=1)).to_have_text(company.name)
    expect(public.locator(".summary")).to_contain_text(company.registration_number)
    for document in company.documents.all():
        expect(public.locator("code.hash", has_text=document.sha256)).to_be_visible()

    verdict = check_file(public, downloaded)
    expect(verdict).to_contain_text(AUTHENTIC)
    expect(verdict).to_contain_text(f"{CERTIFICATE}, versión 1, de {company.registration_number}")
    expect(verdict).to_contain_text(certificate.sha256)
    assert public.url.endswith(f"/verificar/{company.verification_code}#check-file")

    verdict = check_file(public, one_byte_flipped(downloaded))
    expect(verdict).to_contain_text(NOT_AUTHENTIC)
    expect(verdict).not_to_contain_text(certificate.sha256)
    assert ana.console_errors == [] and public.console_errors == []  # no CSP violation, no 404


def test_the_public_company_page_offers_only_the_certificate(portal, new_page, tmp_path):
    company = company_with_documents(EntrepreneurFactory())
    page = new_page()
    page.goto(f"/empresas/{company.registration_number}/")
    downloaded = download(page, CERTIFICATE, tmp_path)
    certificate = company.documents.get(kind=Document.Kind.CERTIFICATE)
    assert downloaded.read_bytes() == issuance.read(certificate)
    for kind in (ARTICLES, REGISTER):
        row = document_row(page, kind)
        expect(row).to_contain_text("Disponible para los socios fundadores")
        expect(row.get_by_role("link")).to_have_count(0)
    page.goto(f"/empresas/{company.registration_number}/documentos/articles-v1.pdf")
    assert "/entrar/" in page.url  # asked to sign in, not given the founders' contributions
    assert page.console_errors == []


def test_the_statistics_draw_the_registrations_chart(portal, new_page):
    filer = EntrepreneurFactory()
    for _ in range(2):
        registered_company(complete_application(filer))
    page = new_page()
    page.goto("/estadisticas/")
    chart = page.get_by_role("img", name="Empresas inscritas por día")
    expect(chart).to_have_count(1)
    expect(chart.locator("> title")).to_have_text("Empresas inscritas por día")
    registered = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Empresas inscritas", exact=True)
    )
    expect(registered.get_by_role("cell")).to_have_text("2")
    page.get_by_role("link", name="Últimos 7 días").click()  # htmx swaps the figures in place
    expect(page.get_by_role("link", name="Últimos 7 días")).to_have_attribute(
        "aria-current", "page"
    )
    expect(chart.locator("rect")).to_have_count(7)
    expect(chart.locator("rect > title").last).to_have_text(re.compile(r": 2$"))  # today
    assert page.console_errors == []
