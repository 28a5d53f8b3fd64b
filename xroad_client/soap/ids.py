"""Identifiers in SOAP headers and metadata: ``XRoadClientIdentifierType`` and friends."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from xroad_client._xml import NS_ID, find_child, qname, text_of
from xroad_client.errors import IdentifierError
from xroad_client.identifiers import ClientId, SecurityServerId, ServiceId

__all__ = [
    "client_id_from_xml",
    "client_id_xml",
    "server_id_xml",
    "service_id_from_xml",
    "service_id_xml",
]

_OBJECT_TYPE: Final = qname(NS_ID, "objectType")


def _field(name: str, value: str | None) -> str:
    if value is None:
        return ""
    return f"<id:{name}>{escape(value)}</id:{name}>"


def _open(tag: str, object_type: str) -> str:
    return f"<{tag} id:objectType={quoteattr(object_type)}>"


def _member_fields(client: ClientId) -> str:
    return (
        _field("xRoadInstance", client.instance)
        + _field("memberClass", client.member_class)
        + _field("memberCode", client.member_code)
        + _field("subsystemCode", client.subsystem_code)
    )


def client_id_xml(tag: str, client: ClientId) -> str:
    """``<tag id:objectType="MEMBER|SUBSYSTEM">`` with the id fields (``id`` prefix bound)."""
    return f"{_open(tag, client.object_type)}{_member_fields(client)}</{tag}>"


def service_id_xml(tag: str, service: ServiceId) -> str:
    fields = (
        _member_fields(service.provider)
        + _field("serviceCode", service.service_code)
        + _field("serviceVersion", service.service_version)
    )
    return f"{_open(tag, 'SERVICE')}{fields}</{tag}>"


def server_id_xml(tag: str, server: SecurityServerId) -> str:
    fields = _member_fields(server.owner) + _field("serverCode", server.server_code)
    return f"{_open(tag, 'SERVER')}{fields}</{tag}>"


def _required(element: ET.Element, name: str) -> str:
    value = text_of(find_child(element, NS_ID, name))
    if not value:
        raise IdentifierError(f"identifier element <{element.tag}> lacks id:{name}")
    return value


def _optional(element: ET.Element, name: str) -> str | None:
    return text_of(find_child(element, NS_ID, name)) or None


def _client_from(element: ET.Element, *, allow_subsystem: bool = True) -> ClientId:
    subsystem = _optional(element, "subsystemCode") if allow_subsystem else None
    return ClientId(
        _required(element, "xRoadInstance"),
        _required(element, "memberClass"),
        _required(element, "memberCode"),
        subsystem,
    )


def client_id_from_xml(element: ET.Element) -> ClientId:
    """Read a client id; ``objectType`` must agree with the presence of a subsystem code."""
    client = _client_from(element)
    declared = element.get(_OBJECT_TYPE)
    if declared is not None and declared != client.object_type:
        raise IdentifierError(f"objectType {declared!r} does not match {client.object_type} id")
    return client


def service_id_from_xml(element: ET.Element) -> ServiceId:
    declared = element.get(_OBJECT_TYPE)
    if declared is not None and declared != "SERVICE":
        raise IdentifierError(f"service identifier has objectType {declared!r}, not SERVICE")
    return ServiceId(
        _client_from(element),
        _required(element, "serviceCode"),
        _optional(element, "serviceVersion"),
    )
