"""Interpret X-Road SOAP responses: faults (whatever the HTTP status), header, requestHash."""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Final

from xroad_client._http import RawResponse, media_type
from xroad_client._xml import NS_SOAP_ENV, NS_XRD, XMLRejected, find_child, parse_xml, text_of
from xroad_client.errors import (
    IdentifierError,
    InconsistentResponseError,
    InvalidResponseError,
    RequestHashMismatchError,
    XRoadFault,
    fault_from_code,
)
from xroad_client.identifiers import ClientId, ServiceId
from xroad_client.soap.ids import client_id_from_xml, service_id_from_xml

__all__ = [
    "HASH_ALGORITHMS",
    "SHA512",
    "Expected",
    "SoapHeader",
    "SoapResponse",
    "interpret_soap",
    "read_header",
    "request_hash",
    "soap_part",
]

SHA512: Final = "http://www.w3.org/2001/04/xmlenc#sha512"
HASH_ALGORITHMS: Final = {
    SHA512: "sha512",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
}
_XML_TYPES: Final = ("text/xml", "application/xml", "application/xop+xml")


def request_hash(sent: bytes, algorithm: str = SHA512) -> str:
    """base64 digest of the exact request bytes, as a Security Server puts in requestHash."""
    name = HASH_ALGORITHMS.get(algorithm)
    if name is None:
        raise ValueError(f"unsupported requestHash algorithm {algorithm!r}")
    return base64.b64encode(hashlib.new(name, sent).digest()).decode("ascii")


@dataclass(frozen=True, slots=True)
class SoapHeader:
    """The X-Road header fields of a SOAP message (all optional on read)."""

    client: ClientId | None = None
    service: ServiceId | None = None
    id: str | None = None
    user_id: str | None = None
    issue: str | None = None
    protocol_version: str | None = None
    request_hash: str | None = None
    request_hash_algorithm: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class SoapResponse:
    """A SOAP answer: ``body`` is the response wrapper element (first child of Body)."""

    status: int
    content: bytes
    header: SoapHeader
    body: ET.Element
    envelope: ET.Element

    @property
    def x_road_id(self) -> str | None:
        return self.header.id


def _invalid(raw: RawResponse, message: str, x_road_id: str | None) -> InvalidResponseError:
    return InvalidResponseError(
        f"{message} (HTTP {raw.status}, {raw.media_type or 'no content type'})",
        http_status=raw.status,
        content_type=raw.content_type,
        x_road_id=x_road_id,
    )


def soap_part(content: bytes, content_type: str) -> bytes:
    """The SOAP part: the body itself, or the first part of a multipart/related message."""
    if media_type(content_type) != "multipart/related":
        return content
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + content)
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and media_type(part.get_content_type()) in _XML_TYPES:
            return payload
        break
    raise ValueError("multipart response has no XML root part")


def _parse_envelope(raw: RawResponse, x_road_id: str | None) -> ET.Element:
    if raw.media_type not in (*_XML_TYPES, "multipart/related"):
        raise _invalid(raw, "SOAP response is not XML", x_road_id)
    try:
        root = parse_xml(soap_part(raw.content, raw.content_type))
    except (XMLRejected, ValueError) as exc:
        raise _invalid(
            raw, f"SOAP response is not safe, well-formed XML: {exc}", x_road_id
        ) from exc
    if root.tag != f"{{{NS_SOAP_ENV}}}Envelope":
        raise _invalid(raw, f"root element is {root.tag!r}, not a SOAP 1.1 Envelope", x_road_id)
    return root


def _fault(fault: ET.Element, raw: RawResponse, x_road_id: str | None) -> XRoadFault:
    detail_element = find_child(fault, None, "detail")
    detail = None
    if detail_element is not None:
        detail = text_of(find_child(detail_element, None, "faultDetail")) or text_of(detail_element)
    return fault_from_code(
        text_of(find_child(fault, None, "faultcode")) or "Server",
        text_of(find_child(fault, None, "faultstring")) or "",
        detail or None,
        x_road_id=x_road_id,
        http_status=raw.status,
        actor=text_of(find_child(fault, None, "faultactor")) or None,
    )


def read_header(header: ET.Element | None) -> SoapHeader:
    """The X-Road fields of a SOAP Header element (an absent one gives empty fields)."""
    if header is None:
        return SoapHeader()
    client = find_child(header, NS_XRD, "client")
    service = find_child(header, NS_XRD, "service")
    hash_element = find_child(header, NS_XRD, "requestHash")
    return SoapHeader(
        client=None if client is None else client_id_from_xml(client),
        service=None if service is None else service_id_from_xml(service),
        id=text_of(find_child(header, NS_XRD, "id")),
        user_id=text_of(find_child(header, NS_XRD, "userId")),
        issue=text_of(find_child(header, NS_XRD, "issue")),
        protocol_version=text_of(find_child(header, NS_XRD, "protocolVersion")),
        request_hash="".join((text_of(hash_element) or "").split()) or None,
        request_hash_algorithm=None if hash_element is None else hash_element.get("algorithmId"),
    )


def _check_hash(header: SoapHeader, sent: bytes, x_road_id: str | None) -> None:
    if header.request_hash is None:
        raise RequestHashMismatchError("SOAP response carries no requestHash", x_road_id=x_road_id)
    algorithm = header.request_hash_algorithm or SHA512
    try:
        expected = request_hash(sent, algorithm)
    except ValueError as exc:
        raise RequestHashMismatchError(str(exc), x_road_id=x_road_id) from exc
    if header.request_hash != expected:
        raise RequestHashMismatchError(
            "SOAP response requestHash does not match the SHA-512 of the request we sent",
            x_road_id=x_road_id,
        )


@dataclass(frozen=True, slots=True)
class Expected:
    """What the response header must echo: our message id, client and service."""

    message_id: str | None = None
    client: ClientId | None = None
    service: ServiceId | None = None


def _check_echo(header: SoapHeader, expected: Expected) -> None:
    pairs = (
        ("id", expected.message_id, header.id),
        ("client", expected.client, header.client),
        ("service", expected.service, header.service),
    )
    for field, wanted, got in pairs:
        if wanted is not None and got != wanted:
            raise InconsistentResponseError(
                f"SOAP response header {field} is {got!r}, the request sent {wanted!r}",
                x_road_id=expected.message_id,
            )


NOTHING_EXPECTED: Final = Expected()


def interpret_soap(
    raw: RawResponse,
    *,
    sent: bytes | None,
    expected: Expected = NOTHING_EXPECTED,
) -> SoapResponse:
    """Parse a SOAP answer; raise the fault it carries whatever the HTTP status.

    With ``sent`` (the exact bytes POSTed) the ``requestHash`` must be their digest.
    """
    x_road_id = expected.message_id
    envelope = _parse_envelope(raw, x_road_id)
    body = find_child(envelope, NS_SOAP_ENV, "Body")
    if body is None:
        raise _invalid(raw, "SOAP envelope has no Body", x_road_id)
    fault = find_child(body, NS_SOAP_ENV, "Fault")
    if fault is not None:
        raise _fault(fault, raw, x_road_id)
    try:
        header = read_header(find_child(envelope, NS_SOAP_ENV, "Header"))
    except IdentifierError as exc:
        raise _invalid(raw, f"SOAP header identifiers are malformed: {exc}", x_road_id) from exc
    _check_echo(header, expected)
    if sent is not None:
        _check_hash(header, sent, x_road_id)
    wrapper = next((child for child in body if isinstance(child.tag, str)), None)
    if wrapper is None:
        raise _invalid(raw, "SOAP Body is empty", x_road_id)
    return SoapResponse(raw.status, raw.content, header, wrapper, envelope)
