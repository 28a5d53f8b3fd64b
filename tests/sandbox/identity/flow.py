"""The relying party's side of the code flow, step by step, for the tests."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import secrets
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

import httpx

from sandbox.identity import ClientRegistration, Identity

ISSUER = "http://idp.test"
REDIRECT_URI = "https://portal.test/oidc/callback/"
LOGOUT_URI = "https://portal.test/"
PORTAL = ClientRegistration(
    client_id="portal",
    client_secret="portal-secret",
    redirect_uris=(REDIRECT_URI,),
    post_logout_redirect_uris=(LOGOUT_URI,),
    display_name="Empresa24",
)
OTHER = ClientRegistration(
    client_id="other",
    client_secret="other-secret",
    redirect_uris=("https://other.test/callback",),
)
CLIENTS = (PORTAL, OTHER)

ANA = Identity(
    curp="RAOA900514MQTMLN01",
    given_name="Ana Sofía",
    family_name="Ramírez Olvera",
    email="ana.ramirez@example.test",
    birthdate=datetime.date(1990, 5, 14),
    status="active",
    description="founder",
)
ROBERTO = Identity(
    curp="SAGR500127HQTLMB07",
    given_name="Roberto",
    family_name="Salinas Gómez",
    email=None,
    birthdate=datetime.date(1950, 1, 27),
    status="deceased",
)
PATRICIA = Identity(
    curp="LUVP930921MSPNGT06",
    given_name="Patricia",
    family_name="Luna Vega",
    email=None,
    birthdate=datetime.date(1993, 9, 21),
    status="withdrawn",
)
IDENTITIES = (ANA, ROBERTO, PATRICIA)

_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, delta: datetime.timedelta) -> None:
        self.now += delta


class Pkce(NamedTuple):
    verifier: str
    challenge: str


def new_pkce() -> Pkce:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return Pkce(verifier, base64.urlsafe_b64encode(digest).decode().rstrip("="))


def authorize_params(pkce: Pkce, **changes: str | None) -> dict[str, str]:
    """A good authorization request; `changes` replace parameters (None leaves one out)."""
    params: dict[str, str | None] = {
        "client_id": PORTAL.client_id,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in params.items() if value is not None}


def redirect_query(response: httpx.Response) -> dict[str, str]:
    """The parameters of the redirect back to the client."""
    assert response.status_code in (302, 303), response.text
    return dict(parse_qsl(urlsplit(response.headers["location"]).query))


def form_token(picker: httpx.Response) -> str:
    assert picker.status_code == 200, picker.text
    match = _FORM_TOKEN.search(picker.text)
    assert match is not None
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, params: dict[str, str], curp: str) -> str:
    """Open the picker, choose `curp`, and return the code the client receives."""
    token = form_token(await client.get("/authorize", params=params))
    response = await client.post("/authorize", data={"form_token": token, "curp": curp})
    query = redirect_query(response)
    assert query["state"] == params["state"]
    return query["code"]


async def exchange(
    client: httpx.AsyncClient,
    code: str,
    verifier: str,
    *,
    redirect_uri: str = REDIRECT_URI,
    auth: tuple[str, str] = (PORTAL.client_id, PORTAL.client_secret),
) -> httpx.Response:
    """The token request, authenticated with HTTP Basic."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    return await client.post("/token", data=data, auth=auth)
