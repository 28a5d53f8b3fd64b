"""Discovery, the published keys, and RP-initiated logout."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from sandbox.identity import SigningKey

from .flow import (
    ANA,
    ISSUER,
    LOGOUT_URI,
    OTHER,
    PORTAL,
    authorize_params,
    exchange,
    new_pkce,
    redirect_query,
    sign_in,
)

pytestmark = pytest.mark.anyio

ENDPOINTS = {
    "authorization_endpoint": ("GET", 400),  # served, but needs parameters
    "token_endpoint": ("POST", 400),
    "userinfo_endpoint": ("GET", 401),
    "jwks_uri": ("GET", 200),
    "end_session_endpoint": ("GET", 200),
}


async def test_discovery_document_describes_the_code_flow_with_pkce(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/.well-known/openid-configuration")).json()

    assert document["issuer"] == ISSUER
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert "openid" in document["scopes_supported"]
    assert {"sub", "curp", "given_name", "family_name", "birthdate", "nonce"} <= set(
        document["claims_supported"]
    )


@pytest.mark.parametrize(("field", "call"), ENDPOINTS.items())
async def test_every_endpoint_in_discovery_is_served_under_the_issuer(
    client: httpx.AsyncClient, field: str, call: tuple[str, int]
) -> None:
    document = (await client.get("/.well-known/openid-configuration")).json()
    method, status = call

    url = document[field]
    response = await client.request(method, urlsplit(url).path)

    assert url.startswith(f"{ISSUER}/")
    assert response.status_code == status


async def test_jwks_publishes_the_public_signing_key_with_its_kid(
    client: httpx.AsyncClient, signing_key: SigningKey
) -> None:
    keys = (await client.get("/jwks")).json()["keys"]

    assert len(keys) == 1
    assert keys[0]["kid"] == signing_key.kid
    assert (keys[0]["kty"], keys[0]["alg"], keys[0]["use"]) == ("RSA", "RS256", "sig")
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])


async def test_logout_goes_back_to_a_registered_uri_with_state(
    client: httpx.AsyncClient,
) -> None:
    params = {
        "client_id": PORTAL.client_id,
        "post_logout_redirect_uri": LOGOUT_URI,
        "state": "bye-1",
    }

    response = await client.get("/logout", params=params)

    assert response.headers["location"].startswith(LOGOUT_URI)
    assert redirect_query(response) == {"state": "bye-1"}


async def test_logout_finds_the_client_from_the_id_token_hint(
    client: httpx.AsyncClient,
) -> None:
    pkce = new_pkce()
    code = await sign_in(client, authorize_params(pkce), ANA.curp)
    id_token = (await exchange(client, code, pkce.verifier)).json()["id_token"]
    params = {"id_token_hint": id_token, "post_logout_redirect_uri": LOGOUT_URI}

    response = await client.get("/logout", params=params)

    assert response.headers["location"] == LOGOUT_URI


async def test_logout_does_not_redirect_to_an_unregistered_uri(
    client: httpx.AsyncClient,
) -> None:
    params = {"client_id": OTHER.client_id, "post_logout_redirect_uri": LOGOUT_URI}

    response = await client.get("/logout", params=params)

    assert response.status_code == 400
    assert "location" not in response.headers
    assert "Sesión cerrada" in response.text


async def test_logout_without_a_redirect_shows_a_signed_out_page(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/logout")

    assert response.status_code == 200
    assert "Sesión cerrada" in response.text
