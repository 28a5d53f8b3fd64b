"""axe-core on the filings' pages (the founder's company page, each form, a filing, the public
page with its history), in Spanish and in English; and the office form filed in Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from companies.lifecycle import filings
from portal.models import User
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
ANA = "RAOA900514MQTMLN01"


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


@pytest.mark.parametrize("language", ["Español", "English"])
def test_the_filings_pages_have_no_axe_violations(portal, new_page, language):
    from tests.browser.conftest import sign_in_with_eidentity

    page = new_page(bypass_csp=True)  # only so that axe itself can be injected
    sign_in_with_eidentity(page, ANA)
    if language == "English":
        page.get_by_role("button", name="English").click()
    ana = User.objects.get(curp=ANA)
    company = factories.registered_company(factories.complete_application(ana))
    filings.process(factories.submitted_filing(company, ana).pk)
    number = company.registration_number
    found = {}

    def check(url):
        page.goto(url)
        assert page.url.endswith(url)
        problems = violations(page)
        if problems:
            found[url] = problems

    check(f"/empresas/{number}/")
    check(f"/empresas/{number}/tramites/")
    check(f"/empresas/{number}/tramites/nuevo/office_change/")
    check(f"/empresas/{number}/tramites/nuevo/administrators/")
    pending = factories.start_filing(
        company,
        ana,
        "administrators",
        {"moves": [{"action": "rename", "curp": ANA, "name": "Ana Sofía Ramírez O."}]},
    )
    check(f"/empresas/{number}/tramites/")
    check(f"/empresas/{number}/tramites/{pending.public_id}/")
    assert found == {}


def test_the_administrator_moves_the_office_in_the_browser(portal, new_page):
    from tests.browser.conftest import sign_in_with_eidentity

    page = new_page()
    sign_in_with_eidentity(page, ANA)
    ana = User.objects.get(curp=ANA)
    company = factories.registered_company(factories.complete_application(ana))
    page.goto(f"/empresas/{company.registration_number}/tramites/")
    page.get_by_role("link", name="Cambio de domicilio social").click()
    page.get_by_label("Municipio").select_option("016")
    page.get_by_label("calle").fill("Calle Madero")
    page.locator("#id_exterior_number").fill("45")
    page.get_by_label("colonia").fill("Centro Histórico")
    page.get_by_label("código postal").fill("76020")
    page.get_by_role("button", name="Enviar a firma").click()
    page.get_by_role("button", name="Apruebo y firmo").click()
    page.get_by_role("button", name="Presentar al registro").click()
    page.get_by_text("El trámite se presentó al registro.").wait_for()
