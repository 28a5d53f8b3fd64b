"""`POST /token` exchanges a code for tokens; `GET /userinfo` answers who holds a token."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.identity import pkce
from sandbox.identity.memory import ACCESS_TOKEN_LIFETIME, CREDENTIAL_TOKEN_LIFETIME, Grant
from sandbox.identity.models import ACR, AMR, ClientRegistration, identity_claims
from sandbox.identity.oauth import (
    NO_STORE,
    OAuthError,
    invalid_grant,
    invalid_request,
    read_form,
)
from sandbox.identity.provider import Provider

ID_TOKEN_LIFETIME = datetime.timedelta(minutes=10)
REALM = "sandbox-identity"


async def token_endpoint(provider: Provider, request: Request) -> Response:
    form = await read_form(request)
    client = _authenticated_client(provider, request, form)
    grant_type = _required(form, "grant_type")
    if grant_type != "authorization_code":
        raise OAuthError("unsupported_grant_type", "Only authorization_code is supported.")
    code, redirect_uri = _required(form, "code"), _required(form, "redirect_uri")
    verifier = _required(form, "code_verifier")
    if not pkce.verifier_is_well_formed(verifier):
        raise invalid_request("code_verifier must be 43 to 128 unreserved characters.")
    grant = _valid_grant(provider.memory.redeem_code(code), client, redirect_uri, verifier)
    credential = grant.request.credential
    if credential is not None:  # a signature's authorization: short-lived, once, no ID token
        access_token = provider.memory.issue_access_token(
            grant, code=code, lifetime=CREDENTIAL_TOKEN_LIFETIME
        )
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": int(CREDENTIAL_TOKEN_LIFETIME.total_seconds()),
            "scope": grant.request.scope,
            "credentialID": credential.credential_id,
        }
        return JSONResponse(body, headers=NO_STORE)
    access_token = provider.memory.issue_access_token(grant, code=code)
    body = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        "scope": grant.request.scope,
        "id_token": provider.key.sign(id_token_claims(provider, grant, access_token)),
    }
    return JSONResponse(body, headers=NO_STORE)


async def userinfo_endpoint(provider: Provider, request: Request) -> Response:
    grant = provider.memory.access_grant(bearer_token(request))
    if grant is None or grant.request.credential is not None:
        raise OAuthError(
            "invalid_token",
            "The access token is unknown, expired or revoked.",
            status=401,
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token"'},
        )
    return JSONResponse(identity_claims(grant.identity), headers=NO_STORE)


def id_token_claims(provider: Provider, grant: Grant, access_token: str) -> dict[str, Any]:
    now = provider.memory.clock()
    return {
        "iss": provider.issuer,
        "aud": grant.request.client.client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
        "auth_time": int(grant.auth_time.timestamp()),
        "nonce": grant.request.nonce,
        "acr": ACR,
        "amr": list(AMR),
        "at_hash": _at_hash(access_token),
        **identity_claims(grant.identity),
    }


def _valid_grant(
    grant: Grant | None, client: ClientRegistration, redirect_uri: str, verifier: str
) -> Grant:
    if grant is None:
        raise invalid_grant("The code is unknown, expired or already used.")
    if grant.request.client.client_id != client.client_id:
        raise invalid_grant("The code was issued to another client.")
    if grant.request.redirect_uri != redirect_uri:
        raise invalid_grant("redirect_uri differs from the one in the authorization request.")
    if not pkce.verifier_matches(verifier, grant.request.code_challenge):
        raise invalid_grant("code_verifier does not match the code_challenge (S256).")
    return grant


def _authenticated_client(
    provider: Provider, request: Request, form: Mapping[str, str]
) -> ClientRegistration:
    """The client, by HTTP Basic or by client_id and client_secret in the body (not both)."""
    basic = _basic_credentials(request)
    if basic is not None and "client_secret" in form:
        raise invalid_request("Authenticate the client one way only: Basic or client_secret.")
    if basic is not None and form.get("client_id", basic[0]) != basic[0]:
        raise invalid_request("client_id in the body differs from the Basic credentials.")
    client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret"))
    if secret is None:
        raise _invalid_client("Client authentication is required (Basic or client_secret).")
    client = provider.clients.get(client_id)
    if client is None:
        raise _invalid_client(f"No client is registered as {client_id!r}.")
    if provider.clients.authenticate(client_id, secret) is None:
        raise _invalid_client(f"The client secret for {client_id!r} is wrong.")
    return client


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid_client("The Basic credentials are not valid base64.") from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise _invalid_client("The Basic credentials must be client_id:client_secret.")
    return unquote_plus(client_id), unquote_plus(secret)


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError(
            "invalid_request",
            "Send the access token as 'Authorization: Bearer <token>'.",
            status=401,
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    return token.strip()


def _invalid_client(description: str) -> OAuthError:
    headers = {"WWW-Authenticate": f'Basic realm="{REALM}"'}
    return OAuthError("invalid_client", description, status=401, headers=headers)


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise invalid_request(f"The parameter {name!r} is required.")
    return value


def _at_hash(access_token: str) -> str:
    """OpenID Connect Core 3.1.3.6: the left half of the SHA-256, base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")
