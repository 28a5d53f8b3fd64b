"""httpx transports that call an ASGI app in-process and honour read timeouts.

:class:`EmulatorAsyncTransport` runs the app in the caller's event loop;
:class:`EmulatorSyncTransport` runs it on a background event-loop thread (anyio's blocking
portal) so the synchronous client can talk to it in tests.
"""

from __future__ import annotations

import threading

import anyio
import httpx
from anyio.from_thread import BlockingPortal

from xroad_client.emulator._asgi import ASGIApp

__all__ = ["EmulatorAsyncTransport", "EmulatorSyncTransport"]


def _read_timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout")
    if not isinstance(timeouts, dict):
        return None
    value = timeouts.get("read")
    return float(value) if isinstance(value, int | float) else None


class EmulatorAsyncTransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` plus the request's read timeout, like a real socket."""

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            with anyio.fail_after(_read_timeout(request)):
                return await self._inner.handle_async_request(request)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("emulated read timeout", request=request) from exc


def _start_portal(name: str) -> tuple[BlockingPortal, threading.Thread]:
    """An event loop on a daemon thread (so a transport left open never blocks exit)."""
    started = threading.Event()
    portals: list[BlockingPortal] = []

    async def serve() -> None:
        async with BlockingPortal() as portal:
            portals.append(portal)
            started.set()
            await portal.sleep_until_stopped()

    thread = threading.Thread(target=anyio.run, args=(serve,), name=name, daemon=True)
    thread.start()
    if not started.wait(timeout=10):
        raise RuntimeError("the emulator's event-loop thread did not start")
    return portals[0], thread


class EmulatorSyncTransport(httpx.BaseTransport):
    """A blocking transport over the ASGI app, served on a private event-loop thread.

    Close it (``httpx.Client.close()`` does) to stop the thread.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._async = EmulatorAsyncTransport(app)
        self._portal, self._thread = _start_portal("xroad-emulator-transport")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        copy = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )
        status, headers, content = self._portal.call(self._round_trip, copy)
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _round_trip(
        self, request: httpx.Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._async.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def close(self) -> None:
        if self._thread.is_alive():
            self._portal.call(self._portal.stop, True)
            self._thread.join(timeout=10)
