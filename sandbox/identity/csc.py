"""The remote signing service: a subset of the Cloud Signature Consortium API v2 under /csc/v2.

    POST /csc/v2/info                  what the service is and which methods it offers
    POST /csc/v2/credentials/list      the signed-in person's credential ids
    POST /csc/v2/credentials/info      a credential's certificate (chain), key and auth mode
    POST /csc/v2/signatures/signHash   RSASSA-PKCS1-v1_5 signatures of SHA-256 hashes

`credentials/list` and `credentials/info` take the person's access token from the sign-in
(`Authorization: Bearer`). `signatures/signHash` takes only a token from the step-up
(`/authorize` with `scope=credential`, see :mod:`sandbox.identity.authorize`): it is bound to one
credential and exactly the hashes the person saw, works once and lives five minutes. Errors are
CSC's (and OAuth's) JSON: `{"error": ..., "error_description": ...}`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.identity.authorize import SHA256_OID
from sandbox.identity.credentials import Credential
from sandbox.identity.memory import Grant
from sandbox.identity.oauth import NO_STORE, OAuthError, invalid_request
from sandbox.identity.provider import Provider
from sandbox.identity.tokens import REALM, bearer_token

SPECS = "2.0.0.2"
RSA_ENCRYPTION_OID = "1.2.840.113549.1.1.1"
SHA256_WITH_RSA_OID = "1.2.840.113549.1.1.11"
SIGN_ALGORITHMS = (SHA256_WITH_RSA_OID, RSA_ENCRYPTION_OID)
METHODS = (
    "info",
    "credentials/list",
    "credentials/info",
    "signatures/signHash",
    "oauth2/authorize",
)
MAX_BODY_BYTES = 64 * 1024


async def info(provider: Provider, request: Request) -> Response:
    await _json_body(request, allow_empty=True)
    return JSONResponse(
        {
            "specs": SPECS,
            "name": "Firma electrónica remota de Querétaro (entorno de prueba)",
            "logo": provider.endpoint("/favicon.ico"),
            "region": "MX",
            "lang": "es-MX",
            "description": "Sandbox remote signing with the demo people's e.firma "
            "(fictitious, development only).",
            "authType": ["oauth2code"],
            "oauth2": provider.issuer,
            "oauth2Issuer": provider.issuer,
            "methods": list(METHODS),
            "signAlgorithms": {"algos": list(SIGN_ALGORITHMS)},
        },
        headers=NO_STORE,
    )


async def credentials_list(provider: Provider, request: Request) -> Response:
    body = await _json_body(request, allow_empty=True)
    grant = _person_grant(provider, request)
    credentials = provider.credentials.for_person(grant.identity.curp)
    answer: dict[str, Any] = {
        "credentialIDs": [c.credential_id for c in credentials],
        "onlyValid": True,
    }
    if _flag(body, "credentialInfo"):
        answer["credentialInfos"] = [
            {"credentialID": c.credential_id, **_credential_info(c, body)} for c in credentials
        ]
    return JSONResponse(answer, headers=NO_STORE)


async def credentials_info(provider: Provider, request: Request) -> Response:
    body = await _json_body(request)
    credential_id = _string(body, "credentialID")
    scope_grant = provider.memory.access_grant(bearer_token(request))
    if scope_grant is None:
        raise _invalid_token()
    if scope_grant.request.credential is not None:  # a step-up token: its own credential only
        mine = scope_grant.request.credential.credential_id == credential_id
    else:
        owned = provider.credentials.for_person(scope_grant.identity.curp)
        mine = any(c.credential_id == credential_id for c in owned)
    credential = provider.credentials.get(credential_id)
    if credential is None or not mine:
        raise invalid_request("Invalid parameter credentialID.")
    return JSONResponse(_credential_info(credential, body), headers=NO_STORE)


async def sign_hash(provider: Provider, request: Request) -> Response:
    body = await _json_body(request)
    credential_id = _string(body, "credentialID")
    hashes = _hashes(body)
    if _string(body, "hashAlgorithmOID") != SHA256_OID:
        raise invalid_request(f"Invalid parameter hashAlgorithmOID: only {SHA256_OID} (SHA-256).")
    if _string(body, "signAlgo") not in SIGN_ALGORITHMS:
        raise invalid_request(
            f"Invalid parameter signAlgo: {SHA256_WITH_RSA_OID} or {RSA_ENCRYPTION_OID}."
        )
    grant = _spent_credential_grant(provider, request)
    authorized = grant.request.credential
    assert authorized is not None
    if credential_id != authorized.credential_id:
        raise invalid_request(
            "Invalid parameter credentialID: the authorization is for another credential."
        )
    if sorted(hashes) != sorted(authorized.hashes):
        raise invalid_request(
            "Invalid parameter hashes: they are not the hashes the signer authorized."
        )
    credential = provider.credentials.get(credential_id)
    if credential is None or credential.curp != grant.identity.curp:
        raise invalid_request("Invalid parameter credentialID.")
    signatures = [_b64(credential.sign_digest(digest)) for digest in hashes]
    return JSONResponse({"signatures": signatures}, headers=NO_STORE)


def _credential_info(credential: Credential, body: dict[str, Any]) -> dict[str, Any]:
    certificates = body.get("certificates", "single")
    if certificates not in ("none", "single", "chain"):
        raise invalid_request("Invalid parameter certificates: none, single or chain.")
    certificate = credential.certificate
    chosen = {"none": (), "single": credential.chain[:1], "chain": credential.chain}[certificates]
    cert: dict[str, Any] = {
        "status": "valid",
        "certificates": [_b64(c.public_bytes(serialization.Encoding.DER)) for c in chosen],
    }
    if _flag(body, "certInfo"):
        cert.update(
            {
                "issuerDN": certificate.issuer.rfc4514_string(),
                "subjectDN": certificate.subject.rfc4514_string(),
                "serialNumber": format(certificate.serial_number, "x"),
                "validFrom": certificate.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                "validTo": certificate.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
            }
        )
    return {
        "description": "e.firma (SAT, entorno de prueba)",
        "key": {"status": "enabled", "algo": list(SIGN_ALGORITHMS), "len": 2048},
        "cert": cert,
        "auth": {"mode": "oauth2code"},
        "authMode": "oauth2code",  # the name CSC API v1 gave it, for clients written to v1
        "SCAL": "2",
        "multisign": 1,
        "lang": "es-MX",
    }


def _person_grant(provider: Provider, request: Request) -> Grant:
    """The grant of the person's sign-in token (not of a step-up token)."""
    grant = provider.memory.access_grant(bearer_token(request))
    if grant is None:
        raise _invalid_token()
    if grant.request.credential is not None:
        raise OAuthError(
            "insufficient_scope",
            "A token for one signature does not list credentials: use the sign-in token.",
            status=403,
        )
    return grant


def _spent_credential_grant(provider: Provider, request: Request) -> Grant:
    """The step-up grant behind the bearer token, which this use spends."""
    token = bearer_token(request)
    grant = provider.memory.access_grant(token)
    if grant is not None and grant.request.credential is None:
        raise OAuthError(
            "insufficient_scope",
            "signatures/signHash needs the token of a scope=credential authorization.",
            status=403,
        )
    if provider.memory.token_expired(token):
        provider.memory.spend_access_token(token)
        raise _invalid_token("The access token has expired: authorize again.")
    spent = provider.memory.spend_access_token(token)
    if spent is None:
        raise _invalid_token()
    return spent


def _invalid_token(
    description: str = "The access token is unknown, expired or already used.",
) -> OAuthError:
    header = f'Bearer realm="{REALM}", error="invalid_token"'
    return OAuthError(
        "invalid_token", description, status=401, headers={"WWW-Authenticate": header}
    )


async def _json_body(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise invalid_request(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    if not raw.strip() and allow_empty:
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise invalid_request("The body must be application/json.")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid_request("The body is not JSON.") from exc
    if not isinstance(body, dict):
        raise invalid_request("The body must be a JSON object.")
    return body


def _string(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_request(f"Missing (or invalid type) string parameter {name}.")
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise invalid_request(f"Invalid type of parameter {name}: a boolean.")
    return value


def _hashes(body: dict[str, Any]) -> list[bytes]:
    values = body.get("hashes")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise invalid_request("Missing (or invalid type) array parameter hashes.")
    digests = []
    for value in values:
        try:
            digest = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != 32:
            raise invalid_request("Invalid parameter hashes: each one is 32 bytes, base64.")
        digests.append(digest)
    return digests


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
