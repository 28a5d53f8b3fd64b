"""`default_app()` from the environment, the loopback switch, and the seed's demo people."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from sandbox.identity import ClientRegistration, SigningKey, create_app, load_demo_identities
from sandbox.identity.clients import redirect_uri_allowed
from sandbox.identity.settings import DEVELOPMENT_CLIENT_SECRET, default_app, portal_client

from .flow import authorize_params, form_token, new_pkce, redirect_query

pytestmark = pytest.mark.anyio

LOOPBACK_CLIENT = ClientRegistration(
    client_id="portal",
    client_secret="secret",
    redirect_uris=("http://127.0.0.1:8000/oidc/callback/", "http://localhost:8000/oidc/callback/"),
    allow_loopback_redirects=True,
)
STRICT_CLIENT = ClientRegistration(
    client_id="portal",
    client_secret="secret",
    redirect_uris=LOOPBACK_CLIENT.redirect_uris,
)


@pytest.fixture
def environ(signing_key_pem: Path) -> dict[str, str]:
    return {"SANDBOX_IDP_SIGNING_KEY": str(signing_key_pem)}


def client_for(environ: dict[str, str]) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=default_app(environ))
    issuer = environ.get("SANDBOX_IDP_ISSUER", "http://127.0.0.1:8701")
    return httpx.AsyncClient(transport=transport, base_url=issuer)


def test_demo_identities_are_the_seeds_demo_people_in_order() -> None:
    identities = load_demo_identities()

    assert [i.curp for i in identities[:2]] == ["RAOA900514MQTMLN01", "MERC851102HQTNSR00"]
    assert identities[0].family_name == "Ramírez Olvera"
    assert identities[0].description == "founder"
    assert {i.status for i in identities} == {"active", "deceased", "withdrawn"}
    michael = next(i for i in identities if i.curp == "AEXM800704HNENXC05")
    assert (michael.given_name, michael.family_name) == ("Michael", "Anderson")


async def test_default_app_uses_development_defaults(environ: dict[str, str]) -> None:
    async with client_for(environ) as http:
        document = (await http.get("/.well-known/openid-configuration")).json()
        params = authorize_params(
            new_pkce(),
            client_id="empresa24-portal",
            redirect_uri="http://localhost:8000/oidc/callback/",
        )
        picker = await http.get("/authorize", params=params)

    assert document["issuer"] == "http://127.0.0.1:8701"
    assert picker.status_code == 200
    assert "SAGR500127HQTLMB07" in picker.text  # a deceased demo identity
    assert portal_client({}).client_secret == DEVELOPMENT_CLIENT_SECRET


async def test_default_app_reads_issuer_client_and_extra_redirect_uris(
    environ: dict[str, str],
) -> None:
    environ |= {
        "SANDBOX_IDP_ISSUER": "http://idp.local:9000/",
        "SANDBOX_IDP_CLIENT_ID": "portal-ci",
        "SANDBOX_IDP_CLIENT_SECRET": "ci-secret",
        "SANDBOX_IDP_REDIRECT_URIS": " https://portal.ci/oidc/callback/ , ",
    }
    async with client_for(environ) as http:
        document = (await http.get("/.well-known/openid-configuration")).json()
        params = authorize_params(
            new_pkce(), client_id="portal-ci", redirect_uri="https://portal.ci/oidc/callback/"
        )
        picker = await http.get("/authorize", params=params)

    assert document["issuer"] == "http://idp.local:9000"
    assert document["token_endpoint"] == "http://idp.local:9000/token"
    assert picker.status_code == 200


async def test_loopback_switch_lets_a_portal_on_a_random_port_sign_in(
    environ: dict[str, str],
) -> None:
    environ["SANDBOX_IDP_ALLOW_LOOPBACK_REDIRECTS"] = "true"
    redirect_uri = "http://127.0.0.1:54321/oidc/callback/"
    params = authorize_params(new_pkce(), client_id="empresa24-portal", redirect_uri=redirect_uri)
    async with client_for(environ) as http:
        token = form_token(await http.get("/authorize", params=params))
        response = await http.post(
            "/authorize", data={"form_token": token, "curp": "RAOA900514MQTMLN01"}
        )

    assert response.headers["location"].startswith(f"{redirect_uri}?code=")
    assert "code" in redirect_query(response)


async def test_random_loopback_port_is_refused_without_the_switch(
    environ: dict[str, str],
) -> None:
    redirect_uri = "http://127.0.0.1:54321/oidc/callback/"
    params = authorize_params(new_pkce(), client_id="empresa24-portal", redirect_uri=redirect_uri)
    async with client_for(environ) as http:
        response = await http.get("/authorize", params=params)

    assert response.status_code == 400


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:54321/oidc/callback/",
        "http://localhost:1/oidc/callback/",
        "http://127.0.0.1/oidc/callback/",
    ],
)
def test_loopback_switch_accepts_any_port_on_a_registered_loopback_uri(uri: str) -> None:
    assert redirect_uri_allowed(LOOPBACK_CLIENT, uri)
    assert not redirect_uri_allowed(STRICT_CLIENT, uri)


@pytest.mark.parametrize(
    "uri",
    [
        "http://192.168.1.10:8000/oidc/callback/",
        "https://127.0.0.1:8000/oidc/callback/",
        "http://127.0.0.1:8000/oidc/other/",
        "http://127.0.0.1:8000/oidc/callback/?next=/",
        "http://127.0.0.1:8000@evil.test/oidc/callback/",
        "http://localhost.evil.test:8000/oidc/callback/",
        "http://127.0.0.1:port/oidc/callback/",
    ],
)
def test_loopback_switch_accepts_nothing_else(uri: str) -> None:
    assert not redirect_uri_allowed(LOOPBACK_CLIENT, uri)


def test_loopback_switch_must_be_a_boolean(environ: dict[str, str]) -> None:
    environ["SANDBOX_IDP_ALLOW_LOOPBACK_REDIRECTS"] = "maybe"

    with pytest.raises(ValueError, match="SANDBOX_IDP_ALLOW_LOOPBACK_REDIRECTS"):
        default_app(environ)


async def test_signing_key_is_loaded_from_a_pem_file(
    environ: dict[str, str], signing_key: SigningKey
) -> None:
    async with client_for(environ) as http:
        keys = (await http.get("/jwks")).json()["keys"]

    assert [key["kid"] for key in keys] == [signing_key.kid]


async def test_a_new_signing_key_is_generated_when_none_is_given() -> None:
    app = create_app(issuer="http://idp.test", clients=[STRICT_CLIENT], identities=[])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://idp.test") as http:
        keys = (await http.get("/jwks")).json()["keys"]

    assert keys[0]["kty"] == "RSA"
    assert len(base64.urlsafe_b64decode(keys[0]["n"] + "==")) * 8 == 2048
