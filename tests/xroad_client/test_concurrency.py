"""Three calls to providers that each take 200 ms run concurrently (wall time < 1.5 x 200 ms),
in-process and over real HTTP."""

from __future__ import annotations

import time

import anyio
import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.worlds import PORTAL, SAT
from xroad_client import AsyncXRoadClient, RestResponse, ServiceId
from xroad_client.emulator import AsgiProvider, Emulator, RestService, Topology, serve_in_thread

DELAY = 0.2
REGISTRIES = [SAT.service(code) for code in ("rfc", "curp", "imss")]


def _world() -> tuple[Emulator, list[RecordingProvider]]:
    topology = Topology(instance="MX")
    topology.add_member("MX/GOB/E24", "Empresa24", subsystems={"portal": "Portal"})
    topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": "RFC"})
    providers = []
    for service_id in REGISTRIES:
        provider = RecordingProvider(delay=DELAY)
        service = RestService(id=service_id, provider=AsgiProvider(provider))
        service.allow(PORTAL)
        topology.add_service(service)
        providers.append(provider)
    return Emulator(topology), providers


async def _fan_out(client: AsyncXRoadClient) -> tuple[float, list[RestResponse]]:
    results: list[RestResponse] = []

    async def call(service: ServiceId) -> None:
        results.append(await client.get(service, "/check"))

    await client.list_clients()  # warm up the connection pool outside the measurement
    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for service in REGISTRIES:
            group.start_soon(call, service)
    return time.perf_counter() - started, results


def _check(elapsed: float, results: list[RestResponse], providers: list[RecordingProvider]) -> None:
    assert [r.status for r in results] == [200, 200, 200]
    assert [len(p.seen) for p in providers] == [1, 1, 1]
    assert DELAY <= elapsed < 1.5 * DELAY, f"3 concurrent calls took {elapsed:.3f} s"


@pytest.mark.anyio
async def test_three_calls_run_concurrently_in_process() -> None:
    emulator, providers = _world()
    async with AsyncXRoadClient(
        "http://ss", PORTAL, transport=emulator.async_transport()
    ) as client:
        elapsed, results = await _fan_out(client)
    _check(elapsed, results, providers)


@pytest.mark.anyio
async def test_three_calls_run_concurrently_over_real_http() -> None:
    emulator, providers = _world()
    with serve_in_thread(emulator) as base_url:
        async with AsyncXRoadClient(base_url, PORTAL) as client:
            elapsed, results = await _fan_out(client)
    _check(elapsed, results, providers)
