"""Failover across several consumer Security Servers, over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.conftest import FAST_RETRY
from tests.xroad_client.worlds import PORTAL, REGISTRY, Registry, registry_world
from xroad_client import (
    AsyncXRoadClient,
    ErrorSpelling,
    Exchange,
    InvalidRequestError,
    ServerProxyServiceFailed,
    XRoadClient,
    XRoadTransportError,
)
from xroad_client.emulator import FaultSpec, serve_in_thread


def dead_url() -> str:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=list(ErrorSpelling), ids=lambda s: s.value)
def two_servers(request: pytest.FixtureRequest) -> Iterator[tuple[Registry, str, Registry, str]]:
    first = registry_world(RecordingProvider(), spelling=request.param)
    second = registry_world(RecordingProvider(), spelling=request.param)
    with serve_in_thread(first.emulator) as one, serve_in_thread(second.emulator) as two:
        yield first, one, second, two


def test_a_server_that_refuses_the_connection_gives_way_to_the_next(
    two_servers: tuple[Registry, str, Registry, str],
) -> None:
    _, _, second, two = two_servers
    down = dead_url()
    seen: list[Exchange] = []
    with XRoadClient(down, PORTAL, failover=[two], on_exchange=seen.append) as client:
        assert client.security_server_url == down
        created = client.post(REGISTRY, "/rfc/A/checks", json={"n": 1})  # not idempotent: fine
        assert client.security_server_url == two  # preferred from now on
        fetched = client.get(REGISTRY, "/rfc/A")
    assert (created.status, fetched.status) == (200, 200)
    assert [(e.attempt, e.status) for e in seen] == [(1, 200), (1, 200)]
    assert [e.security_server_url for e in seen] == [two, two]  # for the audit trail
    assert [s.method for s in second.provider.seen] == ["POST", "GET"]


def test_other_failures_stay_with_the_server_and_the_retry_policy(
    two_servers: tuple[Registry, str, Registry, str],
) -> None:
    first, one, second, two = two_servers
    first.emulator.inject_fault(REGISTRY, FaultSpec(error_rate=1.0))
    seen: list[Exchange] = []
    with (
        XRoadClient(one, PORTAL, failover=[two], retry=FAST_RETRY, on_exchange=seen.append) as c,
        pytest.raises(ServerProxyServiceFailed),
    ):
        c.get(REGISTRY, "/rfc/A")
    assert len(seen) == 3 and len(first.emulator.exchanges()) == 3
    assert second.emulator.exchanges() == [] and second.provider.seen == []


def test_every_server_down_is_a_transport_error() -> None:
    first, last = dead_url(), dead_url()
    seen: list[Exchange] = []
    with (
        XRoadClient(first, PORTAL, failover=[last], retry=FAST_RETRY, on_exchange=seen.append) as c,
        pytest.raises(XRoadTransportError, match="ConnectError"),
    ):
        c.get(REGISTRY, "/rfc/A")
    assert {e.security_server_url for e in seen} == {last}  # the last one tried


def test_the_failover_list_is_checked() -> None:
    with pytest.raises(InvalidRequestError, match="twice"):
        XRoadClient("http://ss:8080", PORTAL, failover=["http://ss:8080/"])
    with pytest.raises(InvalidRequestError, match="list of base URLs"):
        XRoadClient("http://ss:8080", PORTAL, failover="http://ss2:8080")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="http"):
        XRoadClient("http://ss:8080", PORTAL, failover=["ftp://ss2"])


@pytest.mark.anyio
async def test_the_async_client_fails_over_for_calls_and_streams(
    two_servers: tuple[Registry, str, Registry, str],
) -> None:
    _, _, second, two = two_servers
    async with AsyncXRoadClient(dead_url(), PORTAL, failover=[two]) as client:
        async with client.stream("GET", REGISTRY, "/rfc/S") as answer:
            body = b"".join([chunk async for chunk in answer.aiter_bytes()])
        response = await client.get(REGISTRY, "/rfc/A")
    assert body == b'{"ok": true}' and response.status == 200
    assert [s.raw_path for s in second.provider.seen] == ["/api/rfc/S", "/api/rfc/A"]


def test_a_streamed_upload_fails_over_since_nothing_was_sent(
    two_servers: tuple[Registry, str, Registry, str],
) -> None:
    _, _, second, two = two_servers
    with XRoadClient(dead_url(), PORTAL, failover=[two]) as client:
        client.post(REGISTRY, "/rfc/A/checks", content=iter([b"a" * 1000, b"b"]))
    assert second.provider.seen[-1].body == b"a" * 1000 + b"b"
