"""Fault codes in both spellings, their categories, and the emulator's refusals as typed faults."""

from __future__ import annotations

import httpx
import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.conftest import FAST_RETRY
from tests.xroad_client.worlds import (
    BACKOFFICE,
    CURP,
    PORTAL,
    REGISTRY,
    RETIRED,
    SAT,
    SEALED,
    registry_world,
)
from xroad_client import (
    ClientFault,
    ClientId,
    ClientProxyFault,
    ClientProxyServiceFailed,
    ErrorSpelling,
    Exchange,
    FaultCode,
    ServerProxyFault,
    ServerProxyServiceFailed,
    ServiceFailedFault,
    ServiceId,
    XRoadClient,
    XRoadFault,
)
from xroad_client.emulator import BadRequestStyle
from xroad_client.errors import fault_from_code

PAIRS = [
    ("Server.ServerProxy.AccessDenied", "server.serverproxy.access_denied"),
    ("Server.ClientProxy.UnknownMember", "server.clientproxy.unknown_member"),
    ("Server.ClientProxy.OutdatedGlobalConf", "server.clientproxy.global_conf_outdated"),
    ("Server.ServerProxy.ServiceFailed.HttpError", "server.serverproxy.service_failed.http_error"),
    ("Server.ClientProxy.IOError", "server.clientproxy.io_error"),
    ("Client.InvalidProtocolVersion", "client.invalid_protocol_version"),
]


@pytest.mark.parametrize(("v77", "v78"), PAIRS)
def test_both_spellings_compare_equal_and_convert(v77: str, v78: str) -> None:
    assert FaultCode(v77) == FaultCode(v78) == v78 == FaultCode(v77)
    assert hash(FaultCode(v77)) == hash(FaultCode(v78))
    assert FaultCode(v77).spelled(ErrorSpelling.V7_8) == v78
    assert FaultCode(v78).spelled(ErrorSpelling.V7_7) == v77
    assert str(FaultCode(v78)) == v78


def test_different_codes_differ() -> None:
    assert FaultCode("Server.ServerProxy.AccessDenied") != "Server.ServerProxy.UnknownService"
    assert FaultCode("Server.ServerProxy.ServiceFailed.HttpError").startswith("server.serverproxy")
    assert not FaultCode("Server.ServerProxyX.A").startswith("Server.ServerProxy")


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("Client.InvalidSoap", ClientFault),
        ("Server.ClientProxy.UnknownMember", ClientProxyFault),
        ("Server.ClientProxy.ServiceFailed.MissingBody", ClientProxyServiceFailed),
        ("server.serverproxy.access_denied", ServerProxyFault),
        ("Server.ServerProxy.ServiceFailed.IOError", ServerProxyServiceFailed),
        ("server.serverproxy.service_failed.network_error", ServerProxyServiceFailed),
        ("SOAP-ENV:Server", XRoadFault),
    ],
)
def test_codes_map_to_a_category_class(code: str, category: type[XRoadFault]) -> None:
    fault = fault_from_code(code, "message", "detail-uuid", x_road_id="id-1", http_status=500)
    assert type(fault) is category
    assert (fault.message, fault.detail, fault.x_road_id) == ("message", "detail-uuid", "id-1")
    assert "message" in str(fault) and "id-1" in str(fault)
    if category is ServerProxyServiceFailed:
        assert isinstance(fault, ServerProxyFault) and isinstance(fault, ServiceFailedFault)


REFUSALS = [
    (SEALED, "GET", "/x", PORTAL, ServerProxyFault, "Server.ServerProxy.AccessDenied"),
    (REGISTRY, "DELETE", "/rfc/A", PORTAL, ServerProxyFault, "Server.ServerProxy.AccessDenied"),
    (
        SAT.service("nothing"),
        "GET",
        "/",
        PORTAL,
        ServerProxyFault,
        "Server.ServerProxy.UnknownService",
    ),
    (REGISTRY, "GET", "/rfc/A", BACKOFFICE, ClientProxyFault, "Server.ClientProxy.UnknownMember"),
    (CURP, "GET", "/", PORTAL, ServerProxyFault, "Server.ServerProxy.ServiceType"),
    (RETIRED, "GET", "/", PORTAL, ServerProxyFault, "Server.ServerProxy.ServiceDisabled"),
]


@pytest.mark.parametrize("spelling", list(ErrorSpelling))
@pytest.mark.parametrize(("service", "method", "path", "caller", "category", "code"), REFUSALS)
def test_emulator_refusals_become_typed_faults_in_both_spellings(
    spelling: ErrorSpelling,
    service: ServiceId,
    method: str,
    path: str,
    caller: ClientId,
    category: type[XRoadFault],
    code: str,
) -> None:
    registry = registry_world(RecordingProvider(), spelling=spelling)
    seen: list[Exchange] = []
    with (
        XRoadClient(
            "http://ss.test",
            caller,
            transport=registry.emulator.sync_transport(),
            retry=FAST_RETRY,
            on_exchange=seen.append,
        ) as client,
        pytest.raises(category) as caught,
    ):
        client.request(method, service, path)
    fault = caught.value
    assert fault.code == code
    assert str(fault.code) == FaultCode(code).spelled(spelling)
    assert fault.http_status == 500 and fault.message and fault.detail
    (exchange,) = seen  # refusals are never retried
    assert exchange.fault_code == code and exchange.x_road_id == fault.x_road_id
    assert registry.provider.seen == []


def test_disabled_service_fault_carries_its_notice() -> None:
    registry = registry_world(RecordingProvider())
    with (
        XRoadClient(
            "http://ss.test", PORTAL, transport=registry.emulator.sync_transport()
        ) as client,
        pytest.raises(ServerProxyFault, match="Out of order"),
    ):
        client.get(RETIRED)


def test_error_body_follows_accept_and_parses_from_xml() -> None:
    registry = registry_world(RecordingProvider())
    with (
        XRoadClient(
            "http://ss.test", PORTAL, transport=registry.emulator.sync_transport()
        ) as client,
        pytest.raises(ServerProxyFault) as caught,
    ):
        client.get(SEALED, "/x", headers={"Accept": "application/xml"})
    assert caught.value.code == "Server.ServerProxy.AccessDenied"
    assert "not allowed" in caught.value.message and caught.value.detail


@pytest.mark.anyio
async def test_malformed_requests_are_answered_as_a_security_server_does() -> None:
    """AbstractClientMessageProcessor.verifyClientStatus, RestRequest.decodeIdentifiers and
    RestMessage.decodeClientId; ErrorCodes.translateException makes the last two InternalError."""
    registry = registry_world(RecordingProvider())
    async with httpx.AsyncClient(
        transport=registry.emulator.async_transport(), base_url="http://ss"
    ) as http:
        no_client = await http.get("/r1/MX/GOB/SAT/rfc/validate/rfc/A")
        bad_uri = await http.get("/r1/MX", headers={"X-Road-Client": str(PORTAL)})
        bad_client = await http.get(
            "/r1/MX/GOB/SAT/rfc/validate", headers={"X-Road-Client": "MX/GOB"}
        )
        bad_verb = await http.request(
            "FETCH", "/r1/MX/GOB/SAT/rfc/validate", headers={"X-Road-Client": str(PORTAL)}
        )
        xml = await http.get("/r1/MX", headers={"X-Road-Client": str(PORTAL), "Accept": "text/xml"})
    expected = {
        no_client: (
            "Server.ClientProxy.InvalidClientIdentifier",
            "The client identifier is missing",
        ),
        bad_uri: ("Server.ClientProxy.InternalError", "Invalid request URI"),
        bad_client: ("Server.ClientProxy.InternalError", "Invalid Client Id"),
        bad_verb: ("Server.ClientProxy.InternalError", "Unsupported HTTP method FETCH"),
    }
    for response, (code, message) in expected.items():
        assert (response.status_code, response.headers["x-road-error"]) == (500, code)
        assert (response.json()["type"], response.json()["message"]) == (code, message)
    assert xml.status_code == 500
    assert xml.headers["content-type"].startswith("text/xml")
    assert "<type>Server.ClientProxy.InternalError</type>" in xml.text


@pytest.mark.anyio
async def test_the_spec_style_answers_the_protocol_documents_400() -> None:
    registry = registry_world(RecordingProvider())
    registry.emulator.topology.bad_request_style = BadRequestStyle.SPEC
    async with httpx.AsyncClient(
        transport=registry.emulator.async_transport(), base_url="http://ss"
    ) as http:
        no_client = await http.get("/r1/MX/GOB/SAT/rfc/validate/rfc/A")
        bad_uri = await http.get("/r1/MX", headers={"X-Road-Client": str(PORTAL)})
        xml = await http.get("/r1/MX", headers={"X-Road-Client": str(PORTAL), "Accept": "text/xml"})
    for response in (no_client, bad_uri, xml):
        assert (response.status_code, response.headers["x-road-error"]) == (
            400,
            "Client.BadRequest",
        )
    assert "X-Road-Client" in no_client.json()["message"]
    assert xml.headers["content-type"].startswith("text/xml")
    assert "<type>Client.BadRequest</type>" in xml.text


@pytest.mark.anyio
@pytest.mark.parametrize("target", ["/r2/MX/GOB/SAT/rfc/validate", "/r1", "/r10/MX/GOB/SAT/rfc/x"])
async def test_only_r1_targets_are_rest_the_rest_reach_the_soap_handler(target: str) -> None:
    """ClientRestMessageHandler takes only targets starting with /r1/; the SOAP handler
    answers any other GET with Client.InvalidHttpMethod, a SOAP fault with HTTP 200."""
    registry = registry_world(RecordingProvider())
    async with httpx.AsyncClient(
        transport=registry.emulator.async_transport(), base_url="http://ss"
    ) as http:
        response = await http.get(target, headers={"X-Road-Client": str(PORTAL)})
    assert response.status_code == 200
    assert "x-road-error" not in response.headers
    assert "<faultcode>Client.InvalidHttpMethod</faultcode>" in response.text
