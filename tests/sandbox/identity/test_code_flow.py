"""The authorization code flow with PKCE, from the picker to a verified ID token."""

from __future__ import annotations

import base64
import datetime
import hashlib
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from .flow import (
    ANA,
    ISSUER,
    OTHER,
    PORTAL,
    REDIRECT_URI,
    ROBERTO,
    FakeClock,
    authorize_params,
    exchange,
    new_pkce,
    sign_in,
)

pytestmark = pytest.mark.anyio


async def verified_id_token(client: httpx.AsyncClient, id_token: str) -> dict[str, Any]:
    """The ID token's claims, checked against the keys the provider publishes."""
    keys = KeySet.import_key_set((await client.get("/jwks")).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    assert token.header["kid"] == keys.keys[0].kid
    return dict(token.claims)


async def test_code_flow_with_pkce_gives_an_id_token_for_the_chosen_person(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)

    response = await exchange(client, code, pkce.verifier)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0
    claims = await verified_id_token(client, tokens["id_token"])
    now = int(clock.now.timestamp())
    assert claims == {
        "iss": ISSUER,
        "aud": PORTAL.client_id,
        "sub": ANA.curp,
        "iat": now,
        "exp": claims["exp"],
        "auth_time": now,
        "nonce": "nonce-456",
        "acr": "urn:qro:e-id:loa2",
        "amr": ["pwd"],
        "at_hash": claims["at_hash"],
        "curp": ANA.curp,
        "given_name": "Ana Sofía",
        "family_name": "Ramírez Olvera",
        "name": "Ana Sofía Ramírez Olvera",
        "email": "ana.ramirez@example.test",
        "birthdate": "1990-05-14",
    }
    assert claims["exp"] > now


async def test_id_token_at_hash_is_the_left_half_of_the_access_tokens_sha256(
    client: httpx.AsyncClient,
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    tokens = (await exchange(client, code, pkce.verifier)).json()

    claims = await verified_id_token(client, tokens["id_token"])

    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


async def test_deceased_person_can_sign_in_and_has_no_email_claim(
    client: httpx.AsyncClient,
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ROBERTO.curp)

    tokens = (await exchange(client, code, pkce.verifier)).json()

    claims = await verified_id_token(client, tokens["id_token"])
    assert (claims["sub"], claims["family_name"]) == (ROBERTO.curp, "Salinas Gómez")
    assert "email" not in claims


async def test_max_age_and_prompt_login_show_the_picker_and_auth_time_is_the_choice(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pkce = new_pkce()
    params = authorize_params(pkce, prompt="login", max_age="300")
    picker = await client.get("/authorize", params=params)
    assert "RAOA900514MQTMLN01" in picker.text

    clock.advance(datetime.timedelta(seconds=20))
    code = await sign_in(client, params, ANA.curp)
    clock.advance(datetime.timedelta(seconds=5))
    tokens = (await exchange(client, code, pkce.verifier)).json()

    claims = await verified_id_token(client, tokens["id_token"])
    assert claims["auth_time"] == int(clock.now.timestamp()) - 5


async def test_client_secret_post_authenticates_the_client(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": pkce.verifier,
        "client_id": PORTAL.client_id,
        "client_secret": PORTAL.client_secret,
    }

    response = await client.post("/token", data=data)

    assert response.status_code == 200, response.text


async def test_token_refused_with_a_wrong_code_verifier(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)

    response = await exchange(client, code, new_pkce().verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "code_verifier" in response.json()["error_description"]


async def test_token_refused_without_a_code_verifier(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}

    response = await client.post("/token", data=data, auth=("portal", "portal-secret"))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_token_refused_with_another_redirect_uri(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)

    response = await exchange(
        client, code, pkce.verifier, redirect_uri="https://portal.test/elsewhere/"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_token_refused_for_an_unknown_client(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)

    response = await exchange(client, code, pkce.verifier, auth=("nobody", "portal-secret"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_token_refused_with_a_wrong_client_secret(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)

    response = await exchange(client, code, pkce.verifier, auth=("portal", "wrong"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_token_refused_without_client_authentication(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": pkce.verifier,
        "client_id": PORTAL.client_id,
    }

    response = await client.post("/token", data=data)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_token_refused_when_the_client_authenticates_twice(
    client: httpx.AsyncClient,
) -> None:
    data = {"grant_type": "authorization_code", "client_secret": PORTAL.client_secret}

    response = await client.post("/token", data=data, auth=("portal", "portal-secret"))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_code_issued_to_one_client_is_refused_to_another(
    client: httpx.AsyncClient,
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)

    response = await exchange(
        client, code, pkce.verifier, auth=(OTHER.client_id, OTHER.client_secret)
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_only_the_authorization_code_grant_is_supported(
    client: httpx.AsyncClient,
) -> None:
    data = {"grant_type": "password", "username": "x", "password": "y"}

    response = await client.post("/token", data=data, auth=("portal", "portal-secret"))

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_token_endpoint_takes_only_form_bodies(client: httpx.AsyncClient) -> None:
    response = await client.post("/token", json={"grant_type": "authorization_code"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_code_reuse_is_refused_and_revokes_the_first_access_token(
    client: httpx.AsyncClient,
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    first = await exchange(client, code, pkce.verifier)
    access_token = first.json()["access_token"]

    second = await exchange(client, code, pkce.verifier)

    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    userinfo = await client.get("/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    assert userinfo.status_code == 401


async def test_a_failed_exchange_spends_the_code(client: httpx.AsyncClient) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    await exchange(client, code, new_pkce().verifier)

    response = await exchange(client, code, pkce.verifier)

    assert response.json()["error"] == "invalid_grant"


async def test_expired_code_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    clock.advance(datetime.timedelta(seconds=61))

    response = await exchange(client, code, pkce.verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_code_is_accepted_within_its_minute(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    clock.advance(datetime.timedelta(seconds=59))

    response = await exchange(client, code, pkce.verifier)

    assert response.status_code == 200


async def test_userinfo_answers_the_same_claims_for_the_access_token(
    client: httpx.AsyncClient,
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    tokens = (await exchange(client, code, pkce.verifier)).json()

    response = await client.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert response.status_code == 200
    claims = await verified_id_token(client, tokens["id_token"])
    assert response.json() == {
        name: claims[name]
        for name in ("sub", "curp", "given_name", "family_name", "name", "email", "birthdate")
    }


async def test_userinfo_without_a_token_asks_for_one(client: httpx.AsyncClient) -> None:
    response = await client.get("/userinfo")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "error=" not in response.headers["www-authenticate"]


async def test_userinfo_with_an_unknown_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/userinfo", headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json()["error"] == "invalid_token"


async def test_userinfo_refuses_an_expired_access_token(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    tokens = (await exchange(client, code, pkce.verifier)).json()
    clock.advance(datetime.timedelta(seconds=tokens["expires_in"]))

    response = await client.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert response.status_code == 401
