"""The provider-side helper: read what a Security Server forwards, answer as X-Road expects;
checked behind the emulator over real HTTP, where our own client is the consumer."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.worlds import CURP, PORTAL, REGISTRY, registry_world
from xroad_client import (
    ClientId,
    InvalidRequestError,
    RepresentedParty,
    SecurityServerId,
    ServerProxyFault,
    XRoadClient,
)
from xroad_client.emulator import ASGIApp, AsgiProvider, Receive, Scope, Send, serve_in_thread
from xroad_client.provider import (
    last_client_value,
    read_rest_request,
    read_soap_request,
    soap_fault,
    soap_response,
)
from xroad_client.soap import build_envelope

SAT_SERVER = SecurityServerId(ClientId("MX", "GOB", "SAT"), "ss1")


def test_a_rest_request_is_read_from_what_the_security_server_forwarded() -> None:
    registry = registry_world(RecordingProvider())
    with serve_in_thread(registry.emulator) as base_url, XRoadClient(base_url, PORTAL) as client:
        client.get(
            REGISTRY,
            "/rfc/A",
            user_id="MX1",
            issue="case-9",
            represented_party=RepresentedParty("MAPA850101AB1", "RFC"),
            security_server=SAT_SERVER,
            x_road_id="call-1",
        )
    seen = registry.provider.seen[0]
    incoming = read_rest_request(seen.headers)
    assert incoming.client == PORTAL and incoming.client_header == "MX/GOB/E24/portal"
    assert (incoming.x_road_id, incoming.user_id, incoming.issue) == ("call-1", "MX1", "case-9")
    assert incoming.request_id is not None and len(incoming.request_id) == 36
    assert incoming.represented_party == RepresentedParty("MAPA850101AB1", "RFC")
    assert incoming.security_server == SAT_SERVER


@pytest.mark.parametrize(
    ("joined", "last"),
    [
        ("MX/GOB/E24/portal", "MX/GOB/E24/portal"),
        ("EV/IL/x/y, MX/GOB/E24/portal", "MX/GOB/E24/portal"),
        ("MX/GOB/E24/a,b", "MX/GOB/E24/a,b"),  # a comma inside the last id
        ("EV/IL/x/y,MX/GOB/E24/(a),b", "MX/GOB/E24/(a),b"),
    ],
)
def test_the_last_of_joined_client_headers_counts(joined: str, last: str) -> None:
    assert last_client_value(joined) == last
    incoming = read_rest_request({"X-Road-Client": joined, "X-Road-Id": "id-1"})
    assert incoming.client_header == last and incoming.x_road_id == "id-1"


def test_pairs_take_the_last_header_and_bad_values_read_as_none() -> None:
    incoming = read_rest_request(
        [
            ("x-road-client", "EV/IL/x/y"),
            ("x-road-client", "MX/GOB"),
            ("x-road-security-server", "MX/GOB"),
            ("x-road-represented-party", "a/b/c"),
        ]
    )
    assert incoming.client is None and incoming.client_header == "MX/GOB"
    assert incoming.security_server is None and incoming.represented_party is None
    assert read_rest_request({}).client is None


def _soap_provider(answer: str, *, fault: bool = False) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        request = read_soap_request(b"".join(chunks))
        assert request.header.client == PORTAL and request.header.service == CURP
        rfc = request.body.findtext("rfc")
        body = (
            soap_fault(request.envelope, "Server.NotFound", f"no CURP for {rfc}")
            if fault
            else soap_response(request.envelope, answer.format(rfc=rfc))
        )
        headers = [(b"content-type", b"text/xml; charset=UTF-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


ANSWER = (
    '<c:curpLookupResponse xmlns:c="http://sat.example/curp"><curp>{rfc}-CURP</curp>'
    "</c:curpLookupResponse>"
)
QUESTION = '<c:curpLookup xmlns:c="http://sat.example/curp"><rfc>MAPA850101AB1</rfc></c:curpLookup>'


def test_a_soap_provider_built_on_the_helper_satisfies_the_security_server() -> None:
    registry = registry_world(RecordingProvider())
    soap = registry.emulator.topology.find_service(CURP)
    assert soap is not None
    soap.provider = AsgiProvider(_soap_provider(ANSWER), "https://sat.example/soap")
    with serve_in_thread(registry.emulator) as base_url, XRoadClient(base_url, PORTAL) as client:
        response = client.soap(CURP, QUESTION, user_id="MX1", issue="case-9")
    assert response.body.findtext("curp") == "MAPA850101AB1-CURP"
    assert (response.header.user_id, response.header.issue) == ("MX1", "case-9")


def test_a_soap_fault_from_the_helper_reaches_the_consumer() -> None:
    registry = registry_world(RecordingProvider())
    soap = registry.emulator.topology.find_service(CURP)
    assert soap is not None
    soap.provider = AsgiProvider(_soap_provider(ANSWER, fault=True), "https://sat.example/soap")
    with (
        serve_in_thread(registry.emulator) as base_url,
        XRoadClient(base_url, PORTAL) as client,
        pytest.raises(Exception, match="no CURP for MAPA850101AB1") as caught,
    ):
        client.soap(CURP, QUESTION)
    assert not isinstance(caught.value, ServerProxyFault)
    assert str(caught.value.code) == "Server.NotFound"  # type: ignore[attr-defined]


def test_the_answer_copies_the_request_envelope_and_header_byte_for_byte() -> None:
    request = build_envelope(client=PORTAL, service=CURP, message_id="m-1", body=QUESTION)
    answer = soap_response(request, ANSWER.format(rfc="X"))
    head = request[: request.index(b"<SOAP-ENV:Body>")]
    assert answer.startswith(head)
    assert answer.endswith(b"</SOAP-ENV:Body></SOAP-ENV:Envelope>")
    assert ET.fromstring(answer).find(".//curp").text == "X-CURP"
    empty = request.replace(
        request[request.index(b"<SOAP-ENV:Body>") : request.index(b"</SOAP-ENV:Envelope>")],
        b'<SOAP-ENV:Body id="b"/>',
    )
    assert b'<SOAP-ENV:Body id="b"><c:curpLookupResponse' in soap_response(empty, ANSWER)


@pytest.mark.parametrize(
    "envelope",
    [b"<not-xml", b"<a/>", b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'],
)
def test_a_malformed_soap_request_is_refused(envelope: bytes) -> None:
    with pytest.raises(InvalidRequestError):
        read_soap_request(envelope)
