"""The REST client: the request it sends, the response it exposes, the exchange hook."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from tests.xroad_client.apps import Canned, RecordingProvider
from tests.xroad_client.worlds import PORTAL, REGISTRY, Registry, registry_world
from xroad_client import (
    AsyncXRoadClient,
    ClientId,
    Exchange,
    RepresentedParty,
    SecurityServerId,
    Timeouts,
    XRoadClient,
)
from xroad_client.emulator import serve_in_thread

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_call_sends_the_x_road_headers_and_exposes_the_response_headers(
    sync_client: XRoadClient, registry: Registry
) -> None:
    response = sync_client.get(
        REGISTRY,
        "/rfc/MAPA850101AB1",
        params={"full": "yes"},
        user_id="MX-CURP-PEGJ800101",
        issue="application-42",
        represented_party=RepresentedParty("MAPA850101AB1", "RFC"),
        security_server=SecurityServerId(ClientId("MX", "GOB", "SAT"), "ss1"),
    )
    (seen,) = registry.provider.seen
    assert (seen.method, seen.host, seen.raw_path, seen.query) == (
        "GET",
        "sat.example",
        "/api/rfc/MAPA850101AB1",
        "full=yes",
    )
    assert seen.header("x-road-client") == "MX/GOB/E24/portal"
    assert seen.header("x-road-userid") == "MX-CURP-PEGJ800101"
    assert seen.header("x-road-issue") == "application-42"
    assert seen.header("x-road-represented-party") == "RFC/MAPA850101AB1"
    assert seen.header("x-road-security-server") == "MX/GOB/SAT/ss1"
    assert seen.header("x-road-service") is None  # providers infer the service from the route
    assert UUID.match(seen.header("x-road-id") or "")
    assert (response.status, response.json(), response.is_success) == (200, {"ok": True}, True)
    assert response.x_road.id == seen.header("x-road-id")
    assert response.x_road.request_id == seen.header("x-road-request-id")
    assert response.x_road.service_id == REGISTRY and response.x_road.client_id == PORTAL
    assert response.x_road.request_hash and len(response.x_road.request_hash) == 88


def test_our_x_road_id_is_used_when_given(sync_client: XRoadClient, registry: Registry) -> None:
    response = sync_client.get(REGISTRY, "/rfc/A", x_road_id="case-7-call-1")
    assert registry.provider.seen[0].header("x-road-id") == "case-7-call-1"
    assert response.x_road.id == "case-7-call-1"
    assert [r.status for r in registry.emulator.exchanges(x_road_id="case-7-call-1")] == [200]


def test_provider_http_errors_are_responses_not_faults() -> None:
    provider = RecordingProvider(Canned(404, b'{"error": "no such RFC"}'))
    registry = registry_world(provider)
    with XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client:
        response = client.get(REGISTRY, "/rfc/NOPE")
    assert (response.status, response.is_success) == (404, False)
    assert response.json() == {"error": "no such RFC"}
    assert "x-road-error" not in response.headers


def test_json_and_text_bodies_are_sent_as_given(
    sync_client: XRoadClient, registry: Registry
) -> None:
    sync_client.post(REGISTRY, "/rfc/A/checks", json={"curp": "PEGJ800101HQTRRN09"})
    sync_client.post(
        REGISTRY, "/rfc/B/checks", content="plain", headers={"Content-Type": "text/plain"}
    )
    first, second = registry.provider.seen
    assert (first.header("content-type"), first.body) == (
        "application/json",
        b'{"curp":"PEGJ800101HQTRRN09"}',
    )
    assert (second.header("content-type"), second.body) == ("text/plain", b"plain")


def test_exchange_hook_sees_success_and_fault(
    sync_client: XRoadClient, exchanges: list[Exchange]
) -> None:
    ok = sync_client.get(REGISTRY, "/rfc/A")
    with pytest.raises(Exception, match="AccessDenied"):
        sync_client.delete(REGISTRY, "/rfc/A")
    success, fault = exchanges
    assert success.ok and (success.protocol, success.method, success.service) == (
        "REST",
        "GET",
        REGISTRY,
    )
    assert (success.x_road_id, success.request_id, success.request_hash, success.status) == (
        ok.x_road.id,
        ok.x_road.request_id,
        ok.x_road.request_hash,
        200,
    )
    assert success.client == PORTAL and success.duration > 0 and success.attempt == 1
    assert not fault.ok and fault.fault_code == "Server.ServerProxy.AccessDenied"
    assert (fault.status, fault.method, fault.will_retry) == (500, "DELETE", False)


def test_a_failing_hook_is_logged_and_does_not_change_the_outcome(
    registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(exchange: Exchange) -> None:
        raise RuntimeError("audit store down")

    transport = registry.emulator.sync_transport()
    with (
        caplog.at_level(logging.ERROR, "xroad_client"),
        XRoadClient("http://ss", PORTAL, transport=transport, on_exchange=broken) as client,
    ):
        assert client.get(REGISTRY, "/rfc/A").status == 200
    assert "exchange hook failed" in caplog.text


def test_timeouts_are_explicit_and_capped_by_the_deadline() -> None:
    timeouts = Timeouts(connect=2.0, read=10.0, write=3.0, pool=1.0)
    capped = timeouts.capped(2.5)
    assert (capped.connect, capped.read, capped.write, capped.pool) == (2.0, 2.5, 2.5, 1.0)


@pytest.mark.anyio
async def test_async_client_makes_the_same_call(
    registry: Registry, exchanges: list[Exchange]
) -> None:
    async with AsyncXRoadClient(
        "http://ss",
        PORTAL,
        transport=registry.emulator.async_transport(),
        on_exchange=exchanges.append,
    ) as client:
        created = await client.post(REGISTRY, "/rfc/A/checks", json={"x": 1}, issue="case-9")
        fetched = await client.get(REGISTRY, "/rfc/A", user_id="MX1")
    assert (created.status, fetched.status) == (200, 200)
    first, second = registry.provider.seen
    assert (first.method, first.header("x-road-issue"), first.body) == (
        "POST",
        "case-9",
        b'{"x":1}',
    )
    assert (second.method, second.header("x-road-userid")) == ("GET", "MX1")
    assert [(e.method, e.x_road_id) for e in exchanges] == [
        ("POST", created.x_road.id),
        ("GET", fetched.x_road.id),
    ]


def test_sync_client_over_real_http(registry: Registry) -> None:
    with serve_in_thread(registry.emulator) as base_url, XRoadClient(base_url, PORTAL) as client:
        response = client.get(REGISTRY, "/rfc/A%2FB")
    assert response.status == 200
    assert registry.provider.seen[0].raw_path == "/api/rfc/A%2FB"


def test_redirects_are_returned_not_followed() -> None:
    provider = RecordingProvider(Canned(302, b"", [("location", "https://elsewhere.example/")]))
    registry = registry_world(provider)
    with XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client:
        response = client.get(REGISTRY, "/rfc/A")
    assert (response.status, response.headers["location"]) == (302, "https://elsewhere.example/")
    assert len(provider.seen) == 1


def test_base_url_path_prefix_is_kept() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"x-road-id": request.headers["x-road-id"]})

    transport = httpx.MockTransport(handler)
    with XRoadClient("https://proxy.example/xroad/", PORTAL, transport=transport) as client:
        client.get(REGISTRY)
    assert str(seen[0].url) == "https://proxy.example/xroad/r1/MX/GOB/SAT/rfc/validate"
