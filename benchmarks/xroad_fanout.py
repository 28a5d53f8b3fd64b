"""Fan-out through the X-Road emulator: sequential vs concurrent calls, and client overhead.

Run from the repository root:  python benchmarks/xroad_fanout.py

Prints (no assertions):
- wall time of 3 and 10 calls to providers answering in 200 ms, one after another and
  concurrently, both in-process (ASGI transport) and over real HTTP (uvicorn on loopback);
- the client's overhead per call against raw httpx on the same transport, with a provider
  answering at once;
- the peak memory of a 100 MiB streamed download (``XRoadClient.stream``) against httpx
  streaming the same bytes from the same emulator, as a ratio. The emulator and the provider
  run in a child process, so only the client's allocations are traced (tracemalloc).
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xroad_client import AsyncXRoadClient, ClientId, RestResponse, ServiceId, XRoadClient
from xroad_client.emulator import (
    AsgiProvider,
    Emulator,
    HttpProvider,
    Receive,
    RestService,
    Scope,
    Send,
    Topology,
    serve_in_thread,
)

PORTAL = ClientId("MX", "GOB", "E24", "portal")
REGISTRY = ServiceId(ClientId("MX", "GOB", "SAT", "rfc"), "validate")
DELAY = 0.2
OVERHEAD_CALLS = 300
BLOB = ServiceId(ClientId("MX", "GOB", "SAT", "rfc"), "blob")
STREAM_BYTES = 100 * 1024 * 1024
STREAM_CHUNK = 64 * 1024


def provider(delay: float) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body", False):
            pass
        if delay:
            await anyio.sleep(delay)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"valid": true}'})

    return app


def emulator(delay: float) -> Emulator:
    topology = Topology(instance="MX")
    topology.add_member("MX/GOB/E24", "Empresa24", subsystems={"portal": "Portal"})
    topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": "RFC register"})
    service = RestService(id=REGISTRY, provider=AsgiProvider(provider(delay)))
    service.allow(PORTAL)
    topology.add_service(service)
    return Emulator(topology, log_size=100)


async def sequential(client: AsyncXRoadClient, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await client.get(REGISTRY, "/rfc/A")
    return time.perf_counter() - started


async def concurrent(client: AsyncXRoadClient, calls: int) -> float:
    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(calls):
            group.start_soon(client.get, REGISTRY, "/rfc/A")
    return time.perf_counter() - started


async def fan_out(label: str, client: AsyncXRoadClient) -> float:
    """Prints the wall times; returns the speed-up of the last (the largest) fan-out."""
    await client.get(REGISTRY, "/rfc/warm-up")
    speed_up = 0.0
    for calls in (3, 10):
        one_by_one = await sequential(client, calls)
        together = await concurrent(client, calls)
        print(
            f"  {label:<12} {calls:>2} calls: sequential {one_by_one * 1000:7.1f} ms"
            f"   concurrent {together * 1000:6.1f} ms   speed-up x{one_by_one / together:4.1f}"
        )
        speed_up = one_by_one / together
    return speed_up


async def timed(call: Callable[[], Awaitable[httpx.Response | RestResponse]]) -> float:
    started = time.perf_counter()
    response = await call()
    response.json()
    return time.perf_counter() - started


async def interleaved(
    http: httpx.AsyncClient, client: AsyncXRoadClient, base_url: str
) -> tuple[list[float], list[float]]:
    """Raw and client calls alternate, so drift on the machine hits both alike."""
    url = f"{base_url}/r1/{REGISTRY.encode()}/rfc/A"

    def raw() -> Awaitable[httpx.Response]:
        headers = {"X-Road-Client": PORTAL.encode(), "X-Road-Id": str(uuid.uuid4())}
        return http.get(url, headers=headers)

    def ours() -> Awaitable[RestResponse]:
        return client.get(REGISTRY, "/rfc/A")

    raw_times, our_times = [], []
    for _ in range(OVERHEAD_CALLS):
        raw_times.append(await timed(raw))
        our_times.append(await timed(ours))
    return raw_times, our_times


def report_overhead(label: str, raw: list[float], ours: list[float]) -> None:
    raw_us = statistics.median(raw) * 1e6
    ours_us = statistics.median(ours) * 1e6
    print(
        f"  {label:<12} median per call: raw httpx {raw_us:7.0f} us   xroad_client {ours_us:7.0f} us"
        f"   overhead {ours_us - raw_us:6.0f} us"
    )


async def overhead(
    label: str, base_url: str, make: Callable[[], httpx.AsyncBaseTransport | None]
) -> None:
    async with (
        httpx.AsyncClient(transport=make()) as http,
        AsyncXRoadClient(base_url, PORTAL, transport=make()) as client,
    ):
        await interleaved(http, client, base_url)  # warm up
        raw, ours = await interleaved(http, client, base_url)
    report_overhead(label, raw, ours)


async def blob_provider(scope: Scope, receive: Receive, send: Send) -> None:
    """STREAM_BYTES of generated bytes, sent 64 KiB at a time, with a Content-Length."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body", False):
        pass
    headers = [
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(STREAM_BYTES).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    chunk = b"\x5a" * STREAM_CHUNK
    for _ in range(STREAM_BYTES // STREAM_CHUNK):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def serve_blob_world(conn: Connection) -> None:
    """In a child process: the provider over HTTP, the emulator relaying it over HTTP."""
    with serve_in_thread(blob_provider) as provider_url:
        topology = Topology(instance="MX")
        topology.add_member("MX/GOB/E24", "Empresa24", subsystems={"portal": "Portal"})
        topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": "RFC register"})
        service = RestService(id=BLOB, provider=HttpProvider(provider_url), timeout_s=120)
        service.allow(PORTAL)
        topology.add_service(service)
        with serve_in_thread(Emulator(topology, log_size=10)) as base_url:
            conn.send(base_url)
            conn.recv()  # until the parent is done


def traced_peak(read: Callable[[], Iterator[bytes]]) -> tuple[int, int, float]:
    """Bytes read, peak traced memory while reading, seconds."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        started = time.perf_counter()
        total = sum(len(chunk) for chunk in read())
        elapsed = time.perf_counter() - started
        return total, tracemalloc.get_traced_memory()[1], elapsed
    finally:
        tracemalloc.stop()


def streamed_download_memory() -> None:
    parent, child = multiprocessing.get_context("fork").Pipe()
    world = multiprocessing.get_context("fork").Process(target=serve_blob_world, args=(child,))
    world.start()
    try:
        base_url = parent.recv()
        url = f"{base_url}/r1/{BLOB.encode()}/blob"
        with XRoadClient(base_url, PORTAL) as client, httpx.Client() as http:

            def ours() -> Iterator[bytes]:
                with client.stream("GET", BLOB, "/blob") as answer:
                    yield from answer.iter_bytes()

            def raw() -> Iterator[bytes]:
                headers = {"X-Road-Client": PORTAL.encode(), "X-Road-Id": str(uuid.uuid4())}
                with http.stream("GET", url, headers=headers) as response:
                    yield from response.iter_bytes()

            sum(len(c) for c in ours())  # warm up both paths
            sum(len(c) for c in raw())
            raw_total, raw_peak, raw_s = traced_peak(raw)
            our_total, our_peak, our_s = traced_peak(ours)
    finally:
        parent.send("stop")
        world.join(timeout=30)
    mib = 1024 * 1024
    assert raw_total == our_total == STREAM_BYTES, (raw_total, our_total)
    print(
        f"\nA {STREAM_BYTES // mib} MiB streamed download over real HTTP (peak traced memory"
        " of the client process while reading)"
    )
    print(f"  raw httpx      {raw_peak / 1024:8.0f} KiB   {STREAM_BYTES / mib / raw_s:6.0f} MiB/s")
    print(f"  xroad_client   {our_peak / 1024:8.0f} KiB   {STREAM_BYTES / mib / our_s:6.0f} MiB/s")
    print(
        f"  ratio xroad_client/httpx x{our_peak / raw_peak:4.2f}"
        f"   (the body is {STREAM_BYTES / our_peak:,.0f} times the client's peak)"
    )


async def main() -> None:
    slow = emulator(DELAY)
    print(f"Fan-out to a provider answering in {DELAY * 1000:.0f} ms")
    async with AsyncXRoadClient("http://ss", PORTAL, transport=slow.async_transport()) as client:
        await fan_out("in-process", client)
    with serve_in_thread(slow) as base_url:
        async with AsyncXRoadClient(base_url, PORTAL) as client:
            speed_up = await fan_out("real HTTP", client)

    fast = emulator(0.0)
    print(f"\nClient overhead against raw httpx on the same transport ({OVERHEAD_CALLS} calls)")
    await overhead("in-process", "http://ss", fast.async_transport)
    with serve_in_thread(fast) as base_url:
        await overhead("real HTTP", base_url, lambda: None)
    print(f"HEADLINE xroad_fanout {speed_up:.1f} x faster concurrently than one by one (10 calls)")


if __name__ == "__main__":
    anyio.run(main)
    streamed_download_memory()
