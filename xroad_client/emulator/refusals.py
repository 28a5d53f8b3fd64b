"""How the emulated Security Server says no: REST error bodies and SOAP faults."""

from __future__ import annotations

import json
import uuid
from typing import Final
from xml.sax.saxutils import escape

from xroad_client import headers as h
from xroad_client._xml import NS_SOAP_ENV
from xroad_client.codes import ErrorSpelling, FaultCode
from xroad_client.emulator._asgi import Response

__all__ = [
    "Refusal",
    "error_content_type",
    "rest_error_response",
    "soap_fault_response",
    "wants_xml",
]

_XML_ACCEPTS: Final = ("text/xml", "application/xml", "text/*")


class Refusal(Exception):
    """A Security Server error: ``code`` in 7.7 spelling, rendered in the configured one."""

    def __init__(self, code: FaultCode | str, message: str) -> None:
        self.code = code if isinstance(code, FaultCode) else FaultCode(code)
        self.message = message
        self.detail = str(uuid.uuid4())
        super().__init__(f"{self.code}: {message}")

    def spelled(self, spelling: ErrorSpelling) -> str:
        return self.code.spelled(spelling)

    @property
    def http_status(self) -> int:
        """500 for ``Server.*`` codes, 400 otherwise (as ClientRestMessageHandler does)."""
        return 500 if self.code.startswith("Server") else 400


def error_content_type(accept_values: list[str]) -> str:
    """The media type of a REST error body, chosen from the request's Accept headers.

    As a real Security Server decides it (ClientRestMessageHandler
    ``decideErrorResponseContentType``): the first ``text/xml``, ``application/xml`` or
    ``text/*`` anywhere in Accept wins, whatever its ``q`` and whatever comes before it;
    ``text/*`` answers ``text/xml``; everything else (``+xml`` types too) answers JSON.
    """
    for value in accept_values:
        for item in value.split(","):
            kind = item.split(";", 1)[0].strip().lower()
            if kind in _XML_ACCEPTS:
                return "text/xml" if kind == "text/*" else kind
    return "application/json"


def wants_xml(accept: str | None) -> bool:
    return error_content_type([accept or ""]) != "application/json"


def rest_error_response(
    refusal: Refusal, spelling: ErrorSpelling, accept_values: list[str]
) -> Response:
    code = refusal.spelled(spelling)
    media = error_content_type(accept_values)
    if media != "application/json":
        body = (
            f"<error><type>{escape(code)}</type><message>{escape(refusal.message)}</message>"
            f"<detail>{refusal.detail}</detail></error>"
        ).encode()
    else:
        data = {"type": code, "message": refusal.message, "detail": refusal.detail}
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    headers = [("content-type", f"{media}; charset=UTF-8"), (h.X_ROAD_ERROR.lower(), code)]
    return Response(refusal.http_status, headers, body)


def soap_fault_response(refusal: Refusal, spelling: ErrorSpelling) -> Response:
    """A SOAP 1.1 Fault sent with HTTP 200, as Security Servers do."""
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{NS_SOAP_ENV}"><SOAP-ENV:Body><SOAP-ENV:Fault>'
        f"<faultcode>{escape(refusal.spelled(spelling))}</faultcode>"
        f"<faultstring>{escape(refusal.message)}</faultstring><faultactor></faultactor>"
        f'<detail><faultDetail xmlns="">{refusal.detail}</faultDetail></detail>'
        "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    return Response(200, [("content-type", "text/xml; charset=UTF-8")], envelope.encode())
