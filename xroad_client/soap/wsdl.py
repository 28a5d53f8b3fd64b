"""The SOAP metadata service getWsdl (PR-META §4): the request body and the multipart answer.

A Security Server answers getWsdl with a ``multipart/related`` message: first the SOAP
``getWsdlResponse`` (its header echoing ours, with ``requestHash``), then the WSDL as an
attachment (``Content-Type: text/xml``, ``Content-ID: <wsdl=UUID@x-road.eu>``) whose
``soap:address`` the Security Server has rewritten to ``http://example.org/xroad-endpoint``.

The answer is read under a byte cap (:data:`DEFAULT_MAX_WSDL_BYTES`) before it is parsed, and
splitting it never trusts it. The parts are cut at their delimiter lines in one linear scan
(at most :data:`MAX_PARTS`, headers at most :data:`MAX_PART_HEADER_BYTES`), and only each
part's headers go to the stdlib ``email`` parser. No boundary, no closing boundary, nested
multiparts, a malformed or duplicated Content-ID, or a root part that is not the SOAP
message each raise :class:`~xroad_client.errors.MalformedMultipartError`.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from typing import Final
from xml.sax.saxutils import escape

import httpx

from xroad_client._http import RawResponse, media_type
from xroad_client._xml import NS_SOAP_ENV, NS_XRD, XMLRejected, local_name, parse_xml
from xroad_client.errors import (
    InvalidResponseError,
    MalformedMultipartError,
    MissingAttachmentError,
)
from xroad_client.identifiers import ServiceId
from xroad_client.soap.response import Expected, SoapHeader, interpret_soap

__all__ = [
    "ANONYMISED_ENDPOINT",
    "DEFAULT_MAX_WSDL_BYTES",
    "MimePart",
    "WsdlDocument",
    "get_wsdl_body",
    "interpret_wsdl",
    "split_related",
]

DEFAULT_MAX_WSDL_BYTES: Final = 4 * 1024 * 1024
ANONYMISED_ENDPOINT: Final = "http://example.org/xroad-endpoint"
_CONTENT_ID: Final = re.compile(r"<[^<>\s\x00-\x1f\x7f]+>")
_SOAP_TYPES: Final = ("text/xml", "application/xop+xml")
_HEADER_END: Final = re.compile(rb"\r?\n\r?\n")
#: A getWsdl answer has two parts; a few more are tolerated, thousands are refused.
MAX_PARTS: Final = 16
MAX_PART_HEADER_BYTES: Final = 16 * 1024


def get_wsdl_body(service: ServiceId) -> str:
    """``<xrd:getWsdl>`` naming the service (code, and version when it has one)."""
    version = service.service_version
    inner = f"<xrd:serviceCode>{escape(service.service_code)}</xrd:serviceCode>"
    if version is not None:
        inner += f"<xrd:serviceVersion>{escape(version)}</xrd:serviceVersion>"
    return f'<xrd:getWsdl xmlns:xrd="{NS_XRD}">{inner}</xrd:getWsdl>'


@dataclass(frozen=True, slots=True)
class MimePart:
    """One part of a multipart message: its type, Content-ID (without ``<>``) and bytes."""

    content_type: str
    content_id: str | None
    payload: bytes


@dataclass(frozen=True, slots=True, eq=False)
class WsdlDocument:
    """A service's WSDL as the Security Server sent it, with the answer's SOAP header.

    ``content`` is the attachment's bytes; its ``soap:address`` points at
    ``http://example.org/xroad-endpoint``, so a SOAP library using it must be told our
    Security Server's address instead.
    """

    service: ServiceId
    content: bytes
    content_id: str
    header: SoapHeader

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


def _malformed(raw: RawResponse, message: str, x_road_id: str | None) -> MalformedMultipartError:
    return MalformedMultipartError(
        f"{message} (HTTP {raw.status})",
        http_status=raw.status,
        content_type=raw.content_type,
        x_road_id=x_road_id,
    )


def _content_id(part: Message, raw: RawResponse, x_road_id: str | None) -> str | None:
    value = part.get("Content-ID")
    if value is None:
        return None
    text = str(value).strip()
    if not _CONTENT_ID.fullmatch(text):
        raise _malformed(raw, f"multipart part has a malformed Content-ID {text[:80]!r}", x_road_id)
    return text[1:-1]


def _headers(head: bytes, raw: RawResponse, x_road_id: str | None) -> Message:
    if len(head) > MAX_PART_HEADER_BYTES:
        raise _malformed(
            raw, f"a multipart part's headers exceed {MAX_PART_HEADER_BYTES} bytes", x_road_id
        )
    return BytesHeaderParser(policy=policy.HTTP).parsebytes(head + b"\r\n\r\n")


def _decoded(body: bytes, encoding: str, raw: RawResponse, x_road_id: str | None) -> bytes:
    if encoding in ("", "7bit", "8bit", "binary"):
        return body
    try:
        if encoding == "base64":
            return base64.b64decode(body)
        if encoding == "quoted-printable":
            return quopri.decodestring(body)
    except binascii.Error as exc:
        raise _malformed(
            raw, f"a multipart part is not valid {encoding}: {exc}", x_road_id
        ) from exc
    raise _malformed(raw, f"unknown Content-Transfer-Encoding {encoding[:40]!r}", x_road_id)


def _part(chunk: bytes, raw: RawResponse, x_road_id: str | None) -> MimePart:
    """One part: headers (read by the email parser, which never sees the body), then body."""
    match = _HEADER_END.search(chunk)
    if chunk.startswith((b"\r\n", b"\n")):  # no headers at all
        head, body = b"", chunk[2 if chunk.startswith(b"\r\n") else 1 :]
    elif match is None:
        raise _malformed(raw, "a multipart part has no blank line after its headers", x_road_id)
    else:
        head, body = chunk[: match.start()], chunk[match.end() :]
    headers = _headers(head, raw, x_road_id)
    content_type = headers.get_content_type()
    if content_type.startswith("multipart/"):
        raise _malformed(raw, "a multipart part is itself multipart", x_road_id)
    encoding = str(headers.get("Content-Transfer-Encoding", "")).strip().lower()
    payload = _decoded(body, encoding, raw, x_road_id)
    return MimePart(content_type, _content_id(headers, raw, x_road_id), payload)


def _boundary_and_start(raw: RawResponse, x_road_id: str | None) -> tuple[str, str | None]:
    header = f"Content-Type: {raw.content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesHeaderParser(policy=policy.HTTP).parsebytes(header)
    boundary = message.get_boundary()
    if not boundary or len(boundary) > 70:
        raise _malformed(raw, "multipart/related answer has no usable boundary", x_road_id)
    start = message.get_param("start", header="content-type")
    return boundary, start if isinstance(start, str) else None


def _chunks(raw: RawResponse, boundary: str, x_road_id: str | None) -> list[bytes]:
    """The parts' bytes between the delimiter lines (RFC 2046 §5.1.1), in one linear scan."""
    delimiter = re.compile(
        rb"(?:^|\r?\n)--" + re.escape(boundary.encode("latin-1")) + rb"(--)?[ \t]*(?:\r?\n|$)"
    )
    chunks: list[bytes] = []
    previous: re.Match[bytes] | None = None
    for match in delimiter.finditer(raw.content):
        if previous is not None:
            chunks.append(raw.content[previous.end() : match.start()])
            if len(chunks) > MAX_PARTS:
                raise _malformed(raw, f"multipart answer has over {MAX_PARTS} parts", x_road_id)
        if match.group(1):
            if previous is None:
                break
            return chunks
        previous = match
    if previous is None:
        raise _malformed(raw, "multipart answer has no opening boundary", x_road_id)
    raise _malformed(raw, "multipart answer has no closing boundary", x_road_id)


def _root_index(
    parts: list[MimePart], start: str | None, raw: RawResponse, x_road_id: str | None
) -> int:
    if start is None:
        return 0
    wanted = start.strip().removeprefix("<").removesuffix(">")
    for index, part in enumerate(parts):
        if part.content_id == wanted:
            return index
    raise _malformed(raw, f"multipart start {start!r} names no part", x_road_id)


def split_related(
    raw: RawResponse, *, x_road_id: str | None = None
) -> tuple[MimePart, list[MimePart]]:
    """``(root, attachments)`` of a ``multipart/related`` answer; the root must be SOAP.

    The root is the part named by the ``start`` parameter, else the first part (RFC 2387).
    """
    boundary, start = _boundary_and_start(raw, x_road_id)
    parts = [_part(chunk, raw, x_road_id) for chunk in _chunks(raw, boundary, x_road_id)]
    if not parts:
        raise _malformed(raw, "multipart/related answer has no parts", x_road_id)
    ids = [part.content_id for part in parts if part.content_id is not None]
    if len(ids) != len(set(ids)):
        raise _malformed(raw, "multipart parts share a Content-ID", x_road_id)
    index = _root_index(parts, start, raw, x_road_id)
    root = parts[index]
    if media_type(root.content_type) not in _SOAP_TYPES or not _is_envelope(root.payload):
        raise _malformed(
            raw,
            f"the root part ({root.content_type}, Content-ID {root.content_id}) is not the SOAP"
            " message; a Security Server sends the SOAP part first",
            x_road_id,
        )
    return root, parts[:index] + parts[index + 1 :]


def _is_envelope(payload: bytes) -> bool:
    try:
        return parse_xml(payload).tag == f"{{{NS_SOAP_ENV}}}Envelope"
    except XMLRejected:
        return False


def _wsdl_attachment(attachments: list[MimePart]) -> MimePart | None:
    named = [a for a in attachments if (a.content_id or "").startswith("wsdl=")]
    if named:
        return named[0]
    return attachments[0] if len(attachments) == 1 else None


def _check_wsdl(part: MimePart, raw: RawResponse, x_road_id: str | None) -> None:
    try:
        root = parse_xml(part.payload)
    except XMLRejected as exc:
        raise InvalidResponseError(
            f"the WSDL attachment is not safe, well-formed XML: {exc}",
            http_status=raw.status,
            content_type=part.content_type,
            x_road_id=x_road_id,
        ) from exc
    if local_name(root.tag) not in ("definitions", "description"):
        raise InvalidResponseError(
            f"the WSDL attachment's root is {root.tag!r}, not wsdl:definitions",
            http_status=raw.status,
            content_type=part.content_type,
            x_road_id=x_road_id,
        )


def _check_wrapper(body: ET.Element, raw: RawResponse, x_road_id: str | None) -> None:
    if body.tag != f"{{{NS_XRD}}}getWsdlResponse":
        raise InvalidResponseError(
            f"getWsdl answered with {body.tag!r}, not xrd:getWsdlResponse",
            http_status=raw.status,
            content_type=raw.content_type,
            x_road_id=x_road_id,
        )


def interpret_wsdl(
    raw: RawResponse, *, sent: bytes, expected: Expected, service: ServiceId
) -> WsdlDocument:
    """Read a getWsdl answer: raise its fault, check its header and requestHash, return the WSDL."""
    x_road_id = expected.message_id
    if raw.media_type != "multipart/related":
        interpret_soap(raw, sent=sent, expected=expected)  # raises the fault a plain answer holds
        raise MissingAttachmentError(
            "getWsdl answer is a plain SOAP message without the WSDL attachment",
            http_status=raw.status,
            content_type=raw.content_type,
            x_road_id=x_road_id,
        )
    root, attachments = split_related(raw, x_road_id=x_road_id)
    soap = RawResponse(raw.status, httpx.Headers({"content-type": root.content_type}), root.payload)
    response = interpret_soap(soap, sent=sent, expected=expected)
    _check_wrapper(response.body, raw, x_road_id)
    wsdl = _wsdl_attachment(attachments)
    if wsdl is None:
        raise MissingAttachmentError(
            f"getWsdl answer has {len(attachments)} attachment(s) and none is the WSDL",
            http_status=raw.status,
            content_type=raw.content_type,
            x_road_id=x_road_id,
        )
    _check_wsdl(wsdl, raw, x_road_id)
    return WsdlDocument(service, wsdl.payload, wsdl.content_id or "", response.header)
