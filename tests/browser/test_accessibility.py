"""axe-core (shipped inside the axe-playwright-python wheel, nothing downloaded) on every step
of the wizard and the pages around it, in Spanish and in English."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from companies import wizard
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
