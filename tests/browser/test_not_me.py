"""The "this is not me" page of an identity-use alert: without JavaScript, in Spanish and in
English, with no axe violations before and after the person says it is not them."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from companies import identity, workflow
from companies.models import IdentityAlert
from tests.factories import EntrepreneurFactory, complete_application

pytestmark = pytest.mark.django_db(transaction=True)


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


@pytest.fixture
def alerts(portal):
    application = complete_application(EntrepreneurFactory())
    identity.alert(application.pk)
    return application, list(IdentityAlert.objects.filter(application=application))


@pytest.mark.parametrize(
    ("language", "button", "confirmation"),
    [
        ("Español", "No soy yo", "La solicitud está detenida"),
        ("English", "This is not me", "The application is on hold"),
    ],
)
def test_the_not_me_page_has_no_axe_violations(new_page, alerts, language, button, confirmation):
    application, (ana, carlos) = alerts
    alert = ana if language == "English" else carlos
    page = new_page(bypass_csp=True)  # only so that axe itself can be injected
    link = "/identidad/" + identity.token_for(alert) + "/"
    page.goto(link)
    if language == "English":
        page.get_by_role("button", name="English").click()
        page.goto(link)
    assert page.locator("html").get_attribute("lang") == (
        "en" if language == "English" else "es-mx"
    )
    assert violations(page) == []
    page.get_by_role("button", name=button).click()
    assert confirmation in page.locator("main").inner_text()
    assert violations(page) == []
    assert workflow.identity_held(application)


def test_not_me_works_without_javascript(new_page, alerts):
    application, (ana, _carlos) = alerts
    page = new_page(javascript=False)
    page.goto("/identidad/" + identity.token_for(ana) + "/")
    page.get_by_role("button", name="No soy yo").click()
    assert "La solicitud está detenida" in page.locator("main").inner_text()
    assert workflow.identity_held(application)
    page.go_back()
    page.reload()
    assert "ya se usó" in page.locator("main").inner_text()
