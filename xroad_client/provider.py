"""The provider's side: read what a Security Server forwards, answer as X-Road expects.

A provider information system (our agency API, say) receives from its Security Server
[PR-REST §4.3; ServerRestMessageProcessor]:

- REST: the consumer's headers, with ``X-Road-Client`` (every value the consumer sent; the
  Security Server acted on the last, nordic-institute/X-Road#1177), ``X-Road-Id``,
  ``X-Road-Request-Id``, and ``X-Road-UserId``, ``-Issue``, ``-Represented-Party``,
  ``-Security-Server`` when sent. ``X-Road-Service`` is not sent: the route says which service.
- SOAP: the envelope as the consumer posted it. The answer must copy the request's header
  fields, all of them, in order and unchanged [PR-MESS §2.3; #1853].

Trust ``X-Road-Client`` only when the request could have come from the Security Server alone
(mTLS or network isolation): anyone else can write the header.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote
from xml.sax.saxutils import escape

from xroad_client import headers as h
from xroad_client._xml import NS_SOAP_ENV, XMLRejected, find_child, parse_xml
from xroad_client.errors import IdentifierError, InvalidRequestError
from xroad_client.identifiers import ClientId, RepresentedParty, SecurityServerId
from xroad_client.soap.response import SoapHeader, read_header

__all__ = [
    "IncomingRest",
    "IncomingSoap",
    "last_client_value",
    "read_rest_request",
    "read_soap_request",
    "soap_fault",
    "soap_response",
]

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
_BODY: Final = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?Body(?:\s[^>]*?)?(/)?>")


def last_client_value(joined: str) -> str:
    """The last X-Road-Client value of a header a framework joined with commas (Django and
    WSGI do). A comma may also sit inside an identifier, so the last value is the shortest
    trailing run of pieces with the three slashes of INSTANCE/CLASS/MEMBER/SUBSYSTEM."""
    pieces = joined.split(",")
    for start in range(len(pieces) - 1, -1, -1):
        candidate = ",".join(pieces[start:]).strip()
        if candidate.count("/") >= 3:
            return candidate
    return joined.strip()


@dataclass(frozen=True, slots=True)
class IncomingRest:
    """The X-Road headers of a REST request, as a provider receives them.

    ``client`` is the last ``X-Road-Client`` decoded (None when absent or malformed);
    ``client_header`` is that value as sent.
    """

    client: ClientId | None
    client_header: str | None
    x_road_id: str | None
    request_id: str | None
    user_id: str | None
    issue: str | None
    represented_party: RepresentedParty | None
    security_server: SecurityServerId | None


def _by_name(headers: Headers) -> dict[str, list[str]]:
    """Every value of ``headers`` by lower-case name, read in one pass."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        values.setdefault(key.lower(), []).append(value)
    return values


def _last(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name.lower())
    return found[-1].strip() if found and found[-1].strip() else None


def _party(value: str | None) -> RepresentedParty | None:
    if value is None:
        return None
    parts = [unquote(part) for part in value.split("/")]
    try:
        if len(parts) == 1:
            return RepresentedParty(parts[0])
        if len(parts) == 2:
            return RepresentedParty(parts[1], parts[0])
    except IdentifierError:
        return None
    return None


def _server(value: str | None) -> SecurityServerId | None:
    if value is None:
        return None
    try:
        return SecurityServerId.parse(value)
    except IdentifierError:
        return None


def read_rest_request(headers: Headers) -> IncomingRest:
    """Read the X-Road headers from ``headers``: a mapping (Django's ``request.headers``,
    repeated values joined with commas) or (name, value) pairs (ASGI, WSGI environ pairs)."""
    values = _by_name(headers)
    raw = _last(values, h.X_ROAD_CLIENT)
    if raw is not None and isinstance(headers, Mapping):
        raw = last_client_value(raw)
    try:
        client = None if raw is None else ClientId.decode(raw)
    except IdentifierError:
        client = None
    return IncomingRest(
        client=client,
        client_header=raw,
        x_road_id=_last(values, h.X_ROAD_ID),
        request_id=_last(values, h.X_ROAD_REQUEST_ID),
        user_id=_last(values, h.X_ROAD_USER_ID),
        issue=_last(values, h.X_ROAD_ISSUE),
        represented_party=_party(_last(values, h.X_ROAD_REPRESENTED_PARTY)),
        security_server=_server(_last(values, h.X_ROAD_SECURITY_SERVER)),
    )


@dataclass(frozen=True, slots=True)
class IncomingSoap:
    """A SOAP request as a provider receives it: its X-Road header and its body element."""

    header: SoapHeader
    body: ET.Element
    envelope: bytes


def read_soap_request(envelope: bytes) -> IncomingSoap:
    """Parse a SOAP 1.1 request (defusedxml: no DTDs, no entities); a malformed one raises
    :class:`InvalidRequestError`."""
    try:
        root = parse_xml(envelope)
    except XMLRejected as exc:
        raise InvalidRequestError(f"not a well-formed SOAP request: {exc}") from exc
    body = find_child(root, NS_SOAP_ENV, "Body")
    if root.tag != f"{{{NS_SOAP_ENV}}}Envelope" or body is None:
        raise InvalidRequestError("not a SOAP 1.1 Envelope with a Body")
    elements = [child for child in body if isinstance(child.tag, str)]
    if len(elements) != 1:
        raise InvalidRequestError("the SOAP Body must hold exactly one element")
    try:
        header = read_header(find_child(root, NS_SOAP_ENV, "Header"))
    except IdentifierError as exc:
        raise InvalidRequestError(f"malformed X-Road header: {exc}") from exc
    return IncomingSoap(header, elements[0], envelope)


def _with_body(request: bytes, body_xml: str) -> bytes:
    """The request envelope, byte for byte, with its Body's content replaced."""
    opening = _BODY.search(request)
    if opening is None:
        raise InvalidRequestError("the SOAP request has no Body")
    prefix = opening.group(1) + b":" if opening.group(1) else b""
    if opening.group(2):  # <SOAP-ENV:Body/>
        start = opening.start()
        open_tag = request[start : opening.end() - 2].rstrip() + b">"
        return (
            request[:start]
            + open_tag
            + body_xml.encode()
            + b"</"
            + prefix
            + b"Body>"
            + request[opening.end() :]
        )
    closing = request.rfind(b"</" + prefix + b"Body")
    if closing < opening.end():
        raise InvalidRequestError("the SOAP request's Body is not closed")
    return request[: opening.end()] + body_xml.encode("utf-8") + request[closing:]


def soap_response(request: bytes, body_xml: str) -> bytes:
    """The answer to a SOAP request: its envelope and header copied unchanged (every field,
    in order, as X-Road requires), with ``body_xml`` (the ``{operation}Response`` element) as
    the Body. The request's Security Server adds ``requestHash`` on the way back."""
    return _with_body(request, body_xml)


def soap_fault(request: bytes, code: str, message: str) -> bytes:
    """A SOAP 1.1 Fault answering ``request`` (header copied). Use it for technical errors;
    business errors are regular answers with an error field [PR-MESS §3.2]."""
    opening = _BODY.search(request)
    prefix = opening.group(1).decode("ascii") if opening and opening.group(1) else None
    # faultcode and faultstring are unqualified, whatever the envelope's default namespace
    tag, end = (
        (f"{prefix}:Fault", f"{prefix}:Fault")
        if prefix
        else (
            f'fault:Fault xmlns:fault="{NS_SOAP_ENV}"',
            "fault:Fault",
        )
    )
    fault = (
        f'<{tag}><faultcode xmlns="">{escape(code)}</faultcode>'
        f'<faultstring xmlns="">{escape(message)}</faultstring></{end}>'
    )
    return _with_body(request, fault)
