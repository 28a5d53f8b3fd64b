"""SOAP 4.0: the envelope we build, requestHash checks, faults whatever the HTTP status."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

import httpx
import pytest
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

from tests.xroad_client.apps import ENVELOPE_OPEN, RecordingProvider, SoapEchoProvider
from tests.xroad_client.worlds import (
    CURP,
    CURP_RESPONSE,
    PORTAL,
    REGISTRY,
    SAT,
    Registry,
    registry_world,
)
from xroad_client import (
    NO_RETRY,
    ClientFault,
    ClientId,
    InconsistentResponseError,
    InvalidRequestError,
    RepresentedParty,
    RequestHashMismatchError,
    SecurityServerId,
    ServerProxyFault,
    ServerProxyServiceFailed,
    XRoadClient,
    XRoadFault,
)
from xroad_client._http import RawResponse
from xroad_client.rest import CallContext
from xroad_client.soap import SHA512, build_envelope, interpret_soap

XRD = "{http://x-road.eu/xsd/xroad.xsd}"
IDS = "{http://x-road.eu/xsd/identifiers}"
REPR = "{http://x-road.eu/xsd/representation.xsd}"
BODY = '<c:curpLookup xmlns:c="http://sat.example/curp"><rfc>MAPA850101AB1</rfc></c:curpLookup>'


def test_envelope_header_fields_are_in_order_and_escaped() -> None:
    envelope = build_envelope(
        client=PORTAL,
        service=CURP,
        message_id="m-1",
        body=BODY,
        context=CallContext(
            user_id="MX<&>",
            issue="case 'a' & \"b\"",
            represented_party=RepresentedParty("MAPA850101AB1", "RFC"),
            security_server=SecurityServerId(ClientId("MX", "GOB", "SAT"), "ss1"),
        ),
    )
    root = ET.fromstring(envelope)
    header = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Header")
    assert header is not None
    tags = [child.tag.split("}")[1] for child in header]
    assert tags == [
        "client",
        "service",
        "id",
        "userId",
        "issue",
        "protocolVersion",
        "representedParty",
        "securityServer",
    ]
    assert header.findtext(f"{XRD}userId") == "MX<&>"
    assert header.findtext(f"{XRD}issue") == "case 'a' & \"b\""
    assert header.findtext(f"{XRD}protocolVersion") == "4.0"
    service = header.find(f"{XRD}service")
    assert service is not None and service.get(f"{IDS}objectType") == "SERVICE"
    assert service.findtext(f"{IDS}serviceVersion") == "v1"
    party = header.find(f"{REPR}representedParty")
    assert party is not None and party.findtext(f"{REPR}partyClass") == "RFC"
    server = header.find(f"{XRD}securityServer")
    assert server is not None and server.get(f"{IDS}objectType") == "SERVER"
    assert server.findtext(f"{IDS}serverCode") == "ss1"


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ('<c:other xmlns:c="urn:x"/>', "named after service code"),
        ("<c:curpLookup>", "well-formed"),
        ("<curpLookup/><curpLookup/>", "well-formed"),
    ],
)
def test_bad_bodies_are_refused_before_sending(body: str, complaint: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with (
        XRoadClient("http://ss", PORTAL, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(InvalidRequestError, match=complaint),
    ):
        client.soap(CURP, body)


def test_call_through_the_emulator_verifies_the_request_hash(registry: Registry) -> None:
    with XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client:
        response = client.soap(CURP, BODY, user_id="MX1", issue="case-3", x_road_id="soap-1")
    (sent,) = registry.soap_provider.seen
    assert response.header.request_hash == base64.b64encode(hashlib.sha512(sent).digest()).decode()
    assert response.header.request_hash_algorithm == SHA512
    assert (response.x_road_id, response.header.user_id, response.header.issue) == (
        "soap-1",
        "MX1",
        "case-3",
    )
    assert response.header.client == PORTAL and response.header.service == CURP
    assert response.body.tag == "{http://sat.example/curp}curpLookupResponse"
    assert response.body.findtext("curp") == "PEGJ800101HQTRRN09"
    assert [r.status for r in registry.emulator.exchanges(x_road_id="soap-1")] == [200]


def _reply_with(envelope: bytes, status: int = 200) -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda request: httpx.Response(
            status, headers={"content-type": "text/xml"}, content=envelope
        )
    )


def sha512_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha512(data).digest()).decode()


def _echo(sent: bytes, digest: str | None, *, message_id: str | None = None) -> bytes:
    """What a Security Server returns: our header echoed, plus requestHash."""
    match = re.search(rb"<SOAP-ENV:Header>(.*?)</SOAP-ENV:Header>", sent, re.S)
    assert match is not None
    header = match.group(1).decode()
    if message_id is not None:
        header = re.sub(r"<xrd:id>.*?</xrd:id>", f"<xrd:id>{message_id}</xrd:id>", header)
    if digest is not None:
        header += f'<xrd:requestHash algorithmId="{SHA512}">{digest}</xrd:requestHash>'
    return (
        f"{ENVELOPE_OPEN}<SOAP-ENV:Header>{header}</SOAP-ENV:Header>"
        f"<SOAP-ENV:Body>{CURP_RESPONSE}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def _echoing(
    digest: Callable[[bytes], str | None], message_id: str | None = None
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        content = _echo(request.content, digest(request.content), message_id=message_id)
        return httpx.Response(200, headers={"content-type": "text/xml"}, content=content)

    return httpx.MockTransport(handler)


def test_a_correct_request_hash_is_accepted() -> None:
    with XRoadClient("http://ss", PORTAL, transport=_echoing(sha512_b64)) as client:
        assert client.soap(CURP, BODY).body.findtext("curp") == "PEGJ800101HQTRRN09"


@pytest.mark.parametrize(
    ("digest", "complaint"),
    [
        (lambda sent: sha512_b64(sent + b" "), "does not match"),
        (lambda sent: None, "no requestHash"),
    ],
)
def test_request_hash_mismatch_is_detected(
    digest: Callable[[bytes], str | None], complaint: str
) -> None:
    with (
        XRoadClient("http://ss", PORTAL, transport=_echoing(digest), retry=NO_RETRY) as client,
        pytest.raises(RequestHashMismatchError, match=complaint),
    ):
        client.soap(CURP, BODY, x_road_id="m-1")


def test_response_for_another_message_id_is_inconsistent() -> None:
    transport = _echoing(sha512_b64, message_id="someone-else")
    with (
        XRoadClient("http://ss", PORTAL, transport=transport) as client,
        pytest.raises(InconsistentResponseError, match="id"),
    ):
        client.soap(CURP, BODY, x_road_id="m-1")


@pytest.mark.parametrize("status", [200, 500])
def test_soap_faults_are_detected_whatever_the_status(status: int) -> None:
    fault = (
        f"{ENVELOPE_OPEN}<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>server.serverproxy.access_denied"
        "</faultcode><faultstring>Request is not allowed</faultstring>"
        "<detail><faultDetail>d-1</faultDetail></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()
    with (
        XRoadClient("http://ss", PORTAL, transport=_reply_with(fault, status)) as client,
        pytest.raises(ServerProxyFault) as caught,
    ):
        client.soap(CURP, BODY)
    assert caught.value.code == "Server.ServerProxy.AccessDenied"
    assert (caught.value.message, caught.value.detail, caught.value.http_status) == (
        "Request is not allowed",
        "d-1",
        status,
    )


def test_emulator_sends_soap_faults_with_http_200(registry: Registry) -> None:
    unknown = SAT.service("curpHistory", "v1")
    with XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client:
        with pytest.raises(ServerProxyFault) as caught:
            client.soap(unknown, '<c:curpHistory xmlns:c="urn:c"/>')
        with pytest.raises(ServerProxyFault, match="REST service") as wrong_type:
            client.soap(REGISTRY, '<c:validate xmlns:c="urn:c"/>')
    assert (
        caught.value.code == "Server.ServerProxy.UnknownService" and caught.value.http_status == 200
    )
    assert wrong_type.value.code == "Server.ServerProxy.ServiceType"


def test_provider_dropping_an_echoed_header_field_is_a_service_failure() -> None:
    registry = registry_world(
        RecordingProvider(), soap_provider=SoapEchoProvider(CURP_RESPONSE, drop="protocolVersion")
    )
    missing = "Required field 'protocolVersion' is missing"
    transport = registry.emulator.sync_transport()
    with (
        XRoadClient("http://ss", PORTAL, transport=transport) as client,
        pytest.raises(ServerProxyServiceFailed, match=missing),
    ):
        client.soap(CURP, BODY)


def test_provider_soap_faults_pass_through() -> None:
    provider_fault = (
        "<SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode>"
        "<faultstring>CURP register unavailable</faultstring></SOAP-ENV:Fault>"
    )
    registry = registry_world(RecordingProvider(), soap_provider=SoapEchoProvider(provider_fault))
    with (
        XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client,
        pytest.raises(XRoadFault) as caught,
    ):
        client.soap(CURP, BODY)
    assert type(caught.value) is XRoadFault
    assert (str(caught.value.code), caught.value.message) == (
        "SOAP-ENV:Server",
        "CURP register unavailable",
    )


def test_emulator_refuses_get_and_malformed_envelopes(registry: Registry) -> None:
    with httpx.Client(transport=registry.emulator.sync_transport(), base_url="http://ss") as http:
        get = http.get("/")
        html = http.post("/", content=b"<html>", headers={"content-type": "text/html"})
        no_header = http.post(
            "/",
            content=f"{ENVELOPE_OPEN}<SOAP-ENV:Body>{BODY}</SOAP-ENV:Body></SOAP-ENV:Envelope>".encode(),
            headers={"content-type": "text/xml"},
        )
    expected = [
        (get, "Client.InvalidHttpMethod"),
        (html, "Client.InvalidContentType"),
        (no_header, "Client.MissingHeader"),
    ]
    for response, code in expected:
        assert response.status_code == 200
        assert f"<faultcode>{code}</faultcode>" in response.text


def test_emulator_refuses_an_old_protocol_version(registry: Registry) -> None:
    envelope = build_envelope(
        client=PORTAL, service=CURP, message_id="m", body=BODY, protocol_version="3.1"
    )
    with httpx.Client(transport=registry.emulator.sync_transport(), base_url="http://ss") as http:
        response = http.post("/", content=envelope, headers={"content-type": "text/xml"})
    assert "<faultcode>Client.InvalidProtocolVersion</faultcode>" in response.text


def test_soap_metadata_lists_and_allowed_methods(registry: Registry) -> None:
    with XRoadClient("http://ss", PORTAL, transport=registry.emulator.sync_transport()) as client:
        listed = client.soap_list_methods(SAT)
        allowed = client.soap_allowed_methods(SAT)
    assert listed == [CURP] and allowed == [CURP]


def test_multipart_related_answers_are_read_from_their_soap_part() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        soap = _echo(request.content, sha512_b64(request.content))
        body = (
            b"--b1\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + soap
            + b"\r\n--b1\r\nContent-Type: application/octet-stream\r\n\r\nATTACHMENT\r\n--b1--\r\n"
        )
        content_type = 'multipart/related; type="text/xml"; boundary=b1'
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    with XRoadClient("http://ss", PORTAL, transport=httpx.MockTransport(handler)) as client:
        response = client.soap(CURP, BODY, x_road_id="mp-1")
    assert response.body.findtext("curp") == "PEGJ800101HQTRRN09"


def test_client_fault_category_from_emulator_validation(registry: Registry) -> None:
    envelope = build_envelope(client=PORTAL, service=CURP, message_id="m", body=BODY)
    duplicated = envelope.replace(b"<xrd:id>m</xrd:id>", b"<xrd:id>m</xrd:id><xrd:id>n</xrd:id>")
    with httpx.Client(transport=registry.emulator.sync_transport(), base_url="http://ss") as http:
        response = http.post("/", content=duplicated, headers={"content-type": "text/xml"})
    with pytest.raises(ClientFault, match="duplicate"):
        interpret_soap(RawResponse(200, response.headers, response.content), sent=None)
