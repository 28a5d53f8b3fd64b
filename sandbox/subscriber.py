"""An agency that subscribed to the register's changes: the receiving end of the portal's push.

X-Road: `MX-DEV/GOV/SAT/padron`, service `avisos` (the tax registry hears of new and changed
companies). `POST /v1/cambios` takes one change, as the portal's change feed shows it, with its
idempotency key in the `Idempotency-Key` header (and the body's `clave`). The subscriber keeps
every receipt (`receipts`, a retry included) and each key once (`changes`, in the order first
received): a change sent again under a key it already has is answered 200 with
`"duplicado": true` and not kept twice.

It can be told to fail, in-process (`Subscriber.fail_next`, `Subscriber.down`) or over HTTP
(`POST /control` with `{"fail_next": 3}`, `{"lose_next": 1}` or `{"down": true}`; `DELETE /control` forgets
everything): while down it answers 503; each failure it was told of answers 500.
`GET /control` lists what it kept.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.providers.http import (
    RegistryError,
    error_reply,
    json_body,
    openapi_document,
    read_json_object,
    registry_app,
)
from xroad_client import ServiceId
from xroad_client.emulator import AsgiProvider, Topology

IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Receipt:
    key: str
    cursor: int
    company: str
    kind: str
    received_at: float  # time.time() when it arrived


@dataclass
class Subscriber:
    """What the agency received, and how it is to misbehave. Thread-safe: the emulator serves
    it on its own thread while a test reads it."""

    down: bool = False
    failures_left: int = 0
    losses_left: int = 0
    answer_after: float = 0.0  # seconds it waits, once a change is kept, before it answers
    receipts: list[Receipt] = field(default_factory=list)
    kept: dict[str, Receipt] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fail_next(self, times: int) -> None:
        with self._lock:
            self.failures_left = times

    def lose_next(self, times: int) -> None:
        """Keep the next ``times`` changes but answer 500, as if the answer were lost on the way
        back: the portal will send them again, under the same keys."""
        with self._lock:
            self.losses_left = times

    def answer_slowly(self, seconds: float) -> None:
        """Keep each change at once but answer only ``seconds`` later (a sender that dies in
        between must send it again: under the same key)."""
        with self._lock:
            self.answer_after = seconds

    def set_down(self, down: bool) -> None:
        with self._lock:
            self.down = down

    def reset(self) -> None:
        with self._lock:
            self.down, self.failures_left, self.losses_left = False, 0, 0
            self.answer_after = 0.0
            self.receipts.clear()
            self.kept.clear()

    @property
    def changes(self) -> list[Receipt]:
        """Each key once, in the order first received."""
        with self._lock:
            return list(self.kept.values())

    def receive(self, receipt: Receipt) -> tuple[int, bool]:
        """The status to answer, and whether the key was kept already."""
        with self._lock:
            if self.down:
                return 503, False
            if self.failures_left > 0:
                self.failures_left -= 1
                return 500, False
            self.receipts.append(receipt)
            duplicate = receipt.key in self.kept
            self.kept.setdefault(receipt.key, receipt)
            if self.losses_left > 0:
                self.losses_left -= 1
                return 500, duplicate
            return 200, duplicate


async def take_change(subscriber: Subscriber, request: Request) -> Response:
    body = await read_json_object(request)
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if not key or key != body.get("clave"):
        message = "The Idempotency-Key header is required and must equal the body's clave."
        raise RegistryError(400, "invalid_key", message)
    company = body.get("empresa")
    company = company if isinstance(company, dict) else {}
    receipt = Receipt(
        key=key,
        cursor=int(body.get("cursor") or 0),
        company=str(company.get("numero") or ""),
        kind=str(body.get("tipo") or ""),
        received_at=time.time(),
    )
    status, duplicate = subscriber.receive(receipt)
    if subscriber.answer_after:
        await asyncio.sleep(subscriber.answer_after)
    if status != 200:
        return JSONResponse({"error": "unavailable", "message": "told to fail"}, status)
    return JSONResponse({"clave": key, "duplicado": duplicate})


async def control(subscriber: Subscriber, request: Request) -> Response:
    if request.method == "POST":
        body = await read_json_object(request)
        if "down" in body:
            subscriber.set_down(bool(body["down"]))
        if "fail_next" in body:
            subscriber.fail_next(int(body["fail_next"]))
        if "lose_next" in body:
            subscriber.lose_next(int(body["lose_next"]))
    elif request.method == "DELETE":
        subscriber.reset()
    kept = [receipt.__dict__ for receipt in subscriber.changes]
    return JSONResponse(
        {"down": subscriber.down, "receipts": len(subscriber.receipts), "items": kept}
    )


def create_app(data_dir: Path | str | None = None) -> Starlette:
    """A fresh subscriber; its state is ``app.state.subscriber``."""
    subscriber = Subscriber()
    routes = [
        Route("/v1/cambios", functools.partial(take_change, subscriber), methods=["POST"]),
        Route(
            "/control",
            functools.partial(control, subscriber),
            methods=["GET", "POST", "DELETE"],
        ),
    ]
    app = registry_app(routes, OPENAPI)
    app.state.subscriber = subscriber
    return app


def subscriber_in(topology: Topology, service_id: str) -> Subscriber:
    """The subscriber the emulator serves as ``service_id`` (for tests and benchmarks)."""
    service = topology.find_service(ServiceId.decode(service_id))
    assert service is not None and isinstance(service.provider, AsgiProvider)
    state: Any = service.provider.app.state  # type: ignore[attr-defined]
    subscriber = state.subscriber
    assert isinstance(subscriber, Subscriber)
    return subscriber


OPENAPI = openapi_document(
    title="Avisos del Registro de Empresas (sandbox)",
    description="An agency's endpoint that receives the register's changes pushed to it.",
    paths={
        "/v1/cambios": {
            "post": {
                "summary": "Take one change of the register, once per idempotency key",
                "requestBody": json_body(
                    "Change",
                    {
                        "clave": "e24-1-1-42",
                        "suscripcion": 1,
                        "cursor": 42,
                        "tipo": "inscripcion",
                        "fecha": "2026-12-04T10:00:00-06:00",
                        "empresa": {"numero": "QRO-2026-000001"},
                    },
                ),
                "responses": {
                    "200": {"description": "Kept (or kept already: duplicado)"},
                    "400": error_reply("No idempotency key"),
                    "500": error_reply("Told to fail"),
                    "503": error_reply("Told to be down"),
                },
            }
        }
    },
    schemas={
        "Change": {
            "type": "object",
            "required": ["clave", "cursor", "tipo", "empresa"],
            "properties": {
                "clave": {"type": "string"},
                "suscripcion": {"type": "integer"},
                "cursor": {"type": "integer"},
                "tipo": {"type": "string"},
                "fecha": {"type": "string", "format": "date-time"},
                "empresa": {"type": "object"},
            },
        }
    },
)
