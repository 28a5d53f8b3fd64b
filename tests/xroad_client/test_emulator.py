"""The emulator as a Security Server: headers, routing, access rights, faults, control, log."""

from __future__ import annotations

import re
import socket
import time

import httpx
import pytest

from tests.xroad_client.apps import Canned, RecordingProvider
from tests.xroad_client.worlds import PORTAL, REGISTRY, SAT, Registry, registry_world
from xroad_client import ServerProxyFault, ServerProxyServiceFailed, XRoadClient
from xroad_client.emulator import (
    AsgiProvider,
    Emulator,
    FaultSpec,
    HttpProvider,
    Receive,
    RestService,
    Scope,
    Send,
    Topology,
    serve_in_thread,
)
from xroad_client.emulator.topology import path_glob_matches

CLIENT = {"X-Road-Client": "MX/GOB/E24/portal"}
VALIDATE = "/r1/MX/GOB/SAT/rfc/validate"


def _http(registry: Registry) -> httpx.Client:
    return httpx.Client(transport=registry.emulator.sync_transport(), base_url="http://ss")


def test_ids_are_minted_and_client_sent_request_ids_stripped(registry: Registry) -> None:
    headers = {
        **CLIENT,
        "X-Road-Request-Id": "forged",
        "X-Road-Request-Hash": "forged",
        "X-Custom": "kept",
        "Authorization": "Bearer t",
    }
    with _http(registry) as http:
        first = http.get(f"{VALIDATE}/rfc/A?x=%20y", headers=headers)
        second = http.get(f"{VALIDATE}/rfc/A", headers={**CLIENT, "X-Road-Id": "mine"})
    seen_first, seen_second = registry.provider.seen
    assert re.fullmatch(r"MX-[0-9a-f-]{36}", first.headers["x-road-id"])
    assert seen_first.header("x-road-id") == first.headers["x-road-id"]
    assert seen_first.header("x-road-request-id") == first.headers["x-road-request-id"] != "forged"
    assert seen_first.header("x-road-request-hash") is None
    assert (seen_first.header("x-custom"), seen_first.header("authorization")) == (
        "kept",
        "Bearer t",
    )
    assert seen_first.query == "x=%20y"
    assert second.headers["x-road-id"] == seen_second.header("x-road-id") == "mine"
    assert first.headers["x-road-request-id"] != second.headers["x-road-request-id"]
    assert first.headers["x-road-request-hash"] != second.headers["x-road-request-hash"]


def test_the_last_x_road_client_acts_but_all_are_forwarded(registry: Registry) -> None:
    with _http(registry) as http:
        response = http.get(
            f"{VALIDATE}/rfc/A",
            headers=[
                ("X-Road-Client", "MX/GOB/E24/backoffice"),
                ("X-Road-Client", "MX/GOB/E24/portal"),
            ],
        )
    assert response.status_code == 200
    assert registry.provider.seen[0].header_values("x-road-client") == [
        "MX/GOB/E24/backoffice",
        "MX/GOB/E24/portal",
    ]


def test_provider_ids_are_replaced_and_its_error_and_service_headers_pass() -> None:
    """RestResponse drops the provider's X-Road-Id, -Client, -Request-Id and -Request-Hash
    only: its X-Road-Error and X-Road-Service reach the client, ours after its own."""
    forged = [
        ("content-type", "application/json"),
        ("x-road-id", "evil"),
        ("x-road-client", "EV/IL/x"),
        ("x-road-request-hash", "evil"),
        ("x-road-error", "evil"),
        ("x-road-service", "EV/IL/x/y/z"),
    ]
    registry = registry_world(RecordingProvider(Canned(200, b"{}", forged)))
    with _http(registry) as http:
        response = http.get(f"{VALIDATE}/rfc/A", headers={**CLIENT, "X-Road-Id": "ours"})
    assert response.headers.get_list("x-road-id") == ["ours"]
    assert response.headers.get_list("x-road-client") == ["MX/GOB/E24/portal"]
    assert response.headers.get_list("x-road-request-hash") != ["evil"]
    assert response.headers.get_list("x-road-error") == ["evil"]
    assert response.headers.get_list("x-road-service") == [
        "EV/IL/x/y/z",
        "MX/GOB/SAT/rfc/validate",
    ]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/rfc/*", "/rfc/A", True),
        ("/rfc/*", "/rfc/A/B", False),
        ("/rfc/**", "/rfc/A/B", True),
        ("/rfc/*/checks", "/rfc/A/checks", True),
        ("/rfc/*/checks", "/rfc/A/B/checks", False),
        ("**", "", True),
        ("/pets", "/pets/1", False),
    ],
)
def test_path_globs(pattern: str, path: str, matches: bool) -> None:
    assert path_glob_matches(pattern, path) is matches


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/rfc/A/history/2024", 200),
        ("POST", "/rfc/A/checks", 200),
        ("POST", "/rfc/A/B/checks", 500),
        ("PUT", "/rfc/A", 500),
        ("GET", "/rfc/../admin", 500),
        ("GET", "/rfc/%2E%2E/admin", 500),
        ("GET", "/other", 500),
    ],
)
def test_access_rights_apply_method_and_path_glob(
    registry: Registry, method: str, path: str, status: int
) -> None:
    with _http(registry) as http:
        response = http.request(method, f"{VALIDATE}{path}", headers=CLIENT)
    assert response.status_code == status
    if status == 500:
        assert response.headers["x-road-error"] == "Server.ServerProxy.AccessDenied"


def test_fault_injection_latency_down_error_and_recovery(registry: Registry) -> None:
    emulator = registry.emulator
    with XRoadClient("http://ss", PORTAL, transport=emulator.sync_transport()) as client:
        emulator.inject_fault(REGISTRY, FaultSpec(latency_ms=150))
        started = time.monotonic()
        assert client.get(REGISTRY, "/rfc/A").status == 200
        assert time.monotonic() - started >= 0.15
        emulator.inject_fault(REGISTRY, FaultSpec(down=True))
        with pytest.raises(ServerProxyFault, match="Connection refused") as down:
            client.get(REGISTRY, "/rfc/A", idempotent=False)
        assert down.value.code == "Server.ServerProxy.NetworkError"
        emulator.inject_fault(
            "MX/GOB/SAT/rfc/validate",
            FaultSpec(error_rate=1.0, error_code="Server.ServerProxy.DatabaseError"),
        )
        with pytest.raises(ServerProxyFault) as failing:
            client.get(REGISTRY, "/rfc/A", idempotent=False)
        assert failing.value.code == "Server.ServerProxy.DatabaseError"
        assert list(emulator.faults()) == [REGISTRY]
        emulator.clear_faults()
        assert client.get(REGISTRY, "/rfc/A").status == 200
    assert len(registry.provider.seen) == 2


def test_injected_timeout_waits_for_the_service_timeout(registry: Registry) -> None:
    registry.service.timeout_s = 0.1
    registry.emulator.inject_fault(REGISTRY, FaultSpec(timeout=True))
    with XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client:
        started = time.monotonic()
        with pytest.raises(ServerProxyServiceFailed, match="Read timed out") as caught:
            client.get(REGISTRY, "/rfc/A", idempotent=False)
    assert time.monotonic() - started >= 0.1
    assert caught.value.code == "Server.ServerProxy.ServiceFailed.IOError"


def test_slow_provider_runs_into_the_service_timeout() -> None:
    registry = registry_world(RecordingProvider(delay=1.0))
    registry.service.timeout_s = 0.1
    with (
        XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client,
        pytest.raises(ServerProxyServiceFailed, match="Read timed out"),
    ):
        client.get(REGISTRY, "/rfc/A", idempotent=False)


def test_exchange_log_records_success_and_fault(registry: Registry) -> None:
    with _http(registry) as http:
        http.get(f"{VALIDATE}/rfc/A", headers={**CLIENT, "X-Road-Id": "one"})
        http.delete(f"{VALIDATE}/rfc/A", headers={**CLIENT, "X-Road-Id": "two"})
    (ok,) = registry.emulator.exchanges(x_road_id="one")
    (denied,) = registry.emulator.exchanges(x_road_id="two")
    assert (ok.status, ok.fault_code, ok.client, ok.service) == (
        200,
        None,
        "MX/GOB/E24/portal",
        "MX/GOB/SAT/rfc/validate",
    )
    assert ok.request_id and ok.request_hash and ok.duration_ms >= 0
    assert (denied.status, denied.fault_code, denied.method) == (
        500,
        "Server.ServerProxy.AccessDenied",
        "DELETE",
    )
    assert len(registry.emulator.exchanges(service=REGISTRY)) == 2
    registry.emulator.clear_exchanges()
    assert registry.emulator.exchanges() == []


def test_admin_endpoint_controls_faults_from_another_process(registry: Registry) -> None:
    with serve_in_thread(registry.emulator) as base_url, httpx.Client(base_url=base_url) as admin:
        with XRoadClient(base_url, PORTAL) as client:
            assert admin.get("/_emulator/health").json() == {"status": "ok"}
            set_down = admin.post("/_emulator/faults/MX/GOB/SAT/rfc/validate", json={"down": True})
            assert set_down.json()["fault"]["down"] is True
            assert admin.get("/_emulator/faults").json()["faults"]["MX/GOB/SAT/rfc/validate"][
                "down"
            ]
            with pytest.raises(ServerProxyFault, match="Connection refused"):
                client.get(REGISTRY, "/rfc/A", x_road_id="while-down", idempotent=False)
            assert admin.delete("/_emulator/faults/MX/GOB/SAT/rfc/validate").status_code == 200
            assert client.get(REGISTRY, "/rfc/A", x_road_id="after").status == 200
        logged = admin.get("/_emulator/exchanges", params={"x_road_id": "while-down"}).json()
        assert [(e["status"], e["fault_code"]) for e in logged["exchanges"]] == [
            (500, "Server.ServerProxy.NetworkError")
        ]
        bad_json = admin.post("/_emulator/faults/MX/GOB/SAT/rfc/validate", content=b"[")
        unknown_key = admin.post("/_emulator/faults/MX/GOB/SAT/rfc/validate", json={"latency": 5})
        wrong_type = admin.post("/_emulator/faults/MX/GOB/SAT/rfc/validate", json={"down": "yes"})
        unknown_service = admin.post("/_emulator/faults/MX/GOB/SAT/rfc/nothing", json={})
        assert [r.status_code for r in (bad_json, unknown_key, wrong_type, unknown_service)] == [
            400,
            400,
            400,
            404,
        ]
        assert "latency_ms" in unknown_key.json()["error"]
        assert admin.delete("/_emulator/exchanges").json() == {"exchanges": []}
        assert admin.get("/_emulator/nope").status_code == 404


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http_world(base_url: str) -> Emulator:
    topology = Topology(instance="MX")
    topology.add_member("MX/GOB/E24", "Empresa24", subsystems={"portal": "Portal"})
    topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": "RFC"})
    service = RestService(id=REGISTRY, provider=HttpProvider(base_url))
    service.allow(PORTAL)
    topology.add_service(service)
    return Emulator(topology)


def test_providers_reached_over_real_http_and_unreachable_ones() -> None:
    provider = RecordingProvider()
    with serve_in_thread(provider) as provider_url:
        emulator = _http_world(provider_url + "/agency")
        with XRoadClient("http://ss", PORTAL, transport=emulator.sync_transport()) as client:
            assert client.get(REGISTRY, "/rfc/A", params={"q": "1"}).json() == {"ok": True}
    assert (provider.seen[0].raw_path, provider.seen[0].query) == ("/agency/rfc/A", "q=1")
    unreachable = _http_world(f"http://127.0.0.1:{_closed_port()}")
    with (
        XRoadClient("http://ss", PORTAL, transport=unreachable.sync_transport()) as client,
        pytest.raises(ServerProxyFault) as caught,
    ):
        client.get(REGISTRY, "/rfc/A", idempotent=False)
    assert caught.value.code == "Server.ServerProxy.NetworkError"


def test_provider_exceptions_become_http_500_from_the_provider() -> None:
    async def crashing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("provider bug")

    topology = Topology(instance="MX")
    topology.add_member("MX/GOB/E24", "Empresa24", subsystems={"portal": "Portal"})
    topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": "RFC"})
    service = RestService(id=REGISTRY, provider=AsgiProvider(crashing))
    service.allow(PORTAL)
    topology.add_service(service)
    with XRoadClient("http://ss", PORTAL, transport=Emulator(topology).sync_transport()) as client:
        assert client.get(REGISTRY).status == 500


@pytest.mark.anyio
async def test_topology_can_change_at_run_time(registry: Registry) -> None:
    async with httpx.AsyncClient(
        transport=registry.emulator.async_transport(), base_url="http://ss"
    ) as http:
        before = await http.get("/r1/MX/GOB/SAT/rfc/fresh", headers=CLIENT)
        fresh = RestService(id=SAT.service("fresh"), provider=AsgiProvider(registry.provider))
        fresh.allow(PORTAL)
        registry.emulator.topology.add_service(fresh)
        after = await http.get("/r1/MX/GOB/SAT/rfc/fresh", headers=CLIENT)
    assert before.headers["x-road-error"] == "Server.ServerProxy.UnknownService"
    assert after.status_code == 200


def test_the_command_line_sets_the_message_log_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from xroad_client.emulator import __main__ as cli

    registry = registry_world(RecordingProvider())
    limits: list[int | None] = []
    monkeypatch.setattr(cli, "_load", lambda spec: registry.emulator)
    monkeypatch.setattr(
        cli,
        "serve",
        lambda app, *, host, port, tls: limits.append(app.topology.max_loggable_body_size),
    )
    for value in ("1048576", "0"):
        monkeypatch.setattr("sys.argv", ["x", "m:f", "--max-loggable-body-size", value])
        cli.main()
    assert limits == [1024 * 1024, None]
