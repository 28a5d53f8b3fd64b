"""Metadata services: listClients, REST listMethods/allowedMethods/getOpenAPI, SOAP
listMethods/allowedMethods. Access rights are not checked for them (as in X-Road)."""

from __future__ import annotations

import json
from typing import Final
from urllib.parse import parse_qs, parse_qsl
from xml.sax.saxutils import escape

from xroad_client import codes
from xroad_client._xml import NS_ID, NS_XRD
from xroad_client.emulator._asgi import Request, Response, json_response
from xroad_client.emulator.openapi import (
    OpenApiRefused,
    anonymised_openapi,
    anonymised_openapi_text,
)
from xroad_client.emulator.providers import ProviderAnswer
from xroad_client.emulator.refusals import Refusal, wants_xml
from xroad_client.emulator.runtime import Runtime
from xroad_client.emulator.topology import RestService, SoapService
from xroad_client.identifiers import ClientId, RestTarget
from xroad_client.metadata import ClientInfo
from xroad_client.soap.ids import client_id_xml, service_id_xml

__all__ = [
    "REST_METASERVICES",
    "SOAP_METASERVICES",
    "list_clients",
    "rest_metaservice",
    "soap_service_list",
]

REST_METASERVICES: Final = frozenset({"listMethods", "allowedMethods", "getOpenAPI"})
SOAP_METASERVICES: Final = frozenset({"listMethods", "allowedMethods"})


def _client_json(client: ClientId) -> dict[str, str]:
    data = {
        "member_class": client.member_class,
        "member_code": client.member_code,
        "object_type": client.object_type,
        "xroad_instance": client.instance,
    }
    if client.subsystem_code is not None:
        data["subsystem_code"] = client.subsystem_code
    return data


def _client_info_json(info: ClientInfo) -> dict[str, object]:
    data: dict[str, object] = {"id": _client_json(info.id), "name": info.name}
    if info.subsystem_name is not None:
        data["subsystem_name"] = info.subsystem_name
    return data


def _client_info_xml(info: ClientInfo) -> str:
    subsystem = ""
    if info.subsystem_name is not None:
        subsystem = f"<xrd:subsystemName>{escape(info.subsystem_name)}</xrd:subsystemName>"
    name = f"<xrd:name>{escape(info.name)}</xrd:name>"
    return f"<xrd:member>{client_id_xml('xrd:id', info.id)}{name}{subsystem}</xrd:member>"


def list_clients(runtime: Runtime, request: Request) -> Response:
    """``GET /listClients[?xRoadInstance=XX]``: JSON on ``Accept: application/json``, else XML."""
    instance = parse_qs(request.query).get("xRoadInstance", [None])[-1]
    infos = runtime.topology.clients(instance)
    accept = request.header("accept") or ""
    if "application/json" in accept and not wants_xml(accept):
        return json_response(200, {"member": [_client_info_json(info) for info in infos]})
    members = "".join(_client_info_xml(info) for info in infos)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<xrd:clientList xmlns:xrd="{NS_XRD}" xmlns:id="{NS_ID}">{members}</xrd:clientList>'
    )
    return Response(200, [("content-type", "text/xml; charset=UTF-8")], body.encode())


def _service_json(service: RestService, endpoints: list[tuple[str, str]]) -> dict[str, object]:
    data: dict[str, object] = dict(_client_json(service.id.provider))
    data.update(
        object_type="SERVICE",
        service_code=service.id.service_code,
        service_type=service.service_type,
        endpoint_list=[{"method": method, "path": path} for method, path in endpoints],
    )
    return data


def _rest_services(runtime: Runtime, provider: ClientId) -> list[RestService]:
    return [s for s in runtime.topology.services_of(provider) if isinstance(s, RestService)]


def _list_methods(runtime: Runtime, provider: ClientId) -> dict[str, object]:
    services = [
        _service_json(s, [(e.method, e.path) for e in s.listed_endpoints()])
        for s in _rest_services(runtime, provider)
    ]
    return {"service": services}


def _allowed_methods(runtime: Runtime, provider: ClientId, client: ClientId) -> dict[str, object]:
    services = []
    for service in _rest_services(runtime, provider):
        rights = service.rights_of(client)
        if rights:
            services.append(_service_json(service, [(r.method, r.path) for r in rights]))
    return {"service": services}


def _openapi(runtime: Runtime, target: RestTarget) -> ProviderAnswer:
    wanted = [v for k, v in parse_qsl(target.query or "") if k.lower() == "servicecode"]
    if not wanted or not wanted[-1]:
        raise Refusal(codes.INVALID_REQUEST, "Missing serviceCode in message body")
    service_id = target.service.provider.service(wanted[-1])
    service = runtime.topology.find_service(service_id)
    if service is None:
        raise Refusal(codes.SERVER_PROXY_INTERNAL_ERROR, f"Service not found: SERVICE:{service_id}")
    if not isinstance(service, RestService) or service.openapi is None:
        kind = "WSDL" if isinstance(service, SoapService) else "REST"
        raise Refusal(codes.SERVER_PROXY_INTERNAL_ERROR, f"Invalid service type: {kind}")
    try:
        if isinstance(service.openapi, str):
            text = anonymised_openapi_text(service.openapi)
            return ProviderAnswer(200, [("content-type", "text/plain")], text.encode("utf-8"))
        document = anonymised_openapi(service.openapi)
    except OpenApiRefused as exc:
        raise Refusal(codes.SERVER_PROXY_INTERNAL_ERROR, str(exc)) from exc
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return ProviderAnswer(200, [("content-type", "application/json")], body)


def rest_metaservice(runtime: Runtime, client: ClientId, target: RestTarget) -> ProviderAnswer:
    """Answer a GET to a REST metaservice on the provider subsystem named in ``target``."""
    provider = target.service.provider
    code = target.service.service_code
    if code == "getOpenAPI":
        return _openapi(runtime, target)
    data = (
        _list_methods(runtime, provider)
        if code == "listMethods"
        else _allowed_methods(runtime, provider, client)
    )
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return ProviderAnswer(200, [("content-type", "application/json")], body)


def soap_service_list(runtime: Runtime, provider: ClientId, client: ClientId, code: str) -> str:
    """The ``xrd:{code}Response`` element listing the provider's SOAP services."""
    services = [s for s in runtime.topology.services_of(provider) if isinstance(s, SoapService)]
    if code == "allowedMethods":
        services = [s for s in services if s.rights_of(client)]
    items = "".join(service_id_xml("xrd:service", s.id) for s in services)
    return (
        f'<xrd:{code}Response xmlns:xrd="{NS_XRD}" xmlns:id="{NS_ID}">{items}</xrd:{code}Response>'
    )
