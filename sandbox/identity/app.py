"""The sandbox OpenID provider as a Starlette app: `create_app(...)`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.identity import authorize, csc, tokens
from sandbox.identity.clients import ClientDirectory, post_logout_redirect_uri_allowed
from sandbox.identity.credentials import CredentialStore
from sandbox.identity.keys import SigningKey
from sandbox.identity.memory import Clock, ProviderMemory, utc_now
from sandbox.identity.models import ClientRegistration, Identity
from sandbox.identity.oauth import OAuthError, oauth_error_handler
from sandbox.identity.pages import STYLESHEET, Message, html_headers, signed_out_page
from sandbox.identity.provider import (
    AUTHORIZE_PATH,
    CSC_PATH,
    DISCOVERY_PATH,
    JWKS_PATH,
    LOGOUT_PATH,
    STYLESHEET_PATH,
    TOKEN_PATH,
    USERINFO_PATH,
    Provider,
    discovery_document,
    normalized_issuer,
    with_query,
)
from sandbox.identity.seed import load_demo_identities

UNREGISTERED_LOGOUT_URI = Message(
    "La dirección de retorno indicada no está registrada para la aplicación; no se redirige.",
    "post_logout_redirect_uri is not registered for the client, so there is no redirect.",
)


def create_app(
    *,
    issuer: str,
    clients: list[ClientRegistration],
    identities: list[Identity] | None = None,
    signing_key: SigningKey | Path | str | None = None,
    clock: Clock = utc_now,
    efirma_folder: Path | str | None = None,
) -> Starlette:
    """A fresh provider that remembers nothing yet.

    `identities` defaults to the demo people of the seed (`sandbox/data/demo.json`);
    `signing_key` is a `SigningKey`, the path of a PEM file, or None for a new RSA 2048 key;
    `efirma_folder` is where the remote signing service finds the people's e.firma (None: the
    sandbox SAT's folder, `sandbox.efirma.default_folder()`, when first needed).
    """
    provider = Provider(
        issuer=normalized_issuer(issuer),
        clients=ClientDirectory(clients),
        identities=tuple(load_demo_identities() if identities is None else identities),
        key=_signing_key(signing_key),
        memory=ProviderMemory(clock),
        credentials=CredentialStore(efirma_folder),
    )
    return Starlette(routes=_routes(provider), exception_handlers=_ERROR_HANDLERS)


_ERROR_HANDLERS: Mapping[Any, Callable[[Request, Exception], Any]] = {
    OAuthError: oauth_error_handler,
}


def _routes(provider: Provider) -> list[Route]:
    def route(path: str, endpoint: Any, methods: list[str], name: str) -> Route:
        return Route(path, functools.partial(endpoint, provider), methods=methods, name=name)

    return [
        route(DISCOVERY_PATH, discovery, ["GET"], "discovery"),
        route(AUTHORIZE_PATH, authorize.show_picker, ["GET"], "authorize"),
        route(AUTHORIZE_PATH, authorize.choose_identity, ["POST"], "authorize_post"),
        route(TOKEN_PATH, tokens.token_endpoint, ["POST"], "token"),
        route(USERINFO_PATH, tokens.userinfo_endpoint, ["GET", "POST"], "userinfo"),
        route(JWKS_PATH, jwks, ["GET"], "jwks"),
        route(f"{CSC_PATH}/info", csc.info, ["POST"], "csc_info"),
        route(f"{CSC_PATH}/credentials/list", csc.credentials_list, ["POST"], "csc_list"),
        route(f"{CSC_PATH}/credentials/info", csc.credentials_info, ["POST"], "csc_cred_info"),
        route(f"{CSC_PATH}/signatures/signHash", csc.sign_hash, ["POST"], "csc_sign_hash"),
        route(LOGOUT_PATH, end_session, ["GET"], "logout"),
        Route(STYLESHEET_PATH, stylesheet, methods=["GET"], name="stylesheet"),
        Route("/favicon.ico", no_icon, methods=["GET"], name="favicon"),
    ]


def _signing_key(value: SigningKey | Path | str | None) -> SigningKey:
    if value is None:
        return SigningKey.generate()
    return value if isinstance(value, SigningKey) else SigningKey.from_pem_file(value)


async def discovery(provider: Provider, request: Request) -> Response:
    return JSONResponse(discovery_document(provider))


async def jwks(provider: Provider, request: Request) -> Response:
    return JSONResponse(dict(provider.key.public_jwks()))


async def stylesheet(request: Request) -> Response:
    headers = {"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(STYLESHEET, media_type="text/css", headers=headers)


async def no_icon(request: Request) -> Response:
    return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})


async def end_session(provider: Provider, request: Request) -> Response:
    """RP-initiated logout: nothing to clear here; back to the client if it registered the URI."""
    target = request.query_params.get("post_logout_redirect_uri")
    client = _logout_client(provider, request.query_params)
    if target and client and post_logout_redirect_uri_allowed(client, target):
        state = request.query_params.get("state")
        return RedirectResponse(with_query(target, {"state": state}), status_code=303)
    note = UNREGISTERED_LOGOUT_URI if target else None
    page = signed_out_page(note, stylesheet_url=str(request.url_for("stylesheet")))
    return HTMLResponse(page, status_code=400 if note else 200, headers=html_headers())


def _logout_client(provider: Provider, params: Mapping[str, str]) -> ClientRegistration | None:
    """The client named by `client_id`, or the audience of a valid `id_token_hint`."""
    hint = params.get("id_token_hint")
    claims = provider.key.verified_claims(hint) if hint else None
    hinted = claims.get("aud") if claims and claims.get("iss") == provider.issuer else None
    client_id = params.get("client_id") or hinted
    if not isinstance(client_id, str) or (hinted and hinted != client_id):
        return None
    return provider.clients.get(client_id)
