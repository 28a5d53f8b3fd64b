"""Retries: idempotent calls only, transient failures only, backoff under a total deadline."""

from __future__ import annotations

import random
import time

import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.conftest import FAST_RETRY
from tests.xroad_client.worlds import CURP, PORTAL, REGISTRY, SEALED, Registry, registry_world
from xroad_client import (
    AsyncXRoadClient,
    Exchange,
    RetryPolicy,
    ServerProxyFault,
    ServerProxyServiceFailed,
    Timeouts,
    XRoadClient,
    XRoadTimeout,
)
from xroad_client.emulator import FaultSpec

SHORT_READ = Timeouts(connect=1.0, read=0.1, write=1.0, pool=1.0)
SLOW = FaultSpec(latency_ms=400)
FLAKY = FaultSpec(error_rate=1.0)  # Server.ServerProxy.ServiceFailed.IOError on every call


def _client(
    registry: Registry,
    seen: list[Exchange],
    *,
    retry: RetryPolicy = FAST_RETRY,
    timeouts: Timeouts = SHORT_READ,
) -> XRoadClient:
    return XRoadClient(
        "http://ss",
        PORTAL,
        transport=registry.emulator.sync_transport(),
        on_exchange=seen.append,
        retry=retry,
        timeouts=timeouts,
    )


def test_get_is_retried_on_timeout_with_the_same_x_road_id(registry: Registry) -> None:
    registry.emulator.inject_fault(REGISTRY, SLOW)
    seen: list[Exchange] = []
    with _client(registry, seen) as client, pytest.raises(XRoadTimeout):
        client.get(REGISTRY, "/rfc/A")
    assert [(e.attempt, e.will_retry) for e in seen] == [(1, True), (2, True), (3, False)]
    assert len({e.x_road_id for e in seen}) == 1
    assert all(e.error and e.error.startswith("XRoadTimeout") for e in seen)
    logged = registry.emulator.exchanges(x_road_id=seen[0].x_road_id)
    assert len(logged) == 3 and {r.status for r in logged} == {None}  # caller hung up each time


def test_post_is_not_retried_unless_marked_idempotent(registry: Registry) -> None:
    registry.emulator.inject_fault(REGISTRY, SLOW)
    seen: list[Exchange] = []
    with _client(registry, seen) as client:
        with pytest.raises(XRoadTimeout):
            client.post(REGISTRY, "/rfc/A/checks", json={})
        assert len(seen) == 1
        with pytest.raises(XRoadTimeout):
            client.post(REGISTRY, "/rfc/A/checks", json={}, idempotent=True)
    assert len(seen) == 4


def test_access_denied_is_never_retried(registry: Registry) -> None:
    seen: list[Exchange] = []
    with _client(registry, seen) as client, pytest.raises(ServerProxyFault):
        client.get(SEALED, "/x")
    assert len(seen) == 1 and seen[0].fault_code == "server.serverproxy.access_denied"


def test_get_marked_not_idempotent_is_not_retried(registry: Registry) -> None:
    registry.emulator.inject_fault(REGISTRY, FLAKY)
    seen: list[Exchange] = []
    with _client(registry, seen) as client, pytest.raises(ServerProxyServiceFailed):
        client.get(REGISTRY, "/rfc/A", idempotent=False)
    assert len(seen) == 1


def test_transient_fault_is_retried_until_it_clears(registry: Registry) -> None:
    registry.emulator.inject_fault(REGISTRY, FLAKY)
    seen: list[Exchange] = []

    def hook(exchange: Exchange) -> None:
        seen.append(exchange)
        registry.emulator.clear_faults(REGISTRY)  # the registry recovers after one failure

    with XRoadClient(
        "http://ss",
        PORTAL,
        transport=registry.emulator.sync_transport(),
        retry=FAST_RETRY,
        on_exchange=hook,
    ) as client:
        response = client.get(REGISTRY, "/rfc/A")
    assert response.status == 200
    assert [(e.fault_code, e.status) for e in seen] == [
        ("Server.ServerProxy.ServiceFailed.IOError", 500),
        (None, 200),
    ]
    assert len(registry.provider.seen) == 1


def test_retries_stop_at_the_total_deadline(registry: Registry) -> None:
    registry.emulator.inject_fault(REGISTRY, FaultSpec(latency_ms=2000))
    seen: list[Exchange] = []
    policy = RetryPolicy(max_attempts=10, base_delay=0.01, max_delay=0.02, deadline=0.35)
    timeouts = Timeouts(connect=1.0, read=0.2, write=1.0, pool=1.0)
    started = time.monotonic()
    with (
        _client(registry, seen, retry=policy, timeouts=timeouts) as client,
        pytest.raises(XRoadTimeout),
    ):
        client.get(REGISTRY, "/rfc/A")
    assert time.monotonic() - started < 0.9
    assert 2 <= len(seen) <= 3 and seen[-1].will_retry is False


def test_backoff_grows_exponentially_with_full_jitter() -> None:
    policy = RetryPolicy(base_delay=0.1, multiplier=2.0, max_delay=0.3)
    rng = random.Random(3)
    samples = {n: [policy.backoff(n, rng) for _ in range(200)] for n in (1, 2, 3, 4)}
    for n, ceiling in ((1, 0.1), (2, 0.2), (3, 0.3), (4, 0.3)):
        assert all(0 <= s <= ceiling for s in samples[n])
        assert max(samples[n]) > ceiling * 0.8  # jitter spreads over the whole range
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_soap_calls_are_retried_only_when_marked_idempotent() -> None:
    registry = registry_world(RecordingProvider())
    registry.emulator.inject_fault(CURP, FLAKY)
    seen: list[Exchange] = []
    body = '<c:curpLookup xmlns:c="http://sat.example/curp"/>'
    with _client(registry, seen) as client:
        with pytest.raises(ServerProxyServiceFailed):
            client.soap(CURP, body)
        assert len(seen) == 1
        with pytest.raises(ServerProxyServiceFailed):
            client.soap(CURP, body, idempotent=True)
    assert len(seen) == 4 and len({e.x_road_id for e in seen[1:]}) == 1
    assert registry.soap_provider.seen == []  # the fault hit before the provider


@pytest.mark.anyio
async def test_async_client_retries_on_timeout(registry: Registry) -> None:
    registry.emulator.inject_fault(REGISTRY, SLOW)
    seen: list[Exchange] = []
    async with AsyncXRoadClient(
        "http://ss",
        PORTAL,
        transport=registry.emulator.async_transport(),
        retry=FAST_RETRY,
        timeouts=SHORT_READ,
        on_exchange=seen.append,
    ) as client:
        with pytest.raises(XRoadTimeout):
            await client.get(REGISTRY, "/rfc/A")
        with pytest.raises(XRoadTimeout):
            await client.post(REGISTRY, "/rfc/A/checks")
    assert [e.method for e in seen] == ["GET", "GET", "GET", "POST"]
