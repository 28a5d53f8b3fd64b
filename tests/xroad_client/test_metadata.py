"""Metadata services through the client and the emulator."""

from __future__ import annotations

import httpx
import pytest

from tests.xroad_client.worlds import BACKOFFICE, PORTAL, REGISTRY, RETIRED, SAT, SEALED, Registry
from xroad_client import ClientId, ClientInfo, Endpoint, ServerProxyFault, XRoadClient
from xroad_client._http import RawResponse
from xroad_client.metadata import parse_client_list


def test_list_clients_lists_the_instance_members_and_subsystems(sync_client: XRoadClient) -> None:
    clients = sync_client.list_clients()
    assert clients == [
        ClientInfo(ClientId("MX", "GOB", "E24"), "Empresa24"),
        ClientInfo(PORTAL, "Empresa24", "Portal"),
        ClientInfo(BACKOFFICE, "Empresa24", "Back office"),
        ClientInfo(ClientId("MX", "GOB", "SAT"), "SAT"),
        ClientInfo(SAT, "SAT", "RFC register"),
    ]
    assert sync_client.list_clients(instance="EE") == []


def test_list_clients_xml_form_parses_the_same(registry: Registry) -> None:
    with httpx.Client(transport=registry.emulator.sync_transport(), base_url="http://ss") as http:
        xml = http.get("/listClients")
        json = http.get("/listClients", headers={"Accept": "application/json"})
    assert xml.headers["content-type"].startswith("text/xml")
    from_xml = parse_client_list(RawResponse(200, xml.headers, xml.content))
    from_json = parse_client_list(RawResponse(200, json.headers, json.content))
    assert from_xml == from_json and len(from_xml) == 5


def test_list_methods_derives_endpoints_from_the_openapi(sync_client: XRoadClient) -> None:
    listed = {info.service.service_code: info for info in sync_client.list_methods(SAT)}
    assert set(listed) == {"validate", "sealed", "retired"}  # SOAP services are not REST-listed
    assert listed["validate"].service_type == "OPENAPI"
    assert listed["validate"].endpoints == (Endpoint("GET", "/rfc/*"),)
    assert listed["sealed"].service_type == "REST"


def test_allowed_methods_are_the_callers_access_rights(sync_client: XRoadClient) -> None:
    allowed = sync_client.allowed_methods(SAT)
    assert [(a.service, a.endpoints) for a in allowed] == [
        (REGISTRY, (Endpoint("GET", "/rfc/**"), Endpoint("POST", "/rfc/*/checks"))),
        (RETIRED, (Endpoint("*", "**"),)),
    ]
    assert SEALED not in [a.service for a in allowed]


def test_get_openapi_serves_the_description_with_servers_anonymised(
    sync_client: XRoadClient,
) -> None:
    document = sync_client.get_openapi(REGISTRY)
    assert document.content_type == "application/json"
    described = document.json()
    assert described["info"]["title"] == "RFC validation"
    # Openapi3Anonymiser: each URL becomes its path
    assert described["servers"] == [{"url": "/api"}]


@pytest.mark.parametrize(
    ("service_code", "code"),
    [
        ("sealed", "Server.ServerProxy.InternalError"),
        ("nothing", "Server.ServerProxy.InternalError"),
    ],
)
def test_get_openapi_refusals(sync_client: XRoadClient, service_code: str, code: str) -> None:
    with pytest.raises(ServerProxyFault) as caught:
        sync_client.get_openapi(SAT.service(service_code))
    assert caught.value.code == code
    if service_code == "nothing":  # RestMetadataServiceHandlerImpl, not UnknownService
        assert caught.value.message == "Service not found: SERVICE:MX/GOB/SAT/rfc/nothing"


def test_get_openapi_without_service_code_is_an_invalid_request(registry: Registry) -> None:
    with httpx.Client(transport=registry.emulator.sync_transport(), base_url="http://ss") as http:
        response = http.get(
            "/r1/MX/GOB/SAT/rfc/getOpenAPI", headers={"X-Road-Client": "MX/GOB/E24/portal"}
        )
    assert (response.status_code, response.headers["x-road-error"]) == (
        500,
        "Server.ServerProxy.InvalidRequest",
    )


def test_metaservices_answer_only_get(registry: Registry) -> None:
    with httpx.Client(transport=registry.emulator.sync_transport(), base_url="http://ss") as http:
        response = http.post(
            "/r1/MX/GOB/SAT/rfc/listMethods", headers={"X-Road-Client": "MX/GOB/E24/portal"}
        )
    assert response.headers["x-road-error"] == "Server.ServerProxy.UnknownService"
