"""The SOAP metadata service getWsdl (PR-META §4), as a provider's Security Server answers it.

The request names the provider in its header (``serviceCode`` ``getWsdl``) and the service in
its body (``xrd:getWsdl/serviceCode`` and optional ``serviceVersion``). The answer is a
``multipart/related`` message: the SOAP ``getWsdlResponse`` first, then the service's WSDL
with every ``soap:address`` location rewritten to ``http://example.org/xroad-endpoint``, so
the provider's own address stays hidden. Access rights are not checked, as in X-Road.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from typing import Final
from xml.sax.saxutils import escape

from xroad_client import codes
from xroad_client._xml import NS_SOAP_ENV, NS_XRD, XMLRejected, find_child, parse_xml, text_of
from xroad_client.emulator._asgi import Response
from xroad_client.emulator.refusals import Refusal
from xroad_client.emulator.runtime import Runtime
from xroad_client.emulator.topology import SoapService
from xroad_client.errors import IdentifierError
from xroad_client.identifiers import ClientId, ServiceId
from xroad_client.soap.wsdl import ANONYMISED_ENDPOINT

__all__ = ["GET_WSDL", "described_wsdl", "multipart_answer", "rewrite_soap_address"]

GET_WSDL: Final = "getWsdl"
_SOAP_BINDINGS: Final = (
    "http://schemas.xmlsoap.org/wsdl/soap/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
)
_PREFIX: Final = re.compile(rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']""")


def _addresses(root: ET.Element) -> list[ET.Element]:
    return [e for ns in _SOAP_BINDINGS for e in root.iter(f"{{{ns}}}address")]


def rewrite_soap_address(wsdl: bytes) -> bytes:
    """``wsdl`` with every ``soap:address`` (SOAP 1.1 and 1.2) ``location`` anonymised.

    The bytes are kept as they are but for the locations; a WSDL whose prefixes the quick
    rewrite cannot follow is rewritten through ElementTree instead.
    """
    root = parse_xml(wsdl)
    prefixes = {m.group(1) for m in _PREFIX.finditer(wsdl) if m.group(2).decode() in _SOAP_BINDINGS}
    rewritten = wsdl
    for prefix in prefixes:
        pattern = re.compile(
            rb"(<" + re.escape(prefix) + rb":address\b[^>]*?\blocation\s*=\s*)(\"[^\"]*\"|'[^']*')"
        )
        rewritten = pattern.sub(rb'\1"' + ANONYMISED_ENDPOINT.encode() + rb'"', rewritten)
    if all(e.get("location") == ANONYMISED_ENDPOINT for e in _addresses(parse_xml(rewritten))):
        return rewritten
    for element in _addresses(root):
        element.set("location", ANONYMISED_ENDPOINT)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _requested(envelope: ET.Element, provider: ClientId) -> tuple[ServiceId, str]:
    """The service the body names, and the ``getWsdlResponse`` element echoing the request."""
    body = find_child(envelope, NS_SOAP_ENV, "Body")
    request = None if body is None else find_child(body, NS_XRD, GET_WSDL)
    code = None if request is None else text_of(find_child(request, NS_XRD, "serviceCode"))
    if request is None or not code:
        raise Refusal(codes.INVALID_REQUEST, "Missing serviceCode in message body")
    version = text_of(find_child(request, NS_XRD, "serviceVersion")) or None
    try:
        service = provider.service(code, version)
    except IdentifierError as exc:
        raise Refusal(codes.INVALID_REQUEST, f"Invalid serviceCode in message body: {exc}") from exc
    echoed = f"<xrd:serviceCode>{escape(code)}</xrd:serviceCode>"
    if version is not None:
        echoed += f"<xrd:serviceVersion>{escape(version)}</xrd:serviceVersion>"
    wrapper = f'<xrd:getWsdlResponse xmlns:xrd="{NS_XRD}">{echoed}</xrd:getWsdlResponse>'
    return service, wrapper


def described_wsdl(runtime: Runtime, provider: ClientId, envelope: ET.Element) -> tuple[str, bytes]:
    """``(getWsdlResponse element, rewritten WSDL)`` for the service the request names."""
    service_id, wrapper = _requested(envelope, provider)
    service = runtime.topology.find_service(service_id)
    if service is not None and not isinstance(service, SoapService):
        raise Refusal(codes.SERVICE_TYPE, "Service is a REST service and does not have a WSDL")
    if service is None or service.wsdl is None:
        raise Refusal(
            codes.UNKNOWN_SERVICE, f"Could not find wsdl URL for service SERVICE:{service_id}"
        )
    document = service.wsdl.encode("utf-8") if isinstance(service.wsdl, str) else service.wsdl
    try:
        return wrapper, rewrite_soap_address(document)
    except XMLRejected as exc:
        raise Refusal(
            "Server.ServerProxy.InternalError",
            f"The WSDL of SERVICE:{service_id} is not XML: {exc}",
        ) from exc


def multipart_answer(soap: bytes, wsdl: bytes) -> Response:
    """The SOAP part, then the WSDL attachment, as X-Road's multipart encoder writes them."""
    boundary = f"xroad{uuid.uuid4().hex}"
    dash = f"--{boundary}".encode()
    attachment_headers = (
        "Content-Type: text/xml\r\nContent-Transfer-Encoding: binary\r\n"
        f"Content-ID: <wsdl={uuid.uuid4()}@x-road.eu>\r\n\r\n"
    ).encode()
    body = (
        dash
        + b"\r\nContent-Type: text/xml; charset=UTF-8\r\n\r\n"
        + soap
        + b"\r\n"
        + dash
        + b"\r\n"
        + attachment_headers
        + wsdl
        + b"\r\n"
        + dash
        + b"--\r\n"
    )
    content_type = f'multipart/related; type="text/xml"; charset=UTF-8; boundary={boundary}'
    return Response(200, [("content-type", content_type)], body)
