"""Bad input: malformed identifiers fail before sending; non-X-Road answers become typed
errors (never a crash, never a hang)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.xroad_client.rawserver import raw_server
from tests.xroad_client.worlds import CURP, PORTAL, REGISTRY, SAT
from xroad_client import (
    NO_RETRY,
    ClientId,
    Exchange,
    IdentifierError,
    InconsistentResponseError,
    InvalidRequestError,
    InvalidResponseError,
    ResponseTooLargeError,
    ServerProxyFault,
    Timeouts,
    XRoadClient,
    XRoadTimeout,
    XRoadTransportError,
)

Handler = Callable[[httpx.Request], httpx.Response]
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;">]>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
<SOAP-ENV:Body><r>&lol9;</r></SOAP-ENV:Body></SOAP-ENV:Envelope>"""


def _never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a request was sent: {request.url}")


def _client(
    handler: Handler,
    *,
    on_exchange: Callable[[Exchange], None] | None = None,
    max_response_bytes: int = 1 << 20,
    strict_identifiers: bool = False,
) -> XRoadClient:
    return XRoadClient(
        "http://ss",
        PORTAL,
        transport=httpx.MockTransport(handler),
        retry=NO_RETRY,
        on_exchange=on_exchange,
        max_response_bytes=max_response_bytes,
        strict_identifiers=strict_identifiers,
    )


def _answer(status: int, content: bytes, content_type: str, **headers: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        echoed = {"x-road-id": request.headers.get("x-road-id", "")} if "xroad" in headers else {}
        extra = {k.replace("_", "-"): v for k, v in headers.items() if k != "xroad"}
        return httpx.Response(
            status, headers={"content-type": content_type, **echoed, **extra}, content=content
        )

    return handler


@pytest.mark.parametrize(
    ("service", "path", "error"),
    [
        ("MX/GOB/SAT/rfc", "/x", IdentifierError),
        ("MX/GOB//rfc/validate", "/x", IdentifierError),
        ("MX/GOB/SAT/rfc/validate", "/x?y=1", InvalidRequestError),
        ("MX/GOB/SAT/rfc/valid%0Aate", "/x", IdentifierError),
    ],
)
def test_malformed_calls_fail_before_any_request(
    service: str, path: str, error: type[Exception]
) -> None:
    with _client(_never_called) as client, pytest.raises(error):
        client.get(service, path)


def test_other_bad_arguments_fail_before_any_request() -> None:
    with pytest.raises(IdentifierError, match="2 part"):
        XRoadClient("http://ss", "MX/GOB")
    with pytest.raises(InvalidRequestError, match="base_url"):
        XRoadClient("ss.example:8080", PORTAL)
    with _client(_never_called) as client:
        with pytest.raises(InvalidRequestError, match="X-Road-Id"):
            client.get(REGISTRY, headers={"X-Road-Id": "mine"})
        with pytest.raises(InvalidRequestError, match="control character"):
            client.get(REGISTRY, user_id="MX1\r\nX-Evil: 1")
        with pytest.raises(IdentifierError, match="subsystem"):
            client.list_methods("MX/GOB/SAT")
    with _client(_never_called, strict_identifiers=True) as strict:
        with pytest.raises(IdentifierError, match="strict set"):
            strict.get("MX/GOB/SAT/rfc/válidar")
        with pytest.raises(IdentifierError, match="strict set"):
            strict.soap(ClientId("MX", "GOB", "SAT", "rfc").service("Año"), "<Año/>")


def test_html_from_a_proxy_is_an_invalid_response() -> None:
    seen: list[Exchange] = []
    handler = _answer(502, b"<html><body>Bad Gateway</body></html>", "text/html")
    with (
        _client(handler, on_exchange=seen.append) as client,
        pytest.raises(InvalidResponseError) as caught,
    ):
        client.get(REGISTRY, "/rfc/A")
    assert caught.value.http_status == 502 and "no X-Road headers" in str(caught.value)
    assert "Bad Gateway" in str(caught.value)
    assert (
        seen[0].error and seen[0].error.startswith("InvalidResponseError") and seen[0].status == 502
    )


def test_truncated_json_error_body_is_still_a_typed_fault() -> None:
    handler = _answer(
        500,
        b'{"type": "Server.ServerProxy.AccessDen',
        "application/json",
        X_Road_Error="Server.ServerProxy.AccessDenied",
    )
    with _client(handler) as client, pytest.raises(ServerProxyFault) as caught:
        client.get(REGISTRY, "/rfc/A")
    assert caught.value.code == "Server.ServerProxy.AccessDenied"
    assert "unreadable error body" in caught.value.message


def test_xml_bomb_in_an_error_body_is_not_expanded() -> None:
    handler = _answer(500, BOMB, "text/xml", X_Road_Error="Server.ServerProxy.DatabaseError")
    with _client(handler) as client, pytest.raises(ServerProxyFault, match="unreadable error body"):
        client.get(REGISTRY, "/rfc/A")


def test_truncated_json_success_body_raises_on_json() -> None:
    with _client(_answer(200, b'{"rfc": "MAP', "application/json", xroad="1")) as client:
        response = client.get(REGISTRY, "/rfc/A")
        with pytest.raises(InvalidResponseError, match="not valid JSON"):
            response.json()
    with (
        _client(_answer(200, b'{"service": [{"xroad_', "application/json", xroad="1")) as client,
        pytest.raises(InvalidResponseError, match="malformed"),
    ):
        client.list_methods(SAT)
    with (
        _client(
            _answer(
                200, json.dumps({"service": [{"a": 1}]}).encode(), "application/json", xroad="1"
            )
        ) as client,
        pytest.raises(InvalidResponseError, match="malformed"),
    ):
        client.allowed_methods(SAT)


@pytest.mark.parametrize(
    ("content", "content_type", "complaint"),
    [
        (BOMB, "text/xml", "not safe"),
        (b"<html>Service Unavailable</html>", "text/html", "not XML"),
        (b"<SOAP-ENV:Envelope xmlns:SOAP-ENV=", "text/xml", "not safe"),
        (b"<Envelope/>", "text/xml", "not a SOAP 1.1 Envelope"),
    ],
)
def test_non_soap_answers_to_soap_calls_are_invalid_responses(
    content: bytes, content_type: str, complaint: str
) -> None:
    started = time.monotonic()
    with (
        _client(_answer(200, content, content_type)) as client,
        pytest.raises(InvalidResponseError, match=complaint),
    ):
        client.soap(CURP, '<c:curpLookup xmlns:c="urn:c"/>')
    assert time.monotonic() - started < 1.0


class Chunks(httpx.SyncByteStream):
    """A body without Content-Length, sent in pieces."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


@pytest.mark.parametrize("declared", [True, False])
def test_oversized_responses_are_refused(declared: bool) -> None:
    body = b"x" * 5000

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"x-road-id": request.headers["x-road-id"]}
        if declared:
            return httpx.Response(200, headers=headers, content=body)
        return httpx.Response(200, headers=headers, stream=Chunks(body[:2500], body[2500:]))

    with _client(handler, max_response_bytes=1000) as client, pytest.raises(ResponseTooLargeError):
        client.get(REGISTRY, "/rfc/A")


def test_a_response_for_another_call_is_inconsistent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"x-road-id": "somebody-else"}, content=b"{}")

    with _client(handler) as client, pytest.raises(InconsistentResponseError):
        client.get(REGISTRY, "/rfc/A")


def test_a_body_cut_short_is_a_transport_error() -> None:
    reply = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":'
    with (
        raw_server(reply) as base_url,
        XRoadClient(base_url, PORTAL, retry=NO_RETRY) as client,
        pytest.raises(XRoadTransportError),
    ):
        client.get(REGISTRY, "/rfc/A")


def test_garbage_instead_of_http_is_a_transport_error() -> None:
    with (
        raw_server(b"SSH-2.0-OpenSSH_9.6\r\n") as base_url,
        XRoadClient(base_url, PORTAL, retry=NO_RETRY) as client,
        pytest.raises(XRoadTransportError),
    ):
        client.get(REGISTRY, "/rfc/A")


def test_a_server_that_never_answers_times_out() -> None:
    timeouts = Timeouts(connect=1.0, read=0.2, write=1.0, pool=1.0)
    started = time.monotonic()
    with (
        raw_server(None) as base_url,
        XRoadClient(base_url, PORTAL, retry=NO_RETRY, timeouts=timeouts) as client,
        pytest.raises(XRoadTimeout),
    ):
        client.get(REGISTRY, "/rfc/A")
    assert time.monotonic() - started < 2.0
