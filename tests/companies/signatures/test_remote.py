"""Remote signing through the state e-identity (CSC API v2), over real HTTP against the sandbox
provider: the founder's step-up names the hash, the provider signs it with their e.firma, and
the signature verifies like one made in the browser (chain and OCSP over the sandbox X-Road).
Every refusal is a RemoteSigningError that says what to do."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.utils import translation

from companies.models import CertificateStatus
from companies.signatures import refusals, remote, verification
from tests.conftest import free_port

pytestmark = pytest.mark.django_db
ANA, CARLOS, VALERIA = "RAOA900514MQTMLN01", "MERC851102HQTNSR00", "MOPV010309MQTRRLA6"
CALLBACK = "http://testserver/firma-remota/vuelta/"
ARTICLES = b"%PDF-1.7 the articles of version 3, as frozen for signatures"
DOCUMENT = "Estatutos de Tostadas Doña Chela, S.A.S. (versión 3)"
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


class Clock:
    """The provider's clock: real time plus an offset a test moves."""

    def __init__(self) -> None:
        self.offset = datetime.timedelta()

    def __call__(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC) + self.offset


@pytest.fixture(scope="module")
def provider_clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def signing_provider(provider_clock, efirma_folder) -> Iterator[str]:
    """The sandbox e-identity, with its remote signing service, on a loopback port."""
    from sandbox.identity import ClientRegistration, create_app
    from xroad_client.emulator import serve_in_thread

    port = free_port()
    portal = ClientRegistration(
        client_id="empresa24-test",
        client_secret="test-only-secret",
        redirect_uris=("http://testserver/oidc/callback/", CALLBACK),
    )
    app = create_app(
        issuer=f"http://127.0.0.1:{port}",
        clients=[portal],
        clock=provider_clock,
        efirma_folder=efirma_folder,
    )
    with serve_in_thread(app, port=port) as url:
        yield url


@pytest.fixture
def idp(signing_provider, provider_clock, settings) -> str:
    provider_clock.offset = datetime.timedelta()
    settings.ESIGN_REMOTE_URL = f"{signing_provider}/csc/v2"
    settings.ESIGN_REMOTE_AUTHORIZATION_ENDPOINT = f"{signing_provider}/authorize"
    settings.ESIGN_REMOTE_TOKEN_ENDPOINT = f"{signing_provider}/token"
    settings.ESIGN_REMOTE_CLIENT_ID = "empresa24-test"
    settings.ESIGN_REMOTE_CLIENT_SECRET = "test-only-secret"
    return signing_provider


def sign_in_token(idp: str, curp: str) -> str:
    """The access token of an e-identity sign-in (what the portal keeps in the session)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {
        "response_type": "code",
        "client_id": "empresa24-test",
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    with httpx.Client(base_url=idp) as browser:
        page = browser.get("/authorize", params=params)
        token = _FORM_TOKEN.search(page.text)
        assert token is not None, page.text
        answer = browser.post("/authorize", data={"form_token": token[1], "curp": curp})
        code = dict(parse_qsl(urlsplit(answer.headers["location"]).query))["code"]
        tokens = browser.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
            auth=("empresa24-test", "test-only-secret"),
        )
        assert tokens.status_code == 200, tokens.text
        return str(tokens.json()["access_token"])


def step_up(step: remote.StepUp, *, confirm: bool = True) -> tuple[httpx.Response, dict[str, str]]:
    """The founder's browser at the provider: the page, then Firmar (or Cancelar); the page
    and the query the provider sends back to the callback."""
    with httpx.Client() as browser:
        page = browser.get(step.url)
        assert page.status_code == 200, page.text
        token = _FORM_TOKEN.search(page.text)
        assert token is not None
        action = "continue" if confirm else "cancel"
        answer = browser.post(
            page.url.copy_with(query=None), data={"form_token": token[1], "action": action}
        )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK)
    return page, dict(parse_qsl(urlsplit(location).query))


def approved(credential_id: str, digest: bytes) -> remote.CredentialAuthorization:
    """The whole step-up for ``digest``: authorize URL, confirmation, callback, code exchange."""
    step = remote.authorize_url(
        credential_id=credential_id, digest=digest, redirect_uri=CALLBACK, description=DOCUMENT
    )
    _, query = step_up(step)
    code = remote.callback_code(query, state=step.state)
    return remote.exchange_code(code=code, code_verifier=step.code_verifier, redirect_uri=CALLBACK)


def test_a_founder_signs_remotely_and_the_signature_verifies_over_x_road(idp, xroad_sandbox):
    digest = hashlib.sha256(ARTICLES).digest()
    credential = remote.signing_credential(sign_in_token(idp, ANA))

    authorization = approved(credential, digest)
    signed = remote.sign_hash(authorization.access_token, credential_id=credential, digest=digest)

    assert authorization.credential_id == credential
    assert 0 < authorization.expires_in <= 300
    verified = verification.verify(
        certificate=signed.certificate,
        signature=signed.signature,
        signed=ARTICLES,
        founder_curp=ANA,
    )
    assert (verified.holder.curp, verified.holder.rfc) == (ANA, "RAOA9005149F8")
    assert verified.holder.serial_number == "30001000000500000001"
    assert CertificateStatus.objects.get().status == "good"
    assert len(signed.chain) == 2  # the issuing authority, then the root


def test_a_remote_signature_with_someone_elses_e_firma_does_not_count(idp, xroad_sandbox):
    digest = hashlib.sha256(ARTICLES).digest()
    carlos = remote.signing_credential(sign_in_token(idp, CARLOS))
    authorization = approved(carlos, digest)
    signed = remote.sign_hash(authorization.access_token, credential_id=carlos, digest=digest)

    with pytest.raises(refusals.AnotherPerson):
        verification.verify(
            certificate=signed.certificate,
            signature=signed.signature,
            signed=ARTICLES,
            founder_curp=ANA,
        )


def test_the_signature_is_made_with_the_demo_persons_own_e_firma(idp, efirma_folder):
    digest = hashlib.sha256(ARTICLES).digest()
    token = sign_in_token(idp, CARLOS)
    credential = remote.signing_credential(token)

    info = remote.credentials_info(token, credential)

    assert info.certificate == (efirma_folder / "personas" / "carlos.cer").read_bytes()
    assert info.auth_mode == "oauth2code"
    assert (info.key_algorithms[0], info.key_length) == (remote.SHA256_WITH_RSA_OID, 2048)
    assert info.chain[0] != info.certificate
    signed = remote.sign_hash(
        approved(credential, digest).access_token, credential_id=credential, digest=digest
    )
    assert signed.certificate == info.certificate


def test_the_step_up_page_shows_the_document_and_the_hash(idp):
    digest = hashlib.sha256(ARTICLES).digest()
    credential = remote.signing_credential(sign_in_token(idp, ANA))
    step = remote.authorize_url(
        credential_id=credential, digest=digest, redirect_uri=CALLBACK, description=DOCUMENT
    )

    page, query = step_up(step)

    assert "Estatutos de Tostadas Doña Chela, S.A.S. (versión 3)" in page.text
    assert " ".join(re.findall(".{8}", digest.hex())) in page.text
    assert "Ana Sofía Ramírez Olvera" in page.text
    assert "<script" not in page.text
    assert query["state"] == step.state


def test_signing_another_hash_than_the_approved_one_is_refused(idp):
    approved_digest = hashlib.sha256(ARTICLES).digest()
    other = hashlib.sha256(ARTICLES + b" changed").digest()
    credential = remote.signing_credential(sign_in_token(idp, ANA))
    authorization = approved(credential, approved_digest)

    with translation.override("en"), pytest.raises(remote.NotAuthorized) as refused:
        remote.sign_hash(authorization.access_token, credential_id=credential, digest=other)

    assert refused.value.error == "invalid_request"
    assert "not the document or the e.firma you approved" in refused.value.message


def test_an_approval_signs_once(idp):
    digest = hashlib.sha256(ARTICLES).digest()
    credential = remote.signing_credential(sign_in_token(idp, ANA))
    authorization = approved(credential, digest)
    remote.sign_hash(authorization.access_token, credential_id=credential, digest=digest)

    with translation.override("en"), pytest.raises(remote.AuthorizationExpired) as refused:
        remote.sign_hash(authorization.access_token, credential_id=credential, digest=digest)

    assert refused.value.error == "invalid_token"
    assert "Start the signature again" in refused.value.message


def test_an_expired_approval_is_refused(idp, provider_clock):
    digest = hashlib.sha256(ARTICLES).digest()
    credential = remote.signing_credential(sign_in_token(idp, ANA))
    authorization = approved(credential, digest)
    provider_clock.offset = datetime.timedelta(minutes=6)

    with pytest.raises(remote.AuthorizationExpired):
        remote.sign_hash(authorization.access_token, credential_id=credential, digest=digest)


def test_an_approval_does_not_sign_with_another_persons_credential(idp):
    digest = hashlib.sha256(ARTICLES).digest()
    anas = remote.signing_credential(sign_in_token(idp, ANA))
    carlos = remote.signing_credential(sign_in_token(idp, CARLOS))
    authorization = approved(anas, digest)

    with pytest.raises(remote.NotAuthorized):
        remote.sign_hash(authorization.access_token, credential_id=carlos, digest=digest)


def test_a_person_with_no_e_firma_has_no_credential_and_is_told_what_to_do(idp):
    token = sign_in_token(idp, VALERIA)

    assert remote.credentials_list(token) == []
    with translation.override("en"), pytest.raises(remote.NoCredential) as refused:
        remote.signing_credential(token)
    assert "get yours at a SAT office" in refused.value.message


def test_the_message_is_in_spanish_by_default(idp):
    token = sign_in_token(idp, VALERIA)

    with translation.override("es-mx"), pytest.raises(remote.NoCredential) as refused:
        remote.signing_credential(token)

    assert "e.firma" in refused.value.message
    assert "SAT" in refused.value.message
    assert "no tiene" in refused.value.message


def test_a_cancelled_step_up_says_nothing_was_signed(idp):
    digest = hashlib.sha256(ARTICLES).digest()
    credential = remote.signing_credential(sign_in_token(idp, ANA))
    step = remote.authorize_url(
        credential_id=credential, digest=digest, redirect_uri=CALLBACK, description=DOCUMENT
    )
    _, query = step_up(step, confirm=False)

    with translation.override("en"), pytest.raises(remote.Cancelled) as refused:
        remote.callback_code(query, state=step.state)

    assert "Nothing was signed" in refused.value.message


def test_an_answer_for_another_step_up_is_refused(idp):
    with pytest.raises(remote.NotThisSignature):
        remote.callback_code({"code": "abc", "state": "someone-elses"}, state="mine")


def test_a_code_used_twice_is_refused(idp):
    digest = hashlib.sha256(ARTICLES).digest()
    credential = remote.signing_credential(sign_in_token(idp, ANA))
    step = remote.authorize_url(
        credential_id=credential, digest=digest, redirect_uri=CALLBACK, description=DOCUMENT
    )
    _, query = step_up(step)
    code = remote.callback_code(query, state=step.state)
    remote.exchange_code(code=code, code_verifier=step.code_verifier, redirect_uri=CALLBACK)

    with pytest.raises(remote.AuthorizationExpired):
        remote.exchange_code(code=code, code_verifier=step.code_verifier, redirect_uri=CALLBACK)


def test_an_expired_sign_in_cannot_list_credentials(idp, provider_clock):
    token = sign_in_token(idp, ANA)
    provider_clock.offset = datetime.timedelta(minutes=11)

    with pytest.raises(remote.SignInAgain):
        remote.credentials_list(token)


def test_a_provider_that_does_not_answer_is_unavailable(settings):
    settings.ESIGN_REMOTE_URL = f"http://127.0.0.1:{free_port()}/csc/v2"
    settings.ESIGN_REMOTE_TIMEOUT = 1.0

    with translation.override("en"), pytest.raises(remote.Unavailable) as refused:
        remote.credentials_list("token")

    assert "try again in a few minutes" in refused.value.message
