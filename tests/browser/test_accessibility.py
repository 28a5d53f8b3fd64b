"""axe-core (shipped inside the axe-playwright-python wheel, nothing downloaded) on every step
of the wizard and the pages around it, in Spanish and in English."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from companies.filing import wizard
from portal.models import User
from tests.factories import complete_application

pytestmark = pytest.mark.django_db(transaction=True)


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


@pytest.mark.parametrize("language", ["Español", "English"])
def test_every_wizard_step_has_no_axe_violations(portal, new_page, language):
    from tests.browser.conftest import sign_in_with_eidentity

    page = new_page(bypass_csp=True)  # only so that axe itself can be injected
    sign_in_with_eidentity(page, "RAOA900514MQTMLN01")
    if language == "English":
        page.get_by_role("button", name="English").click()
    ana = User.objects.get(curp="RAOA900514MQTMLN01")
    application = complete_application(ana, legal_form="sa-de-cv")
    urls = [
        reverse("companies:step", args=[application.public_id, s.slug])
        for s in wizard.steps_for(application)
    ]
    urls += [reverse("companies:dashboard"), "/", "/entrar/"]
    assert len(urls) == 12  # nine steps, notary included
    found = {}
    for url in urls:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == (
            "en" if language == "English" else "es-mx"
        )
        problems = violations(page)
        if problems:
            found[url] = problems
    assert found == {}


def test_the_public_register_and_the_clerks_pages_have_no_axe_violations(portal, new_page):
    from django.utils import timezone
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from companies.models import Company
    from portal import roles
    from tests.browser.conftest import company_with_documents
    from tests.factories import EntrepreneurFactory, UserFactory, in_review

    filer = EntrepreneurFactory()
    application = in_review(filer)
    from companies.register.name_words import index_company_name

    cafe = Company.objects.create(
        registration_number="QRO-2026-000007",
        name="Café Peñamiller, S.A.S.",
        normalised_name="CAFE PENAMILLER",
        legal_form=application.legal_form,
        registered_at=timezone.now(),
    )
    index_company_name(cafe)  # found by the search page
    registered = company_with_documents(filer)  # its documents, and a bar in the statistics
    clerk = UserFactory(username="registradora", role=roles.CLERKS, is_staff=True)
    clerk.set_password("correct-horse-battery-staple-42")
    clerk.save()
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    page = new_page(bypass_csp=True)
    found = {}
    for url in (
        "/empresas/?q=cafe",
        "/empresas/QRO-2026-000007/",
        "/verificar/",
        f"/verificar/{registered.verification_code}",
        "/estadisticas/",
        "/entrar/",
    ):
        page.goto(url)
        found[url] = violations(page)
    page.get_by_label("Nombre de usuario").fill("registradora")
    page.get_by_label("Contraseña").fill("correct-horse-battery-staple-42")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Código de tu aplicación de autenticación").fill(f"{code:06d}")
    page.get_by_role("button", name="Entrar como personal").click()
    for url in ("/registro/", f"/registro/{application.public_id}/"):
        page.goto(url)
        found[url] = violations(page)
    page.get_by_role("button", name="Tomarla").click()
    found["review, claimed"] = violations(page)
    assert {url: problems for url, problems in found.items() if problems} == {}
