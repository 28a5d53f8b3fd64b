"""getWsdl from the client's side: the request it builds and how it reads (or refuses) the
multipart answer. The answers here are hand-made; test_wsdl_emulator.py uses the emulator."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

from tests.xroad_client.worlds import CURP, PORTAL, SAT
from tests.xroad_client.wsdl_answers import multipart_type, part, related, sha512_b64, soap_answer
from xroad_client import (
    NO_RETRY,
    AsyncXRoadClient,
    InvalidResponseError,
    MalformedMultipartError,
    MissingAttachmentError,
    RequestHashMismatchError,
    ResponseTooLargeError,
    ServerProxyFault,
    ServiceTypeFault,
    XRoadClient,
    XRoadError,
)
from xroad_client.soap import get_wsdl_body

XRD = "{http://x-road.eu/xsd/xroad.xsd}"
IDS = "{http://x-road.eu/xsd/identifiers}"
WSDL = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
    b' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" name="curp">'
    b'<wsdl:service name="curp"><wsdl:port name="p" binding="b">'
    b'<soap:address location="http://example.org/xroad-endpoint"/>'
    b"</wsdl:port></wsdl:service></wsdl:definitions>"
)
CID = "wsdl=5d9e3f3e-1f0c-4c0a-9d55-3c1ad2f5a5b1@x-road.eu"
Handler = Callable[[httpx.Request], httpx.Response]


def answering(build: Callable[[bytes], tuple[str, bytes]]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        content_type, body = build(request.content)
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    return handler


def good(request: bytes) -> tuple[str, bytes]:
    soap = part("text/xml; charset=UTF-8", soap_answer(request))
    return multipart_type(), related(soap, part("text/xml", WSDL, f"<{CID}>"))


def _client(handler: Handler) -> XRoadClient:
    return XRoadClient("http://ss", PORTAL, transport=httpx.MockTransport(handler), retry=NO_RETRY)


# -- the request -----------------------------------------------------------------------------


def test_the_request_names_the_providers_getwsdl_and_the_service_in_its_body() -> None:
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return answering(good)(request)

    with _client(handler) as client:
        client.get_wsdl(CURP)
    envelope = ET.fromstring(sent[0])
    service = envelope.find(f".//{XRD}service")
    assert service.get(f"{IDS}objectType") == "SERVICE"
    assert service.findtext(f"{IDS}subsystemCode") == "rfc"
    assert service.findtext(f"{IDS}serviceCode") == "getWsdl"
    assert service.find(f"{IDS}serviceVersion") is None
    body = envelope.find(f".//{XRD}getWsdl")
    assert [child.tag for child in body] == [f"{XRD}serviceCode", f"{XRD}serviceVersion"]
    assert body.findtext(f"{XRD}serviceCode") == "curpLookup"
    assert body.findtext(f"{XRD}serviceVersion") == "v1"


def test_a_service_without_version_sends_only_its_code() -> None:
    body = ET.fromstring(get_wsdl_body(SAT.service("plain")))
    assert [child.tag for child in body] == [f"{XRD}serviceCode"]


# -- a good answer -------------------------------------------------------------------------


def test_the_wsdl_comes_back_with_its_content_id_and_the_checked_header() -> None:
    with _client(answering(good)) as client:
        document = client.get_wsdl(CURP)
    assert document.content == WSDL
    assert document.content_id == CID
    assert document.service == CURP
    assert document.header.service == SAT.service("getWsdl")
    assert document.header.request_hash is not None
    assert "http://example.org/xroad-endpoint" in document.text


@pytest.mark.anyio
async def test_the_async_client_reads_it_too() -> None:
    transport = httpx.MockTransport(answering(good))
    async with AsyncXRoadClient("http://ss", PORTAL, transport=transport) as client:
        document = await client.get_wsdl(CURP)
    assert document.content == WSDL


def test_a_start_parameter_may_name_a_soap_part_that_is_not_first() -> None:
    def build(request: bytes) -> tuple[str, bytes]:
        soap = part("text/xml", soap_answer(request), "<soap@x-road.eu>")
        body = related(part("text/xml", WSDL, f"<{CID}>"), soap)
        return multipart_type(start="<soap@x-road.eu>"), body

    with _client(answering(build)) as client:
        assert client.get_wsdl(CURP).content == WSDL


def test_base64_attachments_are_decoded() -> None:
    def build(request: bytes) -> tuple[str, bytes]:
        encoded = (
            f"Content-Type: text/xml\r\nContent-ID: <{CID}>\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode() + base64.encodebytes(WSDL)
        return multipart_type(), related(part("text/xml", soap_answer(request)), encoded)

    with _client(answering(build)) as client:
        assert client.get_wsdl(CURP).content == WSDL


# -- bad answers: each a typed error, fast ---------------------------------------------------


def _swapped(request: bytes) -> tuple[str, bytes]:
    return multipart_type(), related(
        part("text/xml", WSDL, f"<{CID}>"), part("text/xml", soap_answer(request))
    )


def _no_boundary(request: bytes) -> tuple[str, bytes]:
    return multipart_type(boundary=None), good(request)[1]


def _unclosed(request: bytes) -> tuple[str, bytes]:
    body = related(
        part("text/xml", soap_answer(request)), part("text/xml", WSDL, f"<{CID}>"), close=False
    )
    return multipart_type(), body


def _other_boundary(request: bytes) -> tuple[str, bytes]:
    return multipart_type(boundary="elsewhere"), good(request)[1]


def _content_id(value: str) -> Callable[[bytes], tuple[str, bytes]]:
    def build(request: bytes) -> tuple[str, bytes]:
        return multipart_type(), related(
            part("text/xml", soap_answer(request)), part("text/xml", WSDL, value)
        )

    return build


def _shared_content_id(request: bytes) -> tuple[str, bytes]:
    return multipart_type(), related(
        part("text/xml", soap_answer(request), f"<{CID}>"), part("text/xml", WSDL, f"<{CID}>")
    )


def _unknown_start(request: bytes) -> tuple[str, bytes]:
    return multipart_type(start="<nobody@x-road.eu>"), good(request)[1]


@pytest.mark.parametrize(
    "build",
    [
        _swapped,
        _no_boundary,
        _unclosed,
        _other_boundary,
        _content_id(CID),  # no angle brackets
        _content_id("<wsdl=a b@x-road.eu>"),  # a space inside
        _content_id("<>"),
        _content_id("<wsdl<x>@x-road.eu>"),
        _shared_content_id,
        _unknown_start,
    ],
    ids=[
        "parts swapped",
        "no boundary",
        "no closing boundary",
        "boundary not in the body",
        "content-id without brackets",
        "content-id with a space",
        "empty content-id",
        "content-id with a bracket",
        "shared content-id",
        "start names no part",
    ],
)
def test_malformed_multipart_answers_are_typed_errors(
    build: Callable[[bytes], tuple[str, bytes]],
) -> None:
    started = time.monotonic()
    with _client(answering(build)) as client, pytest.raises(MalformedMultipartError):
        client.get_wsdl(CURP)
    assert time.monotonic() - started < 1.0


def test_an_answer_without_the_attachment_is_missing_it() -> None:
    def only_soap(request: bytes) -> tuple[str, bytes]:
        return multipart_type(), related(part("text/xml", soap_answer(request)))

    def plain(request: bytes) -> tuple[str, bytes]:
        return "text/xml; charset=UTF-8", soap_answer(request)

    for build in (only_soap, plain):
        with _client(answering(build)) as client, pytest.raises(MissingAttachmentError):
            client.get_wsdl(CURP)


def test_a_wsdl_that_is_not_safe_xml_is_an_invalid_response() -> None:
    bomb = b'<!DOCTYPE d [<!ENTITY a "aaaa">]><wsdl:definitions>&a;</wsdl:definitions>'
    for payload in (bomb, b"<notwsdl/>", b"not xml at all"):

        def build(request: bytes, payload: bytes = payload) -> tuple[str, bytes]:
            return multipart_type(), related(
                part("text/xml", soap_answer(request)), part("text/xml", payload, f"<{CID}>")
            )

        with _client(answering(build)) as client, pytest.raises(InvalidResponseError):
            client.get_wsdl(CURP)


def test_a_request_hash_that_is_not_ours_is_refused() -> None:
    def build(request: bytes) -> tuple[str, bytes]:
        soap = part("text/xml", soap_answer(request, digest=sha512_b64(b"another request")))
        return multipart_type(), related(soap, part("text/xml", WSDL, f"<{CID}>"))

    with _client(answering(build)) as client, pytest.raises(RequestHashMismatchError):
        client.get_wsdl(CURP)


def _fault(code: str, message: str) -> Handler:
    envelope = (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>{code}</faultcode>"
        f"<faultstring>{message}</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body>"
        "</SOAP-ENV:Envelope>"
    ).encode()
    return answering(lambda request: ("text/xml; charset=UTF-8", envelope))


@pytest.mark.parametrize(
    "code", ["Server.ServerProxy.ServiceType", "server.serverproxy.service_type"]
)
def test_a_rest_service_has_no_wsdl(code: str) -> None:
    handler = _fault(code, "Service is a REST service and does not have a WSDL")
    with _client(handler) as client, pytest.raises(ServiceTypeFault) as caught:
        client.get_wsdl(SAT.service("validate"))
    assert isinstance(caught.value, ServerProxyFault)
    assert caught.value.code == "Server.ServerProxy.ServiceType"


def test_other_soap_faults_raise_as_faults() -> None:
    handler = _fault("Server.ServerProxy.UnknownService", "Could not find wsdl URL")
    with _client(handler) as client, pytest.raises(ServerProxyFault) as caught:
        client.get_wsdl(SAT.service("nothing"))
    assert not isinstance(caught.value, ServiceTypeFault)


class Counted(httpx.SyncByteStream):
    """A 10 MB body without Content-Length, in 64 KiB chunks, counting what was taken."""

    def __init__(self, head: bytes) -> None:
        self.head = head
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        for _ in range(160):
            self.taken += 1
            yield b"x" * 65536


def test_a_ten_megabyte_wsdl_is_refused_without_reading_it_all() -> None:
    streams: list[Counted] = []

    def handler(request: httpx.Request) -> httpx.Response:
        stream = Counted(b"--xroad-b1\r\n" + part("text/xml", soap_answer(request.content)))
        streams.append(stream)
        return httpx.Response(200, headers={"content-type": multipart_type()}, stream=stream)

    with _client(handler) as client, pytest.raises(ResponseTooLargeError):
        client.get_wsdl(CURP)
    assert streams[0].taken * 65536 <= 4 * 1024 * 1024 + 65536


def test_the_cap_is_the_callers_to_choose() -> None:
    with _client(answering(good)) as client:
        with pytest.raises(ResponseTooLargeError):
            client.get_wsdl(CURP, max_bytes=500)
        assert client.get_wsdl(CURP, max_bytes=100_000).content == WSDL


def test_every_error_is_an_xroad_error() -> None:
    for error in (MalformedMultipartError, MissingAttachmentError, ServiceTypeFault):
        assert issubclass(error, XRoadError)
    assert issubclass(MalformedMultipartError, InvalidResponseError)
    assert issubclass(MissingAttachmentError, InvalidResponseError)


@pytest.mark.parametrize(
    "body",
    [
        b"--xroad-b1\r\n\r\nx\r\n" * 200_000 + b"--xroad-b1--\r\n",
        (b"--xroad-b1\r\nContent-Type: multipart/related; boundary=xroad-b1\r\n\r\n") * 50_000,
        b"--xroad-b1\r\nX-A: " + b"a" * 4_000_000 + b"\r\n\r\nx\r\n--xroad-b1--\r\n",
        b"--xroad-b1\r\n" + b"X-A: a\r\n" * 400_000 + b"\r\nx\r\n--xroad-b1--\r\n",
        b"--xroad-b1\r\nContent-Type: multipart/related; boundary=c\r\n\r\n--c\r\n\r\nx\r\n--c--"
        b"\r\n--xroad-b1--\r\n",
        b"--xroad-b1\r\nContent-Transfer-Encoding: x-gzip\r\n\r\nabc\r\n--xroad-b1--\r\n",
        b"\r\n" * 2_000_000,
        b"-" * 4_000_000,
    ],
    ids=[
        "200k parts",
        "50k nested parts",
        "4 MB header",
        "400k headers",
        "nested multipart",
        "unknown transfer encoding",
        "blank lines only",
        "dashes only",
    ],
)
def test_hostile_multipart_bodies_are_refused_quickly(body: bytes) -> None:
    handler = answering(lambda request: (multipart_type(), body))
    started = time.monotonic()
    with _client(handler) as client, pytest.raises(MalformedMultipartError):
        client.get_wsdl(CURP)
    assert time.monotonic() - started < 2.0


def test_bare_newlines_are_tolerated_between_parts() -> None:
    def build(request: bytes) -> tuple[str, bytes]:
        body = (
            b"--xroad-b1\nContent-Type: text/xml\n\n"
            + soap_answer(request)
            + f"\n--xroad-b1\nContent-Type: text/xml\nContent-ID: <{CID}>\n\n".encode()
            + WSDL
            + b"\n--xroad-b1--\n"
        )
        return multipart_type(), body

    with _client(answering(build)) as client:
        assert client.get_wsdl(CURP).content == WSDL
