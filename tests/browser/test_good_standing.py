"""The certificate of good standing in the browser, without JavaScript: downloaded from the
public company page, then verified by its code; and axe on every page it adds or changes
(the company page, the verification of a constancia and of an old document version, the
refusal), in Spanish and in English."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from companies.models import Company, GoodStandingCertificate
from companies.views import documents as document_views
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.django_db(transaction=True)


def in_a_thread(work, *args):
    """pyHanko seals with ``asyncio.run``, which refuses to start beside Playwright's loop."""
    from django.db import connections

    def run():
        try:
            return work(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(run).result()


def with_two_certificate_versions(filer) -> Company:
    from companies.documents import issuance
    from tests.browser.conftest import company_with_documents

    company = company_with_documents(filer)
    in_a_thread(lambda: issuance.reissue(company, ["certificate"], "filing-1"))
    return company


@pytest.mark.parametrize("language", ["Español", "English"])
def test_a_certificate_of_good_standing_is_downloaded_and_verified_with_no_axe_violations(
    portal, new_page, applicant, language
):
    from companies.documents import issuance

    company = with_two_certificate_versions(applicant)
    plain = new_page(javascript=False)  # the download needs no JavaScript
    plain.goto(f"/empresas/{company.registration_number}/")
    if language == "English":
        plain.get_by_role("button", name="English").click()
    name = (
        "Download a certificate of good standing"
        if language == "English"
        else "Descargar una constancia de vigencia"
    )
    with plain.expect_download() as download:
        plain.get_by_role("button", name=name).click()
    pdf = download.value.path().read_bytes()
    certificate = GoodStandingCertificate.objects.get(sha256=hashlib.sha256(pdf).hexdigest())

    page = new_page(bypass_csp=True)  # axe runs in the page: JavaScript on, only for it
    page.goto(f"/empresas/{company.registration_number}/")
    if language == "English":
        page.get_by_role("button", name="English").click()
    found = {"company page": violations(page)}
    page.goto(f"/verificar/{certificate.code}")
    assert page.locator("#standing-unchanged").count() == 1
    found["constancia, unchanged"] = violations(page)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "c.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.locator("form[enctype] button[type=submit]").click()
    found["constancia, uploaded"] = violations(page)

    Company.objects.filter(pk=company.pk).update(status=Company.Status.DISSOLVED)
    page.goto(f"/verificar/{certificate.code}")
    assert page.locator("#standing-changed").count() == 1
    found["constancia, standing changed"] = violations(page)

    page.goto(f"/verificar/{company.verification_code}")
    assert page.locator('a[href="#document-certificate-v2"]').count() == 1
    found["company code, two versions"] = violations(page)
    old = issuance.read(company.documents.get(kind="certificate", version=1))
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "v1.pdf", "mimeType": "application/pdf", "buffer": old}]
    )
    page.locator("form[enctype] button[type=submit]").click()
    assert page.locator("#newer-version").count() == 1
    found["old version, uploaded"] = violations(page)
    assert {where: problems for where, problems in found.items() if problems} == {}


def test_the_refusal_page_has_no_axe_violations(portal, new_page, applicant, monkeypatch):
    from tests.factories import complete_application, registered_company

    company = registered_company(complete_application(applicant), number=5)
    monkeypatch.setattr(document_views, "GOOD_STANDING_ISSUES_ALLOWED", 0)
    page = new_page(bypass_csp=True)
    page.goto(f"/empresas/{company.registration_number}/")
    page.get_by_role("button", name="Descargar una constancia de vigencia").click()
    assert page.get_by_role("alert").inner_text().startswith("Pediste muchas constancias")
    assert violations(page) == []
    assert not GoodStandingCertificate.objects.exists()
