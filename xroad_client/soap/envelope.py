"""Build X-Road SOAP 4.0 request envelopes (SOAP 1.1, document/literal wrapped)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final
from xml.sax.saxutils import escape

import httpx

from xroad_client._xml import (
    NS_ID,
    NS_REPR,
    NS_SOAP_ENV,
    NS_XRD,
    XMLRejected,
    local_name,
    parse_xml,
)
from xroad_client.errors import InvalidRequestError
from xroad_client.identifiers import ClientId, ServiceId
from xroad_client.rest import NO_CONTEXT, USER_AGENT, CallContext
from xroad_client.soap.ids import client_id_xml, server_id_xml, service_id_xml

__all__ = [
    "PROTOCOL_VERSION",
    "SOAP_CONTENT_TYPE",
    "SoapBody",
    "build_envelope",
    "build_soap_request",
    "metaservice_body",
]

PROTOCOL_VERSION: Final = "4.0"
SOAP_CONTENT_TYPE: Final = "text/xml; charset=UTF-8"

#: The request wrapper: an Element, or one XML element as text/bytes (namespaces declared).
SoapBody = ET.Element | str | bytes


def _body_xml(body: SoapBody) -> tuple[str, str]:
    """``(serialised element, its local name)``; text bodies must be one well-formed element."""
    if isinstance(body, ET.Element):
        return ET.tostring(body, encoding="unicode"), local_name(body.tag)
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    try:
        element = parse_xml(text.encode("utf-8"))
    except XMLRejected as exc:
        raise InvalidRequestError(f"SOAP body is not one well-formed XML element: {exc}") from exc
    if text.lstrip().startswith("<?xml"):
        text = ET.tostring(element, encoding="unicode")
    return text.strip(), local_name(element.tag)


def _text(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{escape(value)}</{tag}>"


def _extensions(context: CallContext) -> str:
    parts = []
    party = context.represented_party
    if party is not None:
        inner = _text("repr:partyClass", party.party_class) + _text(
            "repr:partyCode", party.party_code
        )
        parts.append(f"<repr:representedParty>{inner}</repr:representedParty>")
    if context.security_server is not None:
        parts.append(server_id_xml("xrd:securityServer", context.security_server))
    return "".join(parts)


def build_envelope(
    *,
    client: ClientId,
    service: ServiceId,
    message_id: str,
    body: SoapBody,
    context: CallContext = NO_CONTEXT,
    protocol_version: str = PROTOCOL_VERSION,
    strict: bool = False,
) -> bytes:
    """The UTF-8 envelope; header fields in the order client, service, id, userId, issue,
    protocolVersion, then representedParty and securityServer when given."""
    client.validate(strict=strict)
    service.validate(strict=strict)
    context.validate(strict=strict)
    body_text, body_name = _body_xml(body)
    if not body_name.startswith(service.service_code):
        raise InvalidRequestError(
            f"SOAP body element {body_name!r} must be named after service code"
            f" {service.service_code!r}"
        )
    header = (
        client_id_xml("xrd:client", client)
        + service_id_xml("xrd:service", service)
        + _text("xrd:id", message_id)
        + _text("xrd:userId", context.user_id)
        + _text("xrd:issue", context.issue)
        + _text("xrd:protocolVersion", protocol_version)
        + _extensions(context)
    )
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{NS_SOAP_ENV}" xmlns:xrd="{NS_XRD}"'
        f' xmlns:id="{NS_ID}" xmlns:repr="{NS_REPR}">'
        f"<SOAP-ENV:Header>{header}</SOAP-ENV:Header>"
        f"<SOAP-ENV:Body>{body_text}</SOAP-ENV:Body>"
        "</SOAP-ENV:Envelope>"
    )
    return envelope.encode("utf-8")


def metaservice_body(name: str) -> str:
    """The empty body of a SOAP metaservice call, e.g. ``<xrd:listMethods/>``."""
    return f'<xrd:{name} xmlns:xrd="{NS_XRD}"/>'


def build_soap_request(*, base_url: str, envelope: bytes) -> httpx.Request:
    """POST the envelope to the Security Server's SOAP endpoint (any path; we use ``/``)."""
    headers = {"Content-Type": SOAP_CONTENT_TYPE, "SOAPAction": '""', "User-Agent": USER_AGENT}
    return httpx.Request("POST", base_url.rstrip("/") + "/", headers=headers, content=envelope)
