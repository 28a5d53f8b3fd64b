"""Streamed REST bodies both ways, over real HTTP, in bounded memory."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.conftest import FAST_RETRY
from tests.xroad_client.worlds import PORTAL, REGISTRY, SAT, SEALED, Registry, registry_world
from xroad_client import (
    AsyncXRoadClient,
    ClientId,
    ClientProxyFault,
    ErrorSpelling,
    Exchange,
    InvalidRequestError,
    ResponseTooLargeError,
    ServerProxyFault,
    ServerProxyServiceFailed,
    XRoadClient,
)
from xroad_client.emulator import (
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

MIB = 1024 * 1024
BLOB = SAT.service("blob")


async def blob_provider(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers ``/blob/{mebibytes}`` with that many MiB, generated 64 KiB at a time."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body", False):
        pass
    size = int(scope["path"].rsplit("/", 1)[-1]) * MIB
    headers = [(b"content-type", b"application/octet-stream")]
    if "sized" in scope["path"]:
        headers.append((b"content-length", str(size).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    chunk = b"\x07" * (64 * 1024)
    for _ in range(size // len(chunk)):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


@pytest.fixture(scope="module")
def blob_world() -> Iterator[str]:
    """The emulator over real HTTP, relaying a provider that is itself served over HTTP."""
    with serve_in_thread(blob_provider) as provider_url:
        topology = Topology(instance="MX")
        topology.add_member("MX/GOB/E24", "Empresa24", subsystems={"portal": None})
        topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": None})
        service = RestService(id=BLOB, provider=HttpProvider(provider_url))
        service.allow(PORTAL)
        topology.add_service(service)
        with serve_in_thread(Emulator(topology)) as base_url:
            yield base_url


@pytest.fixture(params=list(ErrorSpelling), ids=lambda s: s.value)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Registry, str]]:
    registry = registry_world(RecordingProvider(), spelling=request.param)
    with serve_in_thread(registry.emulator) as base_url:
        yield registry, base_url


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, total, size):
        yield b"u" * min(size, total - start)


# -- uploads ---------------------------------------------------------------------------------


def test_an_iterator_is_uploaded_as_it_is_read_and_sent_once(
    served: tuple[Registry, str],
) -> None:
    registry, base_url = served
    registry.emulator.inject_fault(REGISTRY, FaultSpec(error_rate=1.0))  # transient, would retry
    seen: list[Exchange] = []
    with (
        XRoadClient(base_url, PORTAL, retry=FAST_RETRY, on_exchange=seen.append) as client,
        pytest.raises(ServerProxyServiceFailed),
    ):
        client.post(REGISTRY, "/rfc/A/checks", content=_chunks(3 * MIB), idempotent=True)
    assert [(e.attempt, e.will_retry) for e in seen] == [(1, False)]  # a stream is read once
    registry.emulator.clear_faults()
    with XRoadClient(base_url, PORTAL, retry=FAST_RETRY) as client:
        response = client.post(REGISTRY, "/rfc/A/checks", content=_chunks(3 * MIB + 5))
    assert response.status == 200
    assert registry.provider.seen[-1].body == b"u" * (3 * MIB + 5)


def test_a_file_is_uploaded_in_chunks_with_its_length(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF" + b"p" * (MIB - 4))
    sent: list[tuple[str | None, int, int]] = []

    class Counting(httpx.BaseTransport):  # MockTransport would read the body whole first
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            assert isinstance(request.stream, httpx.SyncByteStream)
            pieces = list(request.stream)
            length = request.headers.get("content-length")
            sent.append((length, len(pieces), sum(map(len, pieces))))
            return httpx.Response(200, headers={"x-road-id": request.headers["x-road-id"]})

    transport = Counting()
    with XRoadClient("http://ss", PORTAL, transport=transport) as client, path.open("rb") as file:
        file.read(4)  # the rest of the file from here
        client.post(REGISTRY, "/documents", content=file)
    assert sent == [(str(MIB - 4), 16, MIB - 4)]


def test_a_text_file_or_an_async_iterable_is_refused_by_the_sync_client() -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"x"

    refuse = httpx.MockTransport(lambda request: httpx.Response(500))
    with XRoadClient("http://ss", PORTAL, transport=refuse) as client:
        with pytest.raises(InvalidRequestError, match="AsyncXRoadClient"):
            client.post(REGISTRY, "/x", content=parts())
        with pytest.raises(InvalidRequestError, match="binary mode"):
            client.post(REGISTRY, "/x", content=io.StringIO("text"))


@pytest.mark.anyio
async def test_the_async_client_uploads_async_iterables_and_files(
    served: tuple[Registry, str], tmp_path: Path
) -> None:
    registry, base_url = served

    async def parts() -> AsyncIterator[bytes]:
        for chunk in _chunks(2 * MIB):
            await anyio.sleep(0)
            yield chunk

    path = tmp_path / "deed.bin"
    path.write_bytes(b"d" * (MIB + 3))
    async with AsyncXRoadClient(base_url, PORTAL, retry=FAST_RETRY) as client:
        first = await client.post(REGISTRY, "/rfc/A/checks", content=parts())
        with path.open("rb") as file:
            second = await client.post(REGISTRY, "/rfc/B/checks", content=file)
        third = await client.post(REGISTRY, "/rfc/C/checks", content=_chunks(10))
    assert (first.status, second.status, third.status) == (200, 200, 200)
    bodies = [seen.body for seen in registry.provider.seen]
    assert bodies == [b"u" * 2 * MIB, b"d" * (MIB + 3), b"u" * 10]


# -- downloads -------------------------------------------------------------------------------


def _peak_while(read: Iterator[bytes]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        total = sum(len(chunk) for chunk in read)
        return total, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", ["40", "sized/40"])
def test_a_download_over_the_buffer_cap_streams_in_bounded_memory(
    blob_world: str, name: str
) -> None:
    seen: list[Exchange] = []
    with XRoadClient(blob_world, PORTAL, on_exchange=seen.append) as client:
        with pytest.raises(ResponseTooLargeError):
            client.get(BLOB, f"/blob/{name}")  # buffered: refused past 32 MiB
        with client.stream("GET", BLOB, f"/blob/{name}") as answer:
            assert answer.status == 200 and answer.media_type == "application/octet-stream"
            assert answer.x_road.service_id == BLOB
            total, peak = _peak_while(answer.iter_bytes())
    assert total == 40 * MIB
    assert peak < 4 * MIB  # the servers' chunks in this process included
    assert [e.status for e in seen] == [200, 200]


def test_copy_to_writes_the_body_to_a_file(blob_world: str, tmp_path: Path) -> None:
    target = tmp_path / "blob.bin"
    with (
        XRoadClient(blob_world, PORTAL) as client,
        client.stream("GET", BLOB, "/blob/3") as answer,
        target.open("wb") as file,
    ):
        assert answer.copy_to(file) == 3 * MIB
    assert target.stat().st_size == 3 * MIB


def test_a_fault_raises_before_the_stream_is_handed_over(served: tuple[Registry, str]) -> None:
    _, base_url = served
    with XRoadClient(base_url, PORTAL, retry=FAST_RETRY) as client:
        with pytest.raises(ServerProxyFault) as caught, client.stream("GET", SEALED, "/x"):
            pytest.fail("the block must not run")
        assert caught.value.code == "Server.ServerProxy.AccessDenied"
        stranger = ClientId("MX", "GOB", "NOPE", "rfc").service("x")
        with (
            pytest.raises(ClientProxyFault, match="Could not find addresses"),
            client.stream("GET", stranger, "/x"),
        ):
            pass


def test_a_stream_is_retried_until_its_headers_arrive(served: tuple[Registry, str]) -> None:
    registry, base_url = served
    registry.emulator.inject_fault(REGISTRY, FaultSpec(error_rate=1.0))
    seen: list[Exchange] = []
    with (
        XRoadClient(base_url, PORTAL, retry=FAST_RETRY, on_exchange=seen.append) as client,
        pytest.raises(ServerProxyServiceFailed),
        client.stream("GET", REGISTRY, "/rfc/A"),
    ):
        pass
    assert [(e.attempt, e.will_retry) for e in seen] == [(1, True), (2, True), (3, False)]
    registry.emulator.clear_faults()
    with (
        XRoadClient(base_url, PORTAL) as client,
        client.stream("GET", REGISTRY, "/rfc/A") as answer,
    ):
        assert b"".join(answer.iter_bytes()) == b'{"ok": true}'


@pytest.mark.anyio
async def test_the_async_client_streams_a_download(blob_world: str) -> None:
    seen: list[Exchange] = []
    async with (
        AsyncXRoadClient(blob_world, PORTAL, on_exchange=seen.append) as client,
        client.stream("GET", BLOB, "/blob/sized/34") as answer,
    ):
        total = 0
        async for chunk in answer.aiter_bytes():
            total += len(chunk)
    assert total == 34 * MIB
    assert [e.status for e in seen] == [200]
