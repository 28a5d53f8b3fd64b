"""The provider's remote signing service (CSC API v2 subset): the step-up that names one hash,
its page, and credentials/list, credentials/info and signatures/signHash with CSC-shaped errors."""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from sandbox.identity import SigningKey, create_app
from sandbox.identity.settings import DEVELOPMENT_CLIENT_SECRET, default_app

from .flow import CLIENTS, ISSUER, FakeClock, authorize_params, exchange, new_pkce, sign_in

pytestmark = pytest.mark.anyio
ANA, CARLOS, VALERIA = "RAOA900514MQTMLN01", "MERC851102HQTNSR00", "MOPV010309MQTRRLA6"
SHA256, SHA256_RSA = "2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.11"
DIGEST = hashlib.sha256(b"the articles, version 3").digest()
OTHER_DIGEST = hashlib.sha256(b"the articles, version 4").digest()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.datetime.now(datetime.UTC))


@pytest.fixture
async def client(
    signing_key: SigningKey, clock: FakeClock, efirma_folder
) -> AsyncIterator[httpx.AsyncClient]:
    """A provider with the seed's demo people and the run's sandbox e.firma."""
    app = create_app(
        issuer=ISSUER,
        clients=list(CLIENTS),
        signing_key=signing_key,
        clock=clock,
        efirma_folder=efirma_folder,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as http:
        yield http


def b64url(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in_token(client: httpx.AsyncClient, curp: str) -> str:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), curp)
    return str((await exchange(client, code, pkce.verifier)).json()["access_token"])


async def credential_of(client: httpx.AsyncClient, curp: str) -> str:
    token = await sign_in_token(client, curp)
    answer = await client.post("/csc/v2/credentials/list", json={}, headers=bearer(token))
    return str(answer.json()["credentialIDs"][0])


def credential_params(pkce, credential_id: str, **changes: str | None) -> dict[str, str]:
    return authorize_params(
        pkce,
        **{
            "scope": "credential",
            "nonce": None,
            "credentialID": credential_id,
            "numSignatures": "1",
            "hashes": b64url(DIGEST),
            "hashAlgorithmOID": SHA256,
            "description": "Estatutos de Tostadas Doña Chela (versión 3)",
            **changes,
        },
    )


async def step_up_token(client: httpx.AsyncClient, credential_id: str) -> dict:
    pkce = new_pkce()
    code = await sign_in(client, credential_params(pkce, credential_id), "")
    answer = await exchange(client, code, pkce.verifier)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def sign_hash(client: httpx.AsyncClient, token: str, credential_id: str, **changes):
    body = {
        "credentialID": credential_id,
        "hashes": [b64(DIGEST)],
        "hashAlgorithmOID": SHA256,
        "signAlgo": SHA256_RSA,
        **changes,
    }
    return await client.post("/csc/v2/signatures/signHash", json=body, headers=bearer(token))


def refused(answer: httpx.Response, status: int, error: str) -> str:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    return str(body["error_description"])


async def test_info_describes_the_service(client):
    answer = await client.post("/csc/v2/info", json={"lang": "es-MX"})

    info = answer.json()
    assert info["specs"].startswith("2.")
    assert info["authType"] == ["oauth2code"]
    assert info["oauth2"] == ISSUER
    assert {"credentials/list", "credentials/info", "signatures/signHash"} <= set(info["methods"])


async def test_credentials_list_gives_the_signed_in_persons_e_firma(client):
    token = await sign_in_token(client, ANA)

    answer = await client.post(
        "/csc/v2/credentials/list", json={"credentialInfo": True}, headers=bearer(token)
    )

    listed = answer.json()
    assert listed["credentialIDs"] == ["efirma-30001000000500000001"]
    assert listed["credentialInfos"][0]["credentialID"] == "efirma-30001000000500000001"


async def test_a_person_without_e_firma_has_no_credentials(client):
    token = await sign_in_token(client, VALERIA)

    answer = await client.post("/csc/v2/credentials/list", json={}, headers=bearer(token))

    assert answer.json()["credentialIDs"] == []


async def test_credentials_list_without_a_token_is_refused(client):
    answer = await client.post("/csc/v2/credentials/list", json={})

    refused(answer, 401, "invalid_request")
    assert answer.headers["www-authenticate"].startswith("Bearer")


async def test_credentials_info_gives_the_chain_in_der_and_the_auth_mode(client, efirma_folder):
    token = await sign_in_token(client, ANA)
    credential = await credential_of(client, ANA)

    answer = await client.post(
        "/csc/v2/credentials/info",
        json={"credentialID": credential, "certificates": "chain", "certInfo": True},
        headers=bearer(token),
    )

    info = answer.json()
    chain = [base64.b64decode(c) for c in info["cert"]["certificates"]]
    assert chain[0] == (efirma_folder / "personas" / "ana.cer").read_bytes()
    assert [x509.load_der_x509_certificate(c).subject for c in chain[1:]] == [
        x509.load_der_x509_certificate(chain[0]).issuer,
        x509.load_der_x509_certificate(chain[1]).issuer,
    ]
    assert info["authMode"] == info["auth"]["mode"] == "oauth2code"
    assert info["key"] == {"status": "enabled", "algo": [SHA256_RSA, "1.2.840.113549.1.1.1"],
                           "len": 2048}  # fmt: skip
    assert info["cert"]["serialNumber"] == format(
        x509.load_der_x509_certificate(chain[0]).serial_number, "x"
    )
    assert info["cert"]["validTo"].endswith("Z")


async def test_credentials_info_of_another_persons_credential_is_refused(client):
    token = await sign_in_token(client, ANA)
    carlos = await credential_of(client, CARLOS)

    answer = await client.post(
        "/csc/v2/credentials/info", json={"credentialID": carlos}, headers=bearer(token)
    )

    assert "credentialID" in refused(answer, 400, "invalid_request")


async def test_the_step_up_page_shows_the_document_the_hash_and_the_signer(client):
    credential = await credential_of(client, ANA)
    params = credential_params(new_pkce(), credential, description="<b>Estatutos</b> v3")

    page = await client.get("/authorize", params=params)

    assert page.status_code == 200
    assert '<html lang="es-MX">' in page.text
    assert "&lt;b&gt;Estatutos&lt;/b&gt; v3" in page.text
    assert DIGEST.hex()[:8] in page.text
    assert "Ana Sofía Ramírez Olvera" in page.text
    assert "30001000000500000001" in page.text
    assert 'lang="en"' in page.text
    assert "<script" not in page.text
    assert "form-action 'self' https://portal.test" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"credentialID": "efirma-00000000000000000000"}, "invalid_request"),
        ({"numSignatures": "2"}, "invalid_request"),
        ({"hashes": "not-a-hash"}, "invalid_request"),
        ({"hashes": f"{b64url(DIGEST)},{b64url(OTHER_DIGEST)}"}, "invalid_request"),
        ({"hashAlgorithmOID": "1.3.14.3.2.26"}, "invalid_request"),
        ({"scope": "openid credential"}, "invalid_scope"),
        ({"code_challenge": None}, "invalid_request"),
    ],
)
async def test_a_bad_credential_authorization_goes_back_with_an_error(client, changes, error):
    credential = await credential_of(client, ANA)
    params = credential_params(new_pkce(), credential, **changes)

    answer = await client.get("/authorize", params=params)

    assert answer.status_code == 303
    assert f"error={error}" in answer.headers["location"]


async def test_the_step_up_token_is_short_lived_bound_and_has_no_id_token(client):
    credential = await credential_of(client, ANA)

    tokens = await step_up_token(client, credential)

    assert tokens["scope"] == "credential"
    assert tokens["credentialID"] == credential
    assert 0 < tokens["expires_in"] <= 300
    assert "id_token" not in tokens
    userinfo = await client.get("/userinfo", headers=bearer(tokens["access_token"]))
    assert userinfo.status_code == 401


async def test_sign_hash_signs_the_approved_hash_with_the_persons_e_firma(client, efirma_folder):
    credential = await credential_of(client, ANA)
    token = (await step_up_token(client, credential))["access_token"]

    answer = await sign_hash(client, token, credential)

    assert answer.status_code == 200, answer.text
    (signature,) = answer.json()["signatures"]
    certificate = x509.load_der_x509_certificate(
        (efirma_folder / "personas" / "ana.cer").read_bytes()
    )
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(signature), DIGEST, padding.PKCS1v15(), Prehashed(hashes.SHA256()))


async def test_sign_hash_refuses_another_hash(client):
    credential = await credential_of(client, ANA)
    token = (await step_up_token(client, credential))["access_token"]

    answer = await sign_hash(client, token, credential, hashes=[b64(OTHER_DIGEST)])

    assert "hashes" in refused(answer, 400, "invalid_request")


async def test_sign_hash_works_once(client):
    credential = await credential_of(client, ANA)
    token = (await step_up_token(client, credential))["access_token"]
    assert (await sign_hash(client, token, credential)).status_code == 200

    again = await sign_hash(client, token, credential)

    refused(again, 401, "invalid_token")
    assert 'error="invalid_token"' in again.headers["www-authenticate"]


async def test_sign_hash_refuses_an_expired_token(client, clock):
    credential = await credential_of(client, ANA)
    token = (await step_up_token(client, credential))["access_token"]
    clock.advance(datetime.timedelta(minutes=5, seconds=1))

    answer = await sign_hash(client, token, credential)

    assert "expired" in refused(answer, 401, "invalid_token")


async def test_sign_hash_refuses_someone_elses_credential(client):
    anas = await credential_of(client, ANA)
    carlos = await credential_of(client, CARLOS)
    token = (await step_up_token(client, anas))["access_token"]

    answer = await sign_hash(client, token, carlos)

    assert "credentialID" in refused(answer, 400, "invalid_request")


async def test_sign_hash_refuses_the_sign_in_token(client):
    token = await sign_in_token(client, ANA)
    credential = await credential_of(client, ANA)

    answer = await sign_hash(client, token, credential)

    refused(answer, 403, "insufficient_scope")


@pytest.mark.parametrize(
    "changes",
    [
        {"signAlgo": "1.2.840.10045.4.3.2"},
        {"hashAlgorithmOID": "1.3.14.3.2.26"},
        {"hashes": ["bm90IGEgZGlnZXN0"]},
        {"hashes": []},
        {"credentialID": None},
    ],
)
async def test_sign_hash_refuses_a_malformed_request_without_spending_the_token(client, changes):
    credential = await credential_of(client, ANA)
    token = (await step_up_token(client, credential))["access_token"]

    answer = await sign_hash(client, token, credential, **changes)

    refused(answer, 400, "invalid_request")
    assert (await sign_hash(client, token, credential)).status_code == 200


async def test_sign_hash_wants_json(client):
    credential = await credential_of(client, ANA)
    token = (await step_up_token(client, credential))["access_token"]

    answer = await client.post(
        "/csc/v2/signatures/signHash",
        content=urlencode({"credentialID": credential}),
        headers={**bearer(token), "content-type": "application/x-www-form-urlencoded"},
    )

    refused(answer, 400, "invalid_request")


async def test_cancelling_the_step_up_goes_back_with_access_denied(client):
    credential = await credential_of(client, ANA)
    page = await client.get("/authorize", params=credential_params(new_pkce(), credential))
    form_token = page.text.split('name="form_token" value="')[1].split('"')[0]

    answer = await client.post("/authorize", data={"form_token": form_token, "action": "cancel"})

    assert answer.status_code == 303
    assert "error=access_denied" in answer.headers["location"]


async def test_the_development_provider_signs_with_the_sandbox_sats_folder(signing_key_pem):
    """`default_app()` registers the portal's remote signing callback and finds the e.firma in
    `SANDBOX_EFIRMA_DIR` (set for the run by the tests' efirma_folder)."""
    callback = "http://localhost:8000/firma-remota/vuelta/"
    app = default_app({"SANDBOX_IDP_SIGNING_KEY": str(signing_key_pem)})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8701") as http:
        auth = ("empresa24-portal", DEVELOPMENT_CLIENT_SECRET)
        pkce = new_pkce()
        params = authorize_params(pkce, client_id=auth[0], redirect_uri=callback)
        code = await sign_in(http, params, ANA)
        tokens = await exchange(http, code, pkce.verifier, redirect_uri=callback, auth=auth)
        token = tokens.json()["access_token"]
        listed = await http.post("/csc/v2/credentials/list", json={}, headers=bearer(token))
        (credential,) = listed.json()["credentialIDs"]
        pkce = new_pkce()
        params = credential_params(pkce, credential, client_id=auth[0], redirect_uri=callback)
        code = await sign_in(http, params, "")
        tokens = await exchange(http, code, pkce.verifier, redirect_uri=callback, auth=auth)
        answer = await sign_hash(http, tokens.json()["access_token"], credential)

    assert answer.status_code == 200, answer.text


async def test_only_valid_e_firma_are_credentials(client):
    token = await sign_in_token(client, CARLOS)

    answer = await client.post("/csc/v2/credentials/list", json={}, headers=bearer(token))

    # Carlos's revoked older e.firma (30001000000400000102) is not offered
    assert answer.json()["credentialIDs"] == ["efirma-30001000000500000002"]


async def test_a_step_up_token_does_not_list_credentials(client):
    credential = await credential_of(client, ANA)
    token = (await step_up_token(client, credential))["access_token"]

    answer = await client.post("/csc/v2/credentials/list", json={}, headers=bearer(token))

    refused(answer, 403, "insufficient_scope")
    assert (await sign_hash(client, token, credential)).status_code == 200
