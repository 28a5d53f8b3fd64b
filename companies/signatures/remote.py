"""The state e-identity's remote signing service, from the portal's side (CSC API v2, a subset).

A founder without JavaScript, or without their e.firma files at hand, signs through the
e-identity, which holds a key for them. The portal never sees that key; it sends the founder to
the provider to approve one SHA-256 hash, and the provider signs exactly that hash, once:

1. ``signing_credential(sign_in_token)``: the founder's credential at the provider (the access
   token of their e-identity sign-in, kept in the session as ``oidc_access_token``);
   ``NoCredential`` when the provider holds no e.firma of theirs.
2. ``authorize_url(credential_id=..., digest=..., redirect_uri=..., description=...)``: where to
   send the founder's browser (the step-up: the provider shows the document's name and the hash
   and asks them to confirm). Keep ``state`` and ``code_verifier`` in the session.
3. On the callback: ``callback_code(request.GET, state=...)``, then ``exchange_code(...)``: an
   authorization for that credential and that hash only, valid a few minutes, good once.
4. ``sign_hash(authorization.access_token, credential_id=..., digest=...)``: the signature value
   (RSASSA-PKCS1-v1_5, SHA-256) with the certificate and its chain, ready to be verified by
   ``companies.signatures.verification.verify`` and embedded.

Settings (``portal/settings.py``, from the environment): ``ESIGN_REMOTE_URL`` (the service's
base, ``…/csc/v2``), ``ESIGN_REMOTE_AUTHORIZATION_ENDPOINT``, ``ESIGN_REMOTE_TOKEN_ENDPOINT``,
``ESIGN_REMOTE_CLIENT_ID``, ``ESIGN_REMOTE_CLIENT_SECRET``, ``ESIGN_REMOTE_TIMEOUT``. Every
failure is a ``RemoteSigningError`` whose ``message`` tells the founder what to do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SHA256_OID = "2.16.840.1.101.3.4.2.1"
SHA256_WITH_RSA_OID = "1.2.840.113549.1.1.11"
CREDENTIAL_SCOPE = "credential"
MAX_DESCRIPTION = 500


# -- what can go wrong, each with what to do --------------------------------------------------


class RemoteSigningError(Exception):
    """The remote signature did not happen; ``message`` tells the founder what to do.
    ``error`` and ``description`` are the service's own words (CSC/OAuth), for the logs."""

    def __init__(self, message: str | None = None, *, error: str = "", description: str = ""):
        message = message or _(
            "The e-identity's signing service refused the request. Nothing was signed: start "
            "the signature again, or sign with your e.firma files in the browser."
        )
        super().__init__(message)
        self.message = message
        self.error = error
        self.description = description


class Unavailable(RemoteSigningError):
    def __init__(self, *, error: str = "", description: str = "") -> None:
        super().__init__(
            _(
                "The e-identity's signing service does not answer right now. Nothing was "
                "signed: try again in a few minutes."
            ),
            error=error,
            description=description,
        )


class NoCredential(RemoteSigningError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "The e-identity holds no e.firma of yours, so it cannot sign for you. SAT "
                "issues the e.firma to taxpayers with an RFC: get yours at a SAT office, then "
                "sign here with it (through the e-identity, or with its .cer and .key files "
                "in the browser)."
            )
        )


class SignInAgain(RemoteSigningError):
    def __init__(self, *, error: str = "", description: str = "") -> None:
        super().__init__(
            _(
                "Your e-identity session has expired, so your e.firma cannot be found. Sign in "
                "with the e-identity again, then sign."
            ),
            error=error,
            description=description,
        )


class Cancelled(RemoteSigningError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "You cancelled the signature at the e-identity. Nothing was signed: sign "
                "again when you are ready."
            ),
            error="access_denied",
        )


class NotThisSignature(RemoteSigningError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This answer from the e-identity is not for the signature you started here. "
                "Nothing was signed: start the signature again."
            )
        )


class AuthorizationExpired(RemoteSigningError):
    def __init__(self, *, error: str = "", description: str = "") -> None:
        super().__init__(
            _(
                "Your approval at the e-identity has expired or was already used: each "
                "approval signs once, within a few minutes. Start the signature again."
            ),
            error=error,
            description=description,
        )


class NotAuthorized(RemoteSigningError):
    def __init__(self, *, error: str = "", description: str = "") -> None:
        super().__init__(
            _(
                "The e-identity refused to sign: this is not the document or the e.firma you "
                "approved. Nothing was signed: start the signature again."
            ),
            error=error,
            description=description,
        )


# -- what the functions give ------------------------------------------------------------------


@dataclass(frozen=True)
class StepUp:
    """Where to send the founder to approve one hash, and what to keep until they come back."""

    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True)
class CredentialAuthorization:
    """The provider's approval of one signature: a token for one credential and one hash."""

    access_token: str
    credential_id: str
    expires_in: int


@dataclass(frozen=True)
class CredentialInfo:
    credential_id: str
    certificate: bytes  # DER
    chain: tuple[bytes, ...]  # DER, the certificates above it: issuing authority, then root
    key_algorithms: tuple[str, ...]
    key_length: int
    auth_mode: str


@dataclass(frozen=True)
class RemoteSignature:
    signature: bytes  # RSASSA-PKCS1-v1_5 over the SHA-256 digest that was approved
    certificate: bytes  # DER, the signer's
    chain: tuple[bytes, ...]  # DER, issuing authority, then root


# -- the steps --------------------------------------------------------------------------------


def authorize_url(
    *, credential_id: str, digest: bytes, redirect_uri: str, description: str
) -> StepUp:
    """The step-up for one signature (CSC v2 ``scope=credential``): the provider shows
    ``description`` (the document's name) and the hash, and asks the founder to confirm."""
    if len(digest) != 32:
        raise ValueError("digest must be a SHA-256 digest (32 bytes).")
    verifier = secrets.token_urlsafe(48)
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    state = secrets.token_urlsafe(32)
    params = {
        "response_type": "code",
        "client_id": settings.ESIGN_REMOTE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": CREDENTIAL_SCOPE,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "credentialID": credential_id,
        "numSignatures": "1",
        "hashes": _b64url(digest),
        "hashAlgorithmOID": SHA256_OID,
        "description": description[:MAX_DESCRIPTION],
        "lang": "en" if (get_language() or "").startswith("en") else "es-MX",
    }
    endpoint = settings.ESIGN_REMOTE_AUTHORIZATION_ENDPOINT
    separator = "&" if "?" in endpoint else "?"
    return StepUp(f"{endpoint}{separator}{urlencode(params)}", state, verifier)


def callback_code(query: Mapping[str, str], *, state: str) -> str:
    """The code from the provider's answer on the callback, if it is for this step-up."""
    if not state or not secrets.compare_digest(query.get("state", ""), state):
        raise NotThisSignature()
    error = query.get("error")
    if error == "access_denied":
        raise Cancelled()
    if error or not query.get("code"):
        raise RemoteSigningError(error=error or "", description=query.get("error_description", ""))
    return query["code"]


def exchange_code(*, code: str, code_verifier: str, redirect_uri: str) -> CredentialAuthorization:
    """The code for the authorization to sign (the token request, client_secret_basic)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    auth = (settings.ESIGN_REMOTE_CLIENT_ID, settings.ESIGN_REMOTE_CLIENT_SECRET)
    response = _send(settings.ESIGN_REMOTE_TOKEN_ENDPOINT, data=data, auth=auth)
    if response.status_code == 400 and _error(response)[0] == "invalid_grant":
        raise AuthorizationExpired(error="invalid_grant", description=_error(response)[1])
    body = _answer(response)
    token, credential_id = body.get("access_token"), body.get("credentialID")
    if not isinstance(token, str) or not token or body.get("scope") != CREDENTIAL_SCOPE:
        raise RemoteSigningError(description="the token answer is not for a credential")
    expires_in = body.get("expires_in")
    return CredentialAuthorization(
        access_token=token,
        credential_id=credential_id if isinstance(credential_id, str) else "",
        expires_in=expires_in if isinstance(expires_in, int) else 0,
    )


def credentials_list(access_token: str) -> list[str]:
    """The ids of the founder's credentials (the token of their e-identity sign-in)."""
    response = _post("credentials/list", access_token, {})
    if response.status_code in (401, 403):
        raise SignInAgain(error=_error(response)[0], description=_error(response)[1])
    ids = _answer(response).get("credentialIDs")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise RemoteSigningError(description="credentialIDs is not a list of strings")
    return ids


def signing_credential(access_token: str) -> str:
    """The founder's credential to sign with, or ``NoCredential`` when they have none."""
    ids = credentials_list(access_token)
    if not ids:
        raise NoCredential()
    return ids[0]


def credentials_info(access_token: str, credential_id: str) -> CredentialInfo:
    """The credential's certificate and chain (DER), key algorithms and authorization mode."""
    body = {"credentialID": credential_id, "certificates": "chain", "certInfo": False}
    response = _post("credentials/info", access_token, body)
    if response.status_code == 401:
        raise AuthorizationExpired(error=_error(response)[0], description=_error(response)[1])
    if response.status_code in (400, 403):
        raise NotAuthorized(error=_error(response)[0], description=_error(response)[1])
    answer = _answer(response)
    cert, key, auth = answer.get("cert"), answer.get("key"), answer.get("auth")
    try:
        assert isinstance(cert, dict) and isinstance(key, dict)
        certificates = tuple(base64.b64decode(c, validate=True) for c in cert["certificates"])
        algorithms = tuple(str(a) for a in key.get("algo", ()))
        length = int(key.get("len", 0))
    except (AssertionError, KeyError, TypeError, ValueError, binascii.Error):
        raise RemoteSigningError(description="credentials/info is not CSC-shaped") from None
    if not certificates:
        raise RemoteSigningError(description="credentials/info gave no certificate")
    mode = auth.get("mode") if isinstance(auth, dict) else answer.get("authMode")
    return CredentialInfo(
        credential_id=credential_id,
        certificate=certificates[0],
        chain=certificates[1:],
        key_algorithms=algorithms,
        key_length=length,
        auth_mode=str(mode or ""),
    )


def sign_hash(access_token: str, *, credential_id: str, digest: bytes) -> RemoteSignature:
    """The signature of ``digest`` with the credential the founder approved, once, with its
    certificate and chain. ``access_token`` is the step-up's (``exchange_code``)."""
    info = credentials_info(access_token, credential_id)
    body = {
        "credentialID": credential_id,
        "hashes": [base64.b64encode(digest).decode("ascii")],
        "hashAlgorithmOID": SHA256_OID,
        "signAlgo": SHA256_WITH_RSA_OID,
    }
    response = _post("signatures/signHash", access_token, body)
    error, description = _error(response)
    if response.status_code == 401:
        raise AuthorizationExpired(error=error, description=description)
    if response.status_code in (400, 403):
        raise NotAuthorized(error=error, description=description)
    signatures = _answer(response).get("signatures")
    try:
        assert isinstance(signatures, list) and len(signatures) == 1
        signature = base64.b64decode(signatures[0], validate=True)
    except (AssertionError, TypeError, ValueError, binascii.Error):
        raise RemoteSigningError(description="signHash gave no signature") from None
    return RemoteSignature(signature=signature, certificate=info.certificate, chain=info.chain)


# -- on the wire ------------------------------------------------------------------------------


def _post(method: str, access_token: str, body: dict[str, Any]) -> httpx.Response:
    url = f"{settings.ESIGN_REMOTE_URL.rstrip('/')}/{method}"
    return _send(url, json=body, headers={"Authorization": f"Bearer {access_token}"})


def _send(url: str, **options: Any) -> httpx.Response:
    try:
        response = httpx.post(url, timeout=settings.ESIGN_REMOTE_TIMEOUT, **options)
    except httpx.HTTPError as exc:
        raise Unavailable(description=str(exc)) from exc
    if response.status_code >= 500:
        raise Unavailable(error=str(response.status_code), description=response.text[:200])
    return response


def _answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a 200 answer; any other answer is a refusal."""
    if response.status_code != 200:
        error, description = _error(response)
        raise RemoteSigningError(error=error, description=description)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RemoteSigningError(description="the answer is not a JSON object")
    return body


def _error(response: httpx.Response) -> tuple[str, str]:
    """CSC's (OAuth's) ``error`` and ``error_description``, when the answer has them."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error", "")), str(body.get("error_description", ""))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
