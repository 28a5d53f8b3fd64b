"""Ana and Carlos sign their articles in Chromium, on the real signing room: with their demo
e.firma files in the page (JavaScript on), and through the e-identity's remote signing service
(JavaScript off). Either way the application then shows everyone signed, and pyHanko finds one
valid signature per founder in the signing document's PDF."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from companies import workflow
from companies.documents import founder_signing
from companies.models import Signature, SigningDocument
from tests.browser.conftest import sign_in_with_eidentity
from tests.factories import complete_application

pytestmark = pytest.mark.django_db(transaction=True)
ANA = "RAOA900514MQTMLN01"
CARLOS = "MERC851102HQTNSR00"


@pytest.fixture
def sent(portal, applicant, other_applicant):
    """Ana's application for Ana and Carlos, sent for signatures, its articles drawn (what the
    worker does after sending)."""
    application = workflow.send_for_signatures(complete_application(applicant), actor=applicant)
    founder_signing.draw(application.pk)
    return application


def assert_everyone_signed(page, application, efirma_folder, method: str) -> None:
    page.goto(f"/solicitudes/{application.public_id}/firmas/")
    expect(page.get_by_text("Firmada por todos")).to_be_visible()
    signatures = Signature.objects.filter(version__application=application)
    assert sorted(signatures.values_list("founder__curp", "decision", "method")) == sorted(
        [(ANA, "approved", method), (CARLOS, "approved", method)]
    )
    root = x509.load_pem_x509_certificates((efirma_folder / "ca.pem").read_bytes())[0]
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))]
    )
    document = SigningDocument.objects.get(version__application=application)
    reader = PdfFileReader(BytesIO(bytes(document.pdf)), strict=False)
    # pyHanko runs its own event loop: not in this thread, where Playwright's runs
    with ThreadPoolExecutor(1) as pool:
        statuses = list(
            pool.map(lambda s: validate_pdf_signature(s, context), reader.embedded_signatures)
        )
    assert [s.bottom_line for s in statuses] == [True, True]
    signers = [s.signing_cert.subject.native.get("serial_number") for s in statuses]
    assert signers == [ANA, CARLOS]


def test_ana_and_carlos_sign_with_their_efirma_in_the_browser(new_page, sent, efirma_folder):
    people = efirma_folder / "personas"
    for curp, name in ((ANA, "ana"), (CARLOS, "carlos")):
        page = new_page()
        sign_in_with_eidentity(page, curp)
        page.goto(f"/solicitudes/{sent.public_id}/firmar/")
        page.get_by_label("Certificado (.cer)").set_input_files(people / f"{name}.cer")
        page.get_by_label("Clave privada (.key)").set_input_files(people / f"{name}.key")
        page.get_by_label("Contraseña de la clave privada").fill(f"demo-{name}")
        page.get_by_role("button", name="Firmar con mi e.firma").click()
        page.wait_for_url("**/firmas/")
        expect(page.get_by_text("Firmaste esta versión el")).to_be_visible()
        assert page.console_errors == []
    assert_everyone_signed(page, sent, efirma_folder, "browser")


def test_without_javascript_they_sign_through_the_remote_signing_service(
    new_page, sent, efirma_folder
):
    for curp in (ANA, CARLOS):
        page = new_page(javascript=False)
        sign_in_with_eidentity(page, curp)
        page.goto(f"/solicitudes/{sent.public_id}/firmar/")
        expect(page.locator("[data-efirma]")).to_be_hidden()  # the page's e.firma needs JS
        page.get_by_role("button", name="Firmar con mi identidad digital").click()
        # the e-identity's step-up: the document's name and the hash, then Firmar
        expect(page.locator("#document")).to_contain_text("Estatutos de")
        page.get_by_role("button", name="Firmar").click()
        page.wait_for_url("**/firmas/")
        expect(page.get_by_text("Firmaste esta versión el")).to_be_visible()
    assert_everyone_signed(page, sent, efirma_folder, "remote")


def test_the_signing_room_with_both_ways_has_no_axe_violations(new_page, sent):
    from tests.browser.test_accessibility import violations

    page = new_page(bypass_csp=True)  # only so that axe itself can be injected
    sign_in_with_eidentity(page, ANA)
    page.goto(f"/solicitudes/{sent.public_id}/firmar/")
    expect(page.locator("[data-efirma]")).to_be_visible()
    expect(page.get_by_role("button", name="Firmar con mi identidad digital")).to_be_visible()
    assert violations(page) == []


def an_older_sign_in(page) -> None:
    """The person's e-identity sign-in made 10 minutes ago (signing needs one within 5)."""
    import time

    from django.contrib.sessions.backends.db import SessionStore

    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session["eid_auth_time"] = int(time.time()) - 600
    session.save()


def test_after_a_stale_sign_in_the_page_links_to_signing_in_again_and_then_signs(
    new_page, sent, efirma_folder
):
    from tests.browser.conftest import signs_in_the_signing_room

    page = new_page()
    sign_in_with_eidentity(page, ANA)
    page.goto(f"/solicitudes/{sent.public_id}/firmar/")
    an_older_sign_in(page)  # the page stayed open: the sign-in aged meanwhile
    people = efirma_folder / "personas"
    page.get_by_label("Certificado (.cer)").set_input_files(people / "ana.cer")
    page.get_by_label("Clave privada (.key)").set_input_files(people / "ana.key")
    page.get_by_label("Contraseña de la clave privada").fill("demo-ana")
    page.get_by_role("button", name="Firmar con mi e.firma").click()

    message = page.locator("[data-efirma-message]")
    expect(message).to_contain_text("Vuelve a entrar con tu identidad digital para firmar")
    link = message.get_by_role("link", name="Vuelve a entrar con tu identidad digital")
    assert link.get_attribute("href") == (
        f"/oidc/authenticate/?fresh=1&next=%2Fsolicitudes%2F{sent.public_id}%2Ffirmar%2F"
    )
    assert not Signature.objects.exists()
    link.click()
    page.locator(f"input[value='{ANA}']").check()  # the e-identity asks again
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"**/solicitudes/{sent.public_id}/firmar/")
    signs_in_the_signing_room(page, "ana")
    assert Signature.objects.get().method == "browser"
    # Chromium logs the refused prepare (403) as a console error; nothing else went wrong
    assert [e for e in page.console_errors if "status of 403" not in e] == []
