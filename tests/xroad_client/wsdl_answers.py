"""Hand-made getWsdl answers: the SOAP part a Security Server makes of a request, and
multipart bodies assembled from parts (well-formed or not)."""

from __future__ import annotations

import base64
import hashlib
import re

from tests.xroad_client.apps import ENVELOPE_OPEN


def sha512_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha512(data).digest()).decode()


def soap_answer(request: bytes, *, digest: str | None = None) -> bytes:
    """The getWsdlResponse a Security Server makes of ``request``: header echoed plus
    requestHash, body wrapper renamed."""
    header = re.search(rb"<SOAP-ENV:Header>(.*?)</SOAP-ENV:Header>", request, re.S)
    assert header is not None
    value = digest or sha512_b64(request)
    hash_xml = (
        f'<xrd:requestHash algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">{value}'
        "</xrd:requestHash>"
    ).encode()
    body = re.search(rb"<xrd:getWsdl [^>]*>(.*?)</xrd:getWsdl>", request, re.S)
    assert body is not None
    return (
        ENVELOPE_OPEN.encode()
        + b"<SOAP-ENV:Header>"
        + header.group(1)
        + hash_xml
        + b"</SOAP-ENV:Header><SOAP-ENV:Body><xrd:getWsdlResponse>"
        + body.group(1)
        + b"</xrd:getWsdlResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )


def part(content_type: str, payload: bytes, content_id: str | None = None) -> bytes:
    headers = f"Content-Type: {content_type}\r\n"
    if content_id is not None:
        headers += f"Content-ID: {content_id}\r\n"
    return (headers + "Content-Transfer-Encoding: binary\r\n\r\n").encode() + payload


def related(*parts: bytes, boundary: str = "xroad-b1", close: bool = True) -> bytes:
    dash = f"--{boundary}".encode()
    body = b"".join(dash + b"\r\n" + p + b"\r\n" for p in parts)
    return body + (dash + b"--\r\n" if close else b"")


def multipart_type(boundary: str | None = "xroad-b1", start: str | None = None) -> str:
    value = 'multipart/related; type="text/xml"; charset=UTF-8'
    if boundary is not None:
        value += f"; boundary={boundary}"
    if start is not None:
        value += f'; start="{start}"'
    return value
