"""`GET /authorize` shows the identity picker; `POST /authorize` turns a choice into a code.

Until the client and its redirect URI are known to be good, problems are shown to the
person as a page; after that they go back to the client as `error=...` on the redirect URI
(RFC 6749 section 4.1.2.1). The picker's form carries a single-use token that is kept in
memory and bound to a cookie of the browser that asked, so no other site can post it.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping

from cryptography.x509.oid import NameOID
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sandbox.efirma import serial_digits
from sandbox.identity import pkce
from sandbox.identity.clients import redirect_uri_allowed
from sandbox.identity.memory import AuthorizationRequest, CredentialAuthorization, Grant
from sandbox.identity.models import ClientRegistration, Identity
from sandbox.identity.oauth import OAuthError, read_form, single_values
from sandbox.identity.pages import (
    Message,
    Picker,
    SigningRequest,
    html_headers,
    origin_of,
    picker_page,
    signing_page,
)
from sandbox.identity.provider import (
    CREDENTIAL_SCOPE,
    PROMPTS,
    Provider,
    error_page_response,
    with_query,
)

SHA256_OID = "2.16.840.1.101.3.4.2.1"
MAX_DESCRIPTION = 500
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")

BROWSER_COOKIE = "sandbox_idp_browser"

BAD_REQUEST = Message("Solicitud de inicio de sesión no válida", "Invalid sign-in request")
NO_CHOICE = Message(
    "Elige una de las identidades de prueba para continuar.",
    "Choose one of the test identities to continue.",
)
STALE_FORM = Message(
    "Este formulario ya se usó, caducó (10 minutos) o no salió de esta página. "
    "Vuelve a la aplicación e inicia sesión de nuevo.",
    "This form was already used, has expired (10 minutes) or was not issued to this "
    "browser. Go back to the application and sign in again.",
)


class PageError(Exception):
    """A problem shown to the person, since there is no trustworthy redirect URI."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


class RedirectError(Exception):
    """A problem sent back to the client on its redirect URI."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


async def show_picker(provider: Provider, request: Request) -> Response:
    try:
        params = _query_parameters(request)
        client, redirect_uri = _client_and_redirect_uri(provider, params)
    except PageError as exc:
        return error_page_response(request, BAD_REQUEST, exc.message)
    state = params.get("state") or None
    try:
        authorization = _authorization_request(provider, client, redirect_uri, params)
    except RedirectError as exc:
        return _error_redirect(provider, redirect_uri, exc.error, exc.description, state)
    if "none" in params.get("prompt", "").split():
        description = "The sandbox keeps no session: every sign-in shows the picker."
        return _error_redirect(provider, redirect_uri, "login_required", description, state)
    return _new_picker(provider, request, authorization)


async def choose_identity(provider: Provider, request: Request) -> Response:
    try:
        form = await read_form(request)
    except OAuthError as exc:
        return error_page_response(request, BAD_REQUEST, Message(exc.description, exc.description))
    form_token = form.get("form_token", "")
    browser = request.cookies.get(BROWSER_COOKIE, "")
    authorization = provider.memory.pending_request(form_token, browser=browser)
    if authorization is None:
        return error_page_response(request, BAD_REQUEST, STALE_FORM)
    if form.get("action") == "cancel":
        provider.memory.close_form(form_token)
        description = "The person cancelled the sign-in."
        return _error_redirect(
            provider, authorization.redirect_uri, "access_denied", description, authorization.state
        )
    if authorization.credential is not None:  # the step-up: the holder confirmed
        identity = _holder(provider, authorization.credential.credential_id)
        if identity is None:
            provider.memory.close_form(form_token)
            return error_page_response(request, BAD_REQUEST, STALE_FORM)
    else:
        identity = provider.identity(form.get("curp", ""))
    if identity is None:
        picker = _picker(request, authorization, form_token, error=NO_CHOICE)
        return _picker_response(provider, request, picker, status_code=400)
    provider.memory.close_form(form_token)
    code = provider.memory.issue_code(Grant(authorization, identity, provider.memory.clock()))
    return _code_redirect(provider, authorization, code)


def _query_parameters(request: Request) -> dict[str, str]:
    try:
        return single_values(request.query_params.multi_items())
    except OAuthError as exc:
        raise PageError(Message(exc.description, exc.description)) from exc


def _client_and_redirect_uri(
    provider: Provider, params: Mapping[str, str]
) -> tuple[ClientRegistration, str]:
    client_id = params.get("client_id", "")
    client = provider.clients.get(client_id)
    if client is None:
        raise PageError(
            Message(
                f"La aplicación {client_id!r} no está registrada en este proveedor de identidad.",
                f"No client is registered as {client_id!r}.",
            )
        )
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_allowed(client, redirect_uri):
        raise PageError(
            Message(
                f"La dirección de retorno {redirect_uri!r} no está registrada para {client.label}.",
                f"The redirect_uri {redirect_uri!r} is not registered for {client.client_id}.",
            )
        )
    return client, redirect_uri


def _authorization_request(
    provider: Provider, client: ClientRegistration, redirect_uri: str, params: Mapping[str, str]
) -> AuthorizationRequest:
    if params.get("response_type") != "code":
        raise RedirectError("unsupported_response_type", "Only response_type=code is supported.")
    scopes = params.get("scope", "").split()
    if CREDENTIAL_SCOPE in scopes:
        return _credential_request(provider, client, redirect_uri, params)
    if "openid" not in scopes:
        raise RedirectError("invalid_scope", "The scope must contain 'openid'.")
    _require_pkce(params)
    _check_prompt_and_max_age(params)
    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        scope=params["scope"],
        state=_required(params, "state"),
        nonce=_required(params, "nonce"),
        code_challenge=params["code_challenge"],
        login_hint=params.get("login_hint") or None,
    )


def _credential_request(
    provider: Provider, client: ClientRegistration, redirect_uri: str, params: Mapping[str, str]
) -> AuthorizationRequest:
    """CSC API v2's OAuth 2.0 authorization for a credential: `scope=credential` with
    `credentialID`, `numSignatures` and the base64url `hashes` (comma separated) it allows."""
    if params.get("scope", "").split() != [CREDENTIAL_SCOPE]:
        raise RedirectError("invalid_scope", "scope=credential goes alone.")
    _require_pkce(params)
    _check_prompt_and_max_age(params)
    credential_id = _required(params, "credentialID")
    if _holder(provider, credential_id) is None:
        raise RedirectError("invalid_request", "Invalid parameter credentialID.")
    if params.get("numSignatures") != "1":
        raise RedirectError("invalid_request", "numSignatures must be 1: one hash, one signature.")
    if params.get("hashAlgorithmOID") != SHA256_OID:
        raise RedirectError("invalid_request", f"hashAlgorithmOID must be {SHA256_OID} (SHA-256).")
    hashes = tuple(_digest(value) for value in _required(params, "hashes").split(","))
    if len(hashes) != 1:
        raise RedirectError("invalid_request", "hashes must hold numSignatures hashes.")
    description = params.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        raise RedirectError(
            "invalid_request", f"description is longer than {MAX_DESCRIPTION} characters."
        )
    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        scope=CREDENTIAL_SCOPE,
        state=_required(params, "state"),
        nonce=params.get("nonce") or None,
        code_challenge=params["code_challenge"],
        credential=CredentialAuthorization(credential_id, hashes, SHA256_OID, description),
    )


def _digest(value: str) -> bytes:
    """One base64url SHA-256 digest (padding optional)."""
    digest = b""
    if _BASE64URL.match(value):
        try:
            digest = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            digest = b""
    if len(digest) != 32:
        raise RedirectError(
            "invalid_request", "Invalid parameter hashes: each one is 32 bytes, base64url."
        )
    return digest


def _holder(provider: Provider, credential_id: str) -> Identity | None:
    credential = provider.credentials.get(credential_id)
    return provider.identity(credential.curp) if credential is not None else None


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise RedirectError("invalid_request", f"The parameter {name!r} is required.")
    return value


def _require_pkce(params: Mapping[str, str]) -> None:
    challenge = params.get("code_challenge", "")
    method = params.get("code_challenge_method", "")
    if not challenge:
        raise RedirectError(
            "invalid_request",
            "PKCE is required: send code_challenge and code_challenge_method=S256.",
        )
    if method != pkce.METHOD:
        raise RedirectError("invalid_request", "code_challenge_method must be S256.")
    if not pkce.challenge_is_well_formed(challenge):
        raise RedirectError(
            "invalid_request", "code_challenge must be 43 base64url characters (S256)."
        )


def _check_prompt_and_max_age(params: Mapping[str, str]) -> None:
    prompts = params.get("prompt", "").split()
    if any(prompt not in PROMPTS for prompt in prompts):
        raise RedirectError("invalid_request", f"prompt must be among {', '.join(PROMPTS)}.")
    if "none" in prompts and len(prompts) > 1:
        raise RedirectError("invalid_request", "prompt=none cannot be combined with others.")
    max_age = params.get("max_age")
    if max_age is not None and not max_age.isdigit():
        raise RedirectError("invalid_request", "max_age must be a number of seconds.")


def _new_picker(
    provider: Provider, request: Request, authorization: AuthorizationRequest
) -> Response:
    browser = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(32)
    form_token = provider.memory.open_form(authorization, browser=browser)
    if authorization.credential is not None:
        response = _signing_response(provider, request, authorization, form_token)
    else:
        response = _picker_response(provider, request, _picker(request, authorization, form_token))
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        path=request.url_for("authorize").path,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


def _picker(
    request: Request,
    authorization: AuthorizationRequest,
    form_token: str,
    *,
    error: Message | None = None,
) -> Picker:
    hint = authorization.login_hint
    return Picker(
        client_label=authorization.client.label,
        redirect_uri=authorization.redirect_uri,
        form_token=form_token,
        action_url=str(request.url_for("authorize_post")),
        preselected_curp=hint.strip().upper() if hint else None,
        error=error,
    )


def _picker_response(
    provider: Provider, request: Request, picker: Picker, *, status_code: int = 200
) -> HTMLResponse:
    stylesheet = str(request.url_for("stylesheet"))
    page = picker_page(picker, provider.identities, stylesheet_url=stylesheet)
    headers = html_headers(form_targets=[origin_of(picker.redirect_uri)])
    return HTMLResponse(page, status_code=status_code, headers=headers)


def _signing_response(
    provider: Provider, request: Request, authorization: AuthorizationRequest, form_token: str
) -> HTMLResponse:
    wanted = authorization.credential
    assert wanted is not None
    credential = provider.credentials.get(wanted.credential_id)
    holder = _holder(provider, wanted.credential_id)
    assert credential is not None and holder is not None  # checked with the request
    issuer = credential.certificate.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    signing = SigningRequest(
        client_label=authorization.client.label,
        redirect_uri=authorization.redirect_uri,
        form_token=form_token,
        action_url=str(request.url_for("authorize_post")),
        document=wanted.description,
        digest=wanted.hashes[0],
        holder_name=holder.name,
        holder_curp=holder.curp,
        certificate_serial=serial_digits(credential.certificate.serial_number),
        certificate_issuer=str(issuer[0].value) if issuer else "",
        certificate_valid_until=credential.certificate.not_valid_after_utc.date().isoformat(),
    )
    page = signing_page(signing, stylesheet_url=str(request.url_for("stylesheet")))
    headers = html_headers(form_targets=[origin_of(authorization.redirect_uri)])
    return HTMLResponse(page, headers=headers)


def _code_redirect(
    provider: Provider, authorization: AuthorizationRequest, code: str
) -> RedirectResponse:
    params = {"code": code, "state": authorization.state, "iss": provider.issuer}
    return RedirectResponse(with_query(authorization.redirect_uri, params), status_code=303)


def _error_redirect(
    provider: Provider, redirect_uri: str, error: str, description: str, state: str | None
) -> RedirectResponse:
    params = {
        "error": error,
        "error_description": description,
        "state": state,
        "iss": provider.issuer,
    }
    return RedirectResponse(with_query(redirect_uri, params), status_code=303)
