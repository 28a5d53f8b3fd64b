"""What every endpoint shares: the issuer, the clients, the identities, the key, the memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse

from sandbox.identity.clients import ClientDirectory
from sandbox.identity.credentials import CredentialStore
from sandbox.identity.keys import ALGORITHM, SigningKey
from sandbox.identity.memory import ProviderMemory
from sandbox.identity.models import ACR, Identity
from sandbox.identity.pages import Message, error_page, html_headers

AUTHORIZE_PATH = "/authorize"
TOKEN_PATH = "/token"  # noqa: S105 (a path, not a password)
USERINFO_PATH = "/userinfo"
JWKS_PATH = "/jwks"
LOGOUT_PATH = "/logout"
DISCOVERY_PATH = "/.well-known/openid-configuration"
STYLESHEET_PATH = "/static/identity.css"
CSC_PATH = "/csc/v2"  # the remote signing service (Cloud Signature Consortium API v2)

CREDENTIAL_SCOPE = "credential"
SCOPES = ("openid", "profile", "email", CREDENTIAL_SCOPE)
IDENTITY_CLAIMS = ("sub", "curp", "given_name", "family_name", "name", "email", "birthdate")
TOKEN_CLAIMS = ("iss", "aud", "iat", "exp", "auth_time", "nonce", "acr", "amr", "at_hash")
PROMPTS = ("none", "login", "consent", "select_account")


@dataclasses.dataclass(frozen=True)
class Provider:
    issuer: str
    clients: ClientDirectory
    identities: tuple[Identity, ...]
    key: SigningKey
    memory: ProviderMemory
    credentials: CredentialStore = dataclasses.field(default_factory=CredentialStore)

    def identity(self, curp: str) -> Identity | None:
        wanted = curp.strip().upper()
        return next((i for i in self.identities if i.curp == wanted), None)

    def endpoint(self, path: str) -> str:
        return f"{self.issuer}{path}"


def normalized_issuer(issuer: str) -> str:
    """The issuer as `iss` carries it: an http(s) URL without query, fragment or final slash."""
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"The issuer must be an http(s) URL without query: {issuer!r}")
    return issuer.rstrip("/")


def discovery_document(provider: Provider) -> dict[str, Any]:
    """OpenID Connect Discovery 1.0 metadata, every URL under the issuer."""
    return {
        "issuer": provider.issuer,
        "authorization_endpoint": provider.endpoint(AUTHORIZE_PATH),
        "token_endpoint": provider.endpoint(TOKEN_PATH),
        "userinfo_endpoint": provider.endpoint(USERINFO_PATH),
        "jwks_uri": provider.endpoint(JWKS_PATH),
        "end_session_endpoint": provider.endpoint(LOGOUT_PATH),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": list(SCOPES),
        "claims_supported": [*IDENTITY_CLAIMS, *TOKEN_CLAIMS],
        "acr_values_supported": [ACR],
        "prompt_values_supported": list(PROMPTS),
        "ui_locales_supported": ["es-MX", "en"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
    }


def with_query(uri: str, params: Mapping[str, str | None]) -> str:
    """`uri` with `params` added to its query (None values left out)."""
    parts = urlsplit(uri)
    added = urlencode({name: value for name, value in params.items() if value is not None})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit(parts._replace(query=query))


def error_page_response(request: Request, title: Message, message: Message) -> HTMLResponse:
    """A page for a person, when the client cannot be trusted with a redirect."""
    stylesheet = str(request.url_for("stylesheet"))
    page = error_page(title, message, stylesheet_url=stylesheet)
    return HTMLResponse(page, status_code=400, headers=html_headers())
