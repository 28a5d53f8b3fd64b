"""Fixtures for the xroad_client tests (no Django involved)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.worlds import PORTAL, Registry, registry_world
from xroad_client import Exchange, RetryPolicy, XRoadClient

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.005, deadline=5.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def registry() -> Registry:
    """A small world: the portal subsystem and one REST registry answering 200 JSON."""
    return registry_world(RecordingProvider())


@pytest.fixture
def exchanges() -> list[Exchange]:
    return []


@pytest.fixture
def sync_client(registry: Registry, exchanges: list[Exchange]) -> Iterator[XRoadClient]:
    with XRoadClient(
        "http://ss.test",
        PORTAL,
        transport=registry.emulator.sync_transport(),
        retry=FAST_RETRY,
        on_exchange=exchanges.append,
    ) as client:
        yield client
