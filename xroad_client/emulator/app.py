"""The emulator: an ASGI app playing our Security Server and the providers' Security Servers.

Routing follows a real client-side Security Server: ``/r1/...`` is REST, ``GET /listClients``
is metadata, every other path is the SOAP endpoint; ``/_emulator/...`` is the control surface
(see :mod:`xroad_client.emulator.admin`).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Final

import httpx

from xroad_client.emulator._asgi import (
    ClientDisconnected,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    handle_lifespan,
    read_request,
    send_response,
)
from xroad_client.emulator.admin import ADMIN_PREFIX, handle_admin
from xroad_client.emulator.exchange_log import ExchangeDraft, ExchangeLog, ExchangeRecord
from xroad_client.emulator.faults import FaultBoard, FaultSpec
from xroad_client.emulator.metaservices import list_clients
from xroad_client.emulator.rest_proxy import handle_rest
from xroad_client.emulator.runtime import Runtime
from xroad_client.emulator.soap_proxy import handle_soap
from xroad_client.emulator.topology import Topology
from xroad_client.emulator.transports import EmulatorAsyncTransport, EmulatorSyncTransport
from xroad_client.identifiers import ServiceId

__all__ = ["Emulator"]

# Only /r1/ is REST (ClientRestMessageHandler); /r2/..., /r1 and the rest go to SOAP.
_REST_PREFIX: Final = "/r1/"

Handler = Callable[[Runtime, Request, ExchangeDraft], Awaitable[Response]]


def _service(value: ServiceId | str) -> ServiceId:
    return value if isinstance(value, ServiceId) else ServiceId.decode(value)


class Emulator:
    """A faithful-enough X-Road Security Server pair for tests and the local sandbox.

    >>> emulator = Emulator(topology)
    >>> async with AsyncXRoadClient("http://ss", "MX/GOB/E24/portal",
    ...                             transport=emulator.async_transport()) as xroad: ...
    """

    def __init__(self, topology: Topology, *, seed: int | None = None, log_size: int = 10_000):
        self._runtime = Runtime(
            topology=topology,
            faults=FaultBoard(),
            log=ExchangeLog(log_size),
            rng=random.Random(seed),  # noqa: S311 - fault injection, not security
        )

    @property
    def topology(self) -> Topology:
        return self._runtime.topology

    # -- ASGI ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await handle_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            request = await read_request(scope, receive)
        except ClientDisconnected:
            return
        await send_response(send, await self._route(request))

    async def _route(self, request: Request) -> Response:
        path = request.raw_path
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return handle_admin(self._runtime, request)
        if path.startswith(_REST_PREFIX):
            return await self._logged(
                request, ExchangeDraft("REST", request.method, request.target), handle_rest
            )
        if path == "/listClients" and request.method == "GET":
            draft = ExchangeDraft("META", request.method, path)
            response = list_clients(self._runtime, request)
            draft.status = response.status
            self._runtime.log.add(draft.finish())
            return response
        return await self._logged(
            request, ExchangeDraft("SOAP", request.method, request.target), handle_soap
        )

    async def _logged(self, request: Request, draft: ExchangeDraft, handler: Handler) -> Response:
        try:
            return await handler(self._runtime, request, draft)
        finally:  # also when the caller gave up and the task was cancelled
            self._runtime.log.add(draft.finish())

    # -- control ---------------------------------------------------------------------------

    def inject_fault(self, service: ServiceId | str, spec: FaultSpec) -> None:
        """Make ``service`` misbehave from now on (replaces its previous fault)."""
        self._runtime.faults.set(_service(service), spec)

    def clear_faults(self, service: ServiceId | str | None = None) -> None:
        """Make one service (or every service) behave again."""
        self._runtime.faults.clear(None if service is None else _service(service))

    def faults(self) -> dict[ServiceId, FaultSpec]:
        return self._runtime.faults.snapshot()

    def exchanges(
        self, *, x_road_id: str | None = None, service: ServiceId | str | None = None
    ) -> list[ExchangeRecord]:
        """Logged exchanges, oldest first, optionally for one X-Road-Id and/or service."""
        wanted = None if service is None else _service(service).encode()
        return self._runtime.log.query(x_road_id=x_road_id, service=wanted)

    def clear_exchanges(self) -> None:
        self._runtime.log.clear()

    # -- transports ------------------------------------------------------------------------

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """For ``AsyncXRoadClient(..., transport=...)``: in-process, read timeouts honoured."""
        return EmulatorAsyncTransport(self)

    def sync_transport(self) -> httpx.BaseTransport:
        """For ``XRoadClient(..., transport=...)``: runs the app on a background loop thread."""
        return EmulatorSyncTransport(self)
