"""Provider information systems used by the tests: tiny ASGI apps that record requests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import anyio

from xroad_client.emulator import ASGIApp, Receive, Scope, Send

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Seen:
    """A request as a provider received it."""

    method: str
    raw_path: str
    query: str
    headers: Headers
    body: bytes
    host: str

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name.lower()]
        return values[-1] if values else None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]


@dataclass(frozen=True)
class Canned:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: Headers = field(default_factory=lambda: [("content-type", "application/json")])


async def _receive_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, answer: Canned) -> None:
    headers = [(k.encode(), v.encode()) for k, v in answer.headers]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


class RecordingProvider:
    """Answers every request with one canned response (after ``delay`` s) and records it.

    ``routes`` maps ``(METHOD, raw path)`` to specific answers.
    """

    def __init__(
        self,
        answer: Canned | None = None,
        *,
        delay: float = 0.0,
        routes: Mapping[tuple[str, str], Canned] | None = None,
    ) -> None:
        self.answer = answer or Canned()
        self.delay = delay
        self.routes = dict(routes or {})
        self.seen: list[Seen] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await _receive_all(receive)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        raw_path = scope["raw_path"].decode("latin-1")
        host = dict(headers).get("host", "")
        self.seen.append(
            Seen(scope["method"], raw_path, scope["query_string"].decode(), headers, body, host)
        )
        if self.delay:
            await anyio.sleep(self.delay)
        await _send(send, self.routes.get((scope["method"], raw_path), self.answer))


_HEADER = re.compile(rb"<SOAP-ENV:Header>.*?</SOAP-ENV:Header>", re.S)
ENVELOPE_OPEN = (
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers"'
    ' xmlns:repr="http://x-road.eu/xsd/representation.xsd">'
)


class SoapEchoProvider:
    """A SOAP provider that copies the request Header into its response, as it must.

    ``drop`` removes one header field from the echo (a misbehaving provider).
    """

    def __init__(self, body_xml: str, *, drop: str | None = None, delay: float = 0.0) -> None:
        self.body_xml = body_xml
        self.drop = drop
        self.delay = delay
        self.seen: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await _receive_all(receive)
        self.seen.append(body)
        match = _HEADER.search(body)
        header = match.group(0).decode() if match else "<SOAP-ENV:Header/>"
        if self.drop:
            header = re.sub(rf"<xrd:{self.drop}>.*?</xrd:{self.drop}>", "", header, flags=re.S)
        if self.delay:
            await anyio.sleep(self.delay)
        envelope = f"{ENVELOPE_OPEN}{header}<SOAP-ENV:Body>{self.body_xml}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
        answer = Canned(200, envelope.encode(), [("content-type", "text/xml; charset=UTF-8")])
        await _send(send, answer)


def static_app(answer: Canned) -> ASGIApp:
    """An app answering every request with ``answer``."""
    return RecordingProvider(answer)
