"""`python -m sandbox --portal-api URL` offers the portal's agency API over X-Road.

A stub portal, served over real HTTP, stands in for Django: it records what the emulator
forwards and serves an OpenAPI description shaped like the one the portal serves.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.__main__ import parse_args, sandbox_emulator
from sandbox.register_api import PROVIDER, describe_when_reachable
from xroad_client import ServiceId
from xroad_client.emulator import Emulator, RestService, serve_in_thread

AGENCY = {"X-Road-Client": "MX-DEV/GOV/SAT/padron"}
STRANGER = {"X-Road-Client": "MX-DEV/GOV/QRO-SEDESU/empresa24"}
SERVED_DESCRIPTION = {
    "openapi": "3.1.0",
    "info": {"title": "Registro", "version": "1.0.0"},
    "servers": [],
    "paths": {
        "/api/v1/empresas": {"get": {"operationId": "search"}},
        "/api/v1/empresas/{numero}": {"get": {"operationId": "company"}},
        "/api/v1/documentos/{numero}": {"get": {"operationId": "documents"}},
        "/api/v1/cambios": {"get": {"operationId": "changes"}},
    },
}


class StubPortal:
    """The portal's API root at ``/api/v1``; ``openapi.json`` fails ``unready`` times first."""

    def __init__(self, *, unready: int = 0) -> None:
        self.unready = unready
        self.seen: list[tuple[str, str, str | None]] = []
        self.app = Starlette(
            routes=[
                Route("/api/v1/openapi.json", self.description),
                Route("/api/v1/{rest:path}", self.answer),
            ]
        )

    async def description(self, request: Request) -> JSONResponse:
        if self.unready > 0:
            self.unready -= 1
            return JSONResponse({"detail": "starting"}, status_code=503)
        return JSONResponse(SERVED_DESCRIPTION)

    async def answer(self, request: Request) -> JSONResponse:
        client = request.headers.get("x-road-client")
        self.seen.append((request.url.path, request.url.query, client))
        return JSONResponse({"items": [], "from": "portal"})


@pytest.fixture
def portal() -> Iterator[tuple[StubPortal, str]]:
    stub = StubPortal(unready=2)
    with serve_in_thread(stub.app) as url:
        yield stub, f"{url}/api/v1"


def _service(topology_of: Emulator, code: str) -> RestService:
    service = topology_of.topology.find_service(ServiceId.decode(f"{PROVIDER}/{code}"))
    assert isinstance(service, RestService)
    return service


def _listed(answer: httpx.Response) -> dict[str, list[tuple[str, str]]]:
    return {
        s["service_code"]: [(e["method"], e["path"]) for e in s["endpoint_list"]]
        for s in answer.json()["service"]
    }


def test_the_portal_api_option_comes_from_the_command_line_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PORTAL_API_URL", raising=False)
    assert parse_args([]).portal_api is None
    monkeypatch.setenv("PORTAL_API_URL", "http://127.0.0.1:8000/api/v1")
    assert parse_args([]).portal_api == "http://127.0.0.1:8000/api/v1"
    given = parse_args(["--portal-api", "http://127.0.0.1:9000/api/v1"])
    assert given.portal_api == "http://127.0.0.1:9000/api/v1"


def test_without_the_portal_api_option_the_registro_provider_is_not_offered() -> None:
    emulator = sandbox_emulator(None)
    with serve_in_thread(emulator) as url:
        listed = httpx.get(f"{url}/r1/{PROVIDER}/listMethods", headers=AGENCY)
        called = httpx.get(f"{url}/r1/{PROVIDER}/cambios", headers=AGENCY)
    for answer in (listed, called):
        assert answer.status_code == 500 and "UnknownMember" in answer.headers["X-Road-Error"]


def test_the_sandbox_emulator_forwards_the_agency_api_to_the_portal(
    portal: tuple[StubPortal, str],
) -> None:
    stub, api_root = portal
    emulator = sandbox_emulator(api_root)
    with serve_in_thread(emulator) as url:
        listed = httpx.get(f"{url}/r1/{PROVIDER}/listMethods", headers=AGENCY)
        changes = httpx.get(f"{url}/r1/{PROVIDER}/cambios?after=0", headers=AGENCY)
        company = httpx.get(f"{url}/r1/{PROVIDER}/empresas/QRO-2026-000001", headers=AGENCY)
        stranger = httpx.get(f"{url}/r1/{PROVIDER}/documentos/QRO-2026-000001", headers=STRANGER)
        population = httpx.get(f"{url}/r1/MX-DEV/GOV/RENAPO/poblacion/listMethods", headers=AGENCY)
    assert set(_listed(listed)) == {"empresas", "documentos", "cambios"}
    assert changes.status_code == 200 and changes.json() == {"items": [], "from": "portal"}
    assert changes.headers["X-Road-Service"] == f"{PROVIDER}/cambios"
    assert company.status_code == 200
    assert stub.seen == [
        ("/api/v1/cambios", "after=0", AGENCY["X-Road-Client"]),
        ("/api/v1/empresas/QRO-2026-000001", "", AGENCY["X-Road-Client"]),
    ]
    assert stranger.status_code == 500 and "AccessDenied" in stranger.headers["X-Road-Error"]
    assert "personas" in _listed(population)  # the sandbox's own registries are still there


@pytest.mark.anyio
async def test_the_services_take_the_portal_description_once_the_portal_serves_it(
    portal: tuple[StubPortal, str],
) -> None:
    stub, api_root = portal
    emulator = sandbox_emulator(api_root)
    transport = emulator.async_transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://ss") as xroad:
        before = await xroad.get(
            f"/r1/{PROVIDER}/getOpenAPI", params={"serviceCode": "empresas"}, headers=AGENCY
        )
        await asyncio.wait_for(
            describe_when_reachable(emulator.topology, api_root, retry_after=0.01), 10
        )
        after = await xroad.get(
            f"/r1/{PROVIDER}/getOpenAPI", params={"serviceCode": "empresas"}, headers=AGENCY
        )
        listed = await xroad.get(f"/r1/{PROVIDER}/listMethods", headers=AGENCY)
    assert before.status_code == 500 and "Invalid service type: REST" in before.text
    assert stub.unready == 0  # it asked again after the portal's 503s
    described: dict[str, Any] = after.json()
    assert set(described["paths"]) == {"/", "/{numero}"}
    assert _listed(listed) == {
        "empresas": [("GET", "/"), ("GET", "/*")],
        "documentos": [("GET", "/*")],
        "cambios": [("GET", "/")],
    }


@pytest.mark.anyio
async def test_the_sandbox_waits_for_a_portal_that_is_not_up_yet() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    api_root = f"http://127.0.0.1:{closed}/api/v1"
    emulator = sandbox_emulator(api_root)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(
            describe_when_reachable(emulator.topology, api_root, retry_after=0.01), 0.3
        )
    assert [_service(emulator, code).openapi for code in ("empresas", "cambios")] == [None, None]
