"""The remote signing step-up in Chromium with JavaScript off: the founder reads the document's
name and the hash on the e-identity's page, presses Firmar, and the signature the service then
makes verifies like one made with the e.firma files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from companies.signatures import remote, verification
from tests.portal.test_eidentity import sign_in_with_eidentity

pytestmark = pytest.mark.django_db
ANA = "RAOA900514MQTMLN01"
ARTICLES = b"%PDF-1.7 the articles, frozen for signatures"


@pytest.fixture
def callback() -> Iterator[str]:
    """Where the provider sends the browser back: a loopback page standing in for the portal."""
    from xroad_client.emulator import serve_in_thread

    async def back(request):
        return PlainTextResponse("de vuelta en el portal")

    app = Starlette(routes=[Route("/firma-remota/vuelta/", back)])
    with serve_in_thread(app) as url:
        yield f"{url}/firma-remota/vuelta/"


def test_the_step_up_signs_without_javascript(
    browser, client, identity_provider, xroad_sandbox, callback
):
    sign_in_with_eidentity(client, ANA)
    credential = remote.signing_credential(client.session["oidc_access_token"])
    digest = hashlib.sha256(ARTICLES).digest()
    step = remote.authorize_url(
        credential_id=credential,
        digest=digest,
        redirect_uri=callback,
        description="Estatutos de Viñedos de Tequisquiapan (versión 1)",
    )
    context = browser.new_context(java_script_enabled=False, locale="es-MX")
    page = context.new_page()

    page.goto(step.url)
    assert page.locator("#document").inner_text() == (
        "Estatutos de Viñedos de Tequisquiapan (versión 1)"
    )
    assert page.locator("#hash").inner_text().replace(" ", "") == digest.hex()
    page.get_by_role("button", name="Firmar").click()
    page.wait_for_url(f"{callback}**")
    query = dict(parse_qsl(urlsplit(page.url).query))
    context.close()

    code = remote.callback_code(query, state=step.state)
    authorization = remote.exchange_code(
        code=code, code_verifier=step.code_verifier, redirect_uri=callback
    )
    signed = remote.sign_hash(authorization.access_token, credential_id=credential, digest=digest)
    verified = verification.verify(
        certificate=signed.certificate,
        signature=signed.signature,
        signed=ARTICLES,
        founder_curp=ANA,
    )
    assert verified.holder.curp == ANA
