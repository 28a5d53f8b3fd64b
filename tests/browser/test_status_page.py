"""The status page in Chromium follows the application while it is open: with JavaScript the
timeline changes within about a second of each step, without reloading the page, and stops asking
once the documents are issued; without JavaScript the page reloads itself while the registries
are asked. CSP is never bypassed, so a violation shows up as a console error."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from companies import workflow
from companies.register import registration
from tests.browser.conftest import _issue_documents, sign_in_with_eidentity
from tests.factories import EntrepreneurFactory, submitted

pytestmark = pytest.mark.django_db(transaction=True)
ANA = "RAOA900514MQTMLN01"


def seconds_until(page: Page, status: str) -> float:
    """How long after now the status line reads ``status`` (at most 5 seconds)."""
    started = time.perf_counter()
    expect(page.locator(".status-line")).to_have_text(f"Estado: {status}", timeout=5_000)
    return time.perf_counter() - started


def test_the_registration_appears_without_reloading_and_the_page_then_stops_asking(
    portal, new_page
):
    application = submitted(EntrepreneurFactory())
    ana = new_page()
    sign_in_with_eidentity(ana, ANA)
    ana.goto(f"/solicitudes/{application.public_id}/estado/")
    expect(ana.locator(".status-line")).to_have_text("Estado: Enviada")
    ana.evaluate("window.neverReloaded = true")  # a reload would forget it

    workflow._transition(application.pk, "start_checks")
    assert seconds_until(ana, "En verificación con los registros") < 2.5
    approved = workflow._transition(application.pk, "approve")
    registration.register(approved)
    assert seconds_until(ana, "Inscrita") < 2.5
    expect(ana.locator("#timeline")).to_contain_text("Inscrita con el número")

    with ThreadPoolExecutor(max_workers=1) as worker:  # pyHanko's asyncio.run: see conftest
        worker.submit(_issue_documents, approved.company.pk).result()
    expect(ana.locator("table.documents tbody tr")).to_have_count(3, timeout=5_000)
    expect(ana.locator("#timeline")).not_to_have_attribute("hx-trigger", "every 1s")
    assert ana.locator("#timeline").get_attribute("hx-get") is None, "nothing more to follow"
    assert ana.evaluate("window.neverReloaded") is True
    assert ana.console_errors == []


def test_without_javascript_the_page_reloads_itself_while_the_registries_are_asked(
    portal, new_page
):
    application = submitted(EntrepreneurFactory())
    ana = new_page()
    sign_in_with_eidentity(ana, ANA)  # the e-identity's pages need JavaScript; the status not
    plain = new_page(javascript=False)
    plain.context.add_cookies(ana.context.cookies())
    plain.goto(f"/solicitudes/{application.public_id}/estado/")
    expect(plain.locator(".status-line")).to_have_text("Estado: Enviada")
    expect(plain.get_by_role("link", name="Actualizar el estado")).to_be_visible()

    workflow._transition(application.pk, "start_checks")
    expect(plain.locator(".status-line")).to_have_text(
        "Estado: En verificación con los registros", timeout=8_000
    )
    assert plain.console_errors == []
