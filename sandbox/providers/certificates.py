"""Certificate status of e.firma (SAT stand-in): OCSP answers (RFC 6960) over X-Road.

X-Road: `MX-DEV/GOV/SAT/padron`, service `certificados`. SAT offers its OCSP responder to
government agencies under agreement; here it is a service of the tax registry's subsystem. The
certificates are those of the sandbox authority in :mod:`sandbox.efirma` (its folder, made on
first start). The body is an OCSPRequest in DER (RFC 6960, appendix A.1: HTTP POST), the answer
an OCSPResponse in DER, ``malformedRequest`` included: OCSP says what went wrong in its own words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox import efirma
from sandbox.providers.http import RegistryError, error_reply, openapi_document, registry_app

OCSP_REQUEST = "application/ocsp-request"
OCSP_RESPONSE = "application/ocsp-response"
MAX_REQUEST_BYTES = 16_384


def create_app(data_dir: Path | str | None = None, *, folder: Path | None = None) -> Starlette:
    """The responder of the authority kept in ``folder`` (default ``efirma.default_folder()``).

    ``data_dir`` (the seed files of the other registries) is accepted like every provider's; the
    certificates are not seed data but files made on first start."""
    authority = efirma.load_or_create(folder)

    async def status(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != OCSP_REQUEST:
            message = f"Send a DER-encoded OCSPRequest as {OCSP_REQUEST}."
            raise RegistryError(415, "unsupported_media_type", message)
        body = await request.body()
        if len(body) > MAX_REQUEST_BYTES:
            message = f"An OCSPRequest is at most {MAX_REQUEST_BYTES} bytes."
            raise RegistryError(413, "request_too_large", message)
        return Response(efirma.ocsp_answer(authority, body), media_type=OCSP_RESPONSE)

    return registry_app([Route("/v1/ocsp", status, methods=["POST"])], OPENAPI)


def _binary(media_type: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }


OPENAPI = openapi_document(
    title="Estado de certificados de e.firma (sandbox)",
    description="OCSP (RFC 6960) for the e.firma certificates of the sandbox SAT authority.",
    paths={
        "/v1/ocsp": {
            "post": {
                "operationId": "certificateStatus",
                "summary": "Whether a certificate is good, revoked (and since when) or unknown",
                "requestBody": {"required": True, **_binary(OCSP_REQUEST, "An OCSPRequest.")},
                "responses": {
                    "200": _binary(
                        OCSP_RESPONSE,
                        "An OCSPResponse signed by the issuing authority, or an unsigned "
                        "malformedRequest for bytes that are not a request.",
                    ),
                    "413": error_reply("Body over 16 KB (request_too_large)."),
                    "415": error_reply("Not application/ocsp-request (unsupported_media_type)."),
                },
            }
        },
    },
    schemas={},
)
