"""Minimal ASGI glue: read a whole request, send a whole response, answer lifespan."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

__all__ = [
    "ASGIApp",
    "BodyStream",
    "ClientDisconnected",
    "Receive",
    "Request",
    "Response",
    "Scope",
    "Send",
    "handle_lifespan",
    "json_response",
    "read_request",
    "send_response",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ClientDisconnected(Exception):
    """The HTTP client went away before its request body arrived."""


@dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request as received: raw (still percent-encoded) path, headers in order.

    ``client_certificate`` is the DER certificate the client presented over TLS, taken from
    the ASGI TLS extension (``scope["extensions"]["tls"]["client_cert_chain"]``).
    """

    method: str
    raw_path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    scheme: str = "http"
    client_certificate: bytes | None = None

    @property
    def target(self) -> str:
        return f"{self.raw_path}?{self.query}" if self.query else self.raw_path

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key == wanted]

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` (X-Road acts on the last one)."""
        values = self.header_values(name)
        return values[-1] if values else None


class BodyStream(Protocol):
    """A body sent as it is read (a provider's answer relayed chunk by chunk)."""

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Response:
    """``body``, or ``stream`` when the body is relayed as it arrives (then Content-Length
    is sent only if ``headers`` carry it; otherwise the server sends it chunked)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: BodyStream | None = None


def json_response(status: int, data: object, headers: Iterable[tuple[str, str]] = ()) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(status, [("content-type", "application/json"), *headers], body)


def _latin1(value: bytes) -> str:
    return value.decode("latin-1")


def _client_certificate(scope: Scope) -> bytes | None:
    tls = (scope.get("extensions") or {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or []
    return ssl.PEM_cert_to_DER_cert(str(chain[0])) if chain else None


async def read_request(scope: Scope, receive: Receive) -> Request:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    raw_path = scope.get("raw_path")
    path = _latin1(raw_path) if raw_path else quote(str(scope.get("path", "/")))
    return Request(
        method=str(scope["method"]).upper(),
        raw_path=path,
        query=_latin1(scope.get("query_string", b"")),
        headers=tuple((_latin1(k).lower(), _latin1(v)) for k, v in scope.get("headers", [])),
        body=b"".join(chunks),
        scheme=str(scope.get("scheme", "http")),
        client_certificate=_client_certificate(scope),
    )


async def send_response(send: Send, response: Response) -> None:
    names = {name.lower() for name, _ in response.headers}
    headers = list(response.headers)
    if "content-length" not in names and response.stream is None:
        headers.append(("content-length", str(len(response.body))))
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        }
    )
    if response.stream is None:
        await send({"type": "http.response.body", "body": response.body, "more_body": False})
        return
    try:
        async for chunk in response.stream.chunks():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        await response.stream.aclose()


async def handle_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
