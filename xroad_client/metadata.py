"""Metadata service answers: listClients, REST listMethods/allowedMethods/getOpenAPI and the
SOAP listMethods/allowedMethods service lists."""

from __future__ import annotations

import json as jsonlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Final, Literal

from xroad_client._http import RawResponse
from xroad_client._xml import NS_XRD, XMLRejected, find_child, parse_xml, text_of
from xroad_client.errors import IdentifierError, InvalidResponseError
from xroad_client.identifiers import ClientId, ServiceId
from xroad_client.rest import RestResponse
from xroad_client.soap.ids import client_id_from_xml, service_id_from_xml

__all__ = [
    "ClientInfo",
    "Endpoint",
    "OpenApiDocument",
    "RestServiceInfo",
    "parse_client_list",
    "parse_rest_services",
    "parse_soap_services",
]

ServiceType = Literal["REST", "OPENAPI", "WSDL"]
_SERVICE_TYPES: Final[dict[str, ServiceType]] = {
    "REST": "REST",
    "OPENAPI": "OPENAPI",
    "WSDL": "WSDL",
}


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """One entry of listClients: a member, or a subsystem with its member's name."""

    id: ClientId
    name: str
    subsystem_name: str | None = None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A REST endpoint: method (``*`` for any) and path (``*`` one segment, ``**`` any)."""

    method: str
    path: str


@dataclass(frozen=True, slots=True)
class RestServiceInfo:
    """One entry of REST listMethods/allowedMethods."""

    service: ServiceId
    service_type: ServiceType
    endpoints: tuple[Endpoint, ...]


@dataclass(frozen=True, slots=True, eq=False)
class OpenApiDocument:
    """The OpenAPI description returned by getOpenAPI (JSON or YAML text, as served)."""

    content: bytes
    content_type: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The document as JSON (raises :class:`InvalidResponseError` for YAML or junk)."""
        try:
            return jsonlib.loads(self.content)
        except ValueError as exc:
            raise InvalidResponseError(
                f"OpenAPI document is not JSON: {exc}", content_type=self.content_type
            ) from exc


def _shape(what: str, problem: str, raw: RawResponse | RestResponse) -> InvalidResponseError:
    content_type = raw.headers.get("content-type")
    return InvalidResponseError(
        f"{what} answer is malformed: {problem}", http_status=raw.status, content_type=content_type
    )


def _json_object(content: bytes, key: str) -> list[Any]:
    data = jsonlib.loads(content)
    if not isinstance(data, dict) or not isinstance(data.get(key, []), list):
        raise ValueError(f"expected a JSON object with a {key!r} list")
    items = data.get(key, [])
    assert isinstance(items, list)
    return items


def _str_field(item: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValueError(f"field {key!r} is missing or not a string")
    return value


def _client_from_json(item: dict[str, Any]) -> ClientId:
    return ClientId(
        str(_str_field(item, "xroad_instance")),
        str(_str_field(item, "member_class")),
        str(_str_field(item, "member_code")),
        _str_field(item, "subsystem_code", required=False),
    )


def _client_info_from_json(item: object) -> ClientInfo:
    if not isinstance(item, dict) or not isinstance(item.get("id"), dict):
        raise ValueError("member entry lacks an 'id' object")
    return ClientInfo(
        _client_from_json(item["id"]),
        _str_field(item, "name", required=False) or "",
        _str_field(item, "subsystem_name", required=False),
    )


def _client_info_from_xml(member: ET.Element) -> ClientInfo:
    id_element = find_child(member, NS_XRD, "id")
    if id_element is None:
        raise ValueError("xrd:member lacks xrd:id")
    return ClientInfo(
        client_id_from_xml(id_element),
        text_of(find_child(member, NS_XRD, "name")) or "",
        text_of(find_child(member, NS_XRD, "subsystemName")) or None,
    )


def parse_client_list(raw: RawResponse) -> list[ClientInfo]:
    """listClients as JSON (``{"member": [...]}``) or XML (``xrd:clientList``)."""
    try:
        if raw.media_type == "application/json":
            return [_client_info_from_json(item) for item in _json_object(raw.content, "member")]
        root = parse_xml(raw.content)
        if root.tag != f"{{{NS_XRD}}}clientList":
            raise ValueError(f"root element is {root.tag!r}, not xrd:clientList")
        return [_client_info_from_xml(m) for m in root if m.tag == f"{{{NS_XRD}}}member"]
    except (ValueError, XMLRejected, IdentifierError) as exc:
        raise _shape("listClients", str(exc), raw) from exc


def _endpoint(item: object) -> Endpoint:
    if not isinstance(item, dict):
        raise ValueError("endpoint entry is not an object")
    return Endpoint(str(_str_field(item, "method")), str(_str_field(item, "path")))


def _service_info(item: object) -> RestServiceInfo:
    if not isinstance(item, dict):
        raise ValueError("service entry is not an object")
    declared = _str_field(item, "service_type")
    service_type = _SERVICE_TYPES.get(declared or "")
    if service_type is None:
        raise ValueError(f"unknown service_type {declared!r}")
    endpoints = item.get("endpoint_list", [])
    if not isinstance(endpoints, list):
        raise ValueError("endpoint_list is not a list")
    service = ServiceId(_client_from_json(item), str(_str_field(item, "service_code")))
    return RestServiceInfo(service, service_type, tuple(_endpoint(e) for e in endpoints))


def parse_rest_services(response: RestResponse) -> list[RestServiceInfo]:
    """REST listMethods/allowedMethods: ``{"service": [...]}`` in snake case."""
    try:
        return [_service_info(item) for item in _json_object(response.content, "service")]
    except (ValueError, IdentifierError) as exc:
        raise _shape("listMethods/allowedMethods", str(exc), response) from exc


def parse_soap_services(wrapper: ET.Element) -> list[ServiceId]:
    """SOAP ``listMethodsResponse``/``allowedMethodsResponse``: its ``xrd:service`` children."""
    try:
        return [service_id_from_xml(e) for e in wrapper if e.tag == f"{{{NS_XRD}}}service"]
    except IdentifierError as exc:
        raise InvalidResponseError(f"SOAP service list is malformed: {exc}") from exc
