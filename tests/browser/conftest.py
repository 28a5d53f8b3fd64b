"""Headless Debian Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Per module: Playwright's sync API keeps an event loop running in this thread while it
    lives, which would break the asyncio-based tests collected after it."""
    if not CHROMIUM.exists():
        skip_or_fail("browser tests need Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="es-MX")
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    yield page
    context.close()


@pytest.fixture
def portal(live_server, legal_forms, identity_provider, xroad_sandbox, settings):
    """The portal on a live server, with the sandbox e-identity, registries and bank."""
    from sandbox.bank import bank_client, create_bank_app
    from xroad_client.emulator import serve_in_thread

    bank = create_bank_app(
        bank_client("http://emulator", transport=xroad_sandbox.async_transport())
    )
    with serve_in_thread(bank) as bank_url:
        settings.SANDBOX = True
        settings.SANDBOX_BANK_URL = bank_url
        yield live_server.url


def sign_in_with_eidentity(page, curp: str) -> None:
    """From the portal's sign-in page through the sandbox provider's picker and back."""
    page.goto("/entrar/")
    page.get_by_role("link", name="Entrar con identidad digital").click()
    page.locator(f"input[value='{curp}']").check()
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/solicitudes/**")


@pytest.fixture
def new_page(browser, live_server):
    """Pages in separate contexts (separate people); JavaScript can be turned off per page."""
    contexts = []

    def make(*, javascript: bool = True, locale: str = "es-MX", bypass_csp: bool = False):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        return page

    yield make
    for context in contexts:
        context.close()


def company_with_documents(filer):
    """Ana's S.A.S. registered by the registration service, its documents issued as the worker
    does after registration: in a thread of its own, because pyHanko seals with ``asyncio.run``,
    which refuses to start in this thread while Playwright's event loop runs in it."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.factories import complete_application, registered_company

    company = registered_company(complete_application(filer))
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(_issue_documents, company.pk).result()
    return company


def _issue_documents(company_id: int) -> None:
    from django.db import connections

    from companies.documents import issuance

    try:
        issuance.issue_documents(company_id=company_id)
    finally:
        connections.close_all()  # the thread's own connection, or the test database stays busy


def the_worker_draws_the_articles_to_sign(application_id: int) -> None:
    """What the worker does after "Send for signatures" (no worker runs here: the live server
    hands the job to a broker nobody reads): the version's articles PDF drawn, the one every
    founder signs with their e.firma (the signing room says "preparing" until)."""
    from companies.documents import founder_signing

    assert founder_signing.draw(application_id) is not None


def signs_in_the_signing_room(page, person: str, *, javascript: bool = True) -> None:
    """On the signing room, ``person`` (a demo e.firma's file name: ``ana``, ``carlos``) signs:
    with JavaScript, with their demo ``.cer``/``.key`` and password in the page; without it,
    through the e-identity's remote signing service (its step-up names the document, then
    "Firmar"). They are back on the signatures page, which says they signed."""
    from playwright.sync_api import expect

    from sandbox import efirma

    if javascript:
        people = efirma.default_folder() / efirma.PEOPLE_FOLDER
        page.get_by_label("Certificado (.cer)").set_input_files(people / f"{person}.cer")
        page.get_by_label("Clave privada (.key)").set_input_files(people / f"{person}.key")
        page.get_by_label("Contraseña de la clave privada").fill(f"demo-{person}")
        page.get_by_role("button", name="Firmar con mi e.firma").click()
    else:
        page.get_by_role("button", name="Firmar con mi identidad digital").click()
        expect(page.locator("#document")).to_contain_text("Estatutos de")
        page.get_by_role("button", name="Firmar").click()
    page.wait_for_url("**/firmas/")
    expect(page.get_by_text("Firmaste esta versión el")).to_be_visible()
