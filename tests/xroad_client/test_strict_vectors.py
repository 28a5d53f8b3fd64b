"""Our vectors for an emulator as strict as a real Security Server
(tests/xroad_client/data/strict_vectors.json), replayed over real HTTP in both error spellings:

- ``rest_refusal``: what a REST request is answered (status, code, message);
- ``rest_accept``: the error body's media type chosen from Accept;
- ``soap_route``: targets that are not ``/r1/...`` reach the SOAP handler;
- ``openapi``: getOpenAPI's anonymised servers, or its refusal;
- ``rest_response``: the X-Road headers of a relayed answer;
- ``soap_hash``: where the provider-side server writes ``requestHash``;
- ``spelling``: the 7.7 and 7.8 spellings of codes that are not a plain case conversion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

from tests.xroad_client.apps import Canned, RecordingProvider, SoapEchoProvider
from xroad_client import NO_RETRY, ClientId, ErrorSpelling, FaultCode, XRoadClient
from xroad_client.emulator import (
    AsgiProvider,
    Emulator,
    RestService,
    SoapService,
    Topology,
    serve_in_thread,
)
from xroad_client.soap import build_envelope, request_hash

STRICT = Path(__file__).resolve().parent / "data" / "strict_vectors.json"
XRD = "{http://x-road.eu/xsd/xroad.xsd}"
Vector = dict[str, Any]
PROVIDER = ClientId.parse("EE/BUSINESS/producer/sub")
CLIENT = ClientId.parse("EE/BUSINESS/consumer/subsystem")
FORGED_HASH = (
    '<xrd:requestHash algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">Zm9yZ2Vk'
    "</xrd:requestHash>"
)


@cache
def strict_vectors() -> tuple[Vector, ...]:
    return tuple(json.loads(STRICT.read_text(encoding="utf-8"))["vectors"])


def of_kind(kind: str) -> list[Vector]:
    return [v for v in strict_vectors() if v["kind"] == kind]


def _ids(vectors: list[Vector]) -> list[str]:
    return [v["name"] for v in vectors]


class HashingEcho(SoapEchoProvider):
    """Echoes the header as a provider must, and writes a requestHash of its own at its end."""

    forge = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def forged_send(message: dict[str, Any]) -> None:
            if self.forge and message["type"] == "http.response.body":
                body = message["body"].replace(
                    b"</SOAP-ENV:Header>", FORGED_HASH.encode() + b"</SOAP-ENV:Header>"
                )
                message = {**message, "body": body}
            await send(message)

        await super().__call__(scope, receive, forged_send)


class World:
    def __init__(self, spelling: ErrorSpelling) -> None:
        self.topology = Topology(instance="EE", error_spelling=spelling)
        self.topology.add_member("EE/BUSINESS/consumer", "Consumer", subsystems={"subsystem": None})
        self.topology.add_member("EE/BUSINESS/producer", "Producer", subsystems={"sub": None})
        self.topology.add_member("FI/COM/visitor", "Visitor", subsystems={"sub": None})
        self.rest = RecordingProvider()
        provider = AsgiProvider(self.rest, "https://producer.example/api")
        for code in ("echo", "echo(v1),x+z"):
            echo = RestService(id=PROVIDER.service(code), provider=provider)
            echo.allow(CLIENT)
            echo.allow(ClientId.parse("FI/COM/visitor/sub"))
            self.topology.add_service(echo)
        self.topology.add_service(RestService(id=PROVIDER.service("sealed"), provider=provider))
        self.described = RestService(id=PROVIDER.service("described"), provider=provider)
        self.topology.add_service(self.described)
        legacy = RestService(
            id=PROVIDER.service("legacy"), provider=provider, openapi={"openapi": "2.0"}
        )
        self.topology.add_service(legacy)
        self.soap = HashingEcho("<ns:wsdlResponse xmlns:ns='urn:x'/>")
        wsdl = SoapService(
            id=PROVIDER.service("wsdl"), provider=AsgiProvider(self.soap, "https://producer.ex")
        )
        wsdl.allow(CLIENT)
        self.topology.add_service(wsdl)
        self.emulator = Emulator(self.topology)


@pytest.fixture(scope="module", params=list(ErrorSpelling), ids=lambda s: s.value)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[World, httpx.Client]]:
    world = World(request.param)
    with serve_in_thread(world.emulator) as base_url, httpx.Client(base_url=base_url) as http:
        yield world, http


def _spelling(world: World) -> str:
    return world.topology.error_spelling.value


def test_the_strict_vectors_are_well_formed_and_name_their_sources() -> None:
    data = json.loads(STRICT.read_text(encoding="utf-8"))
    assert data["schema"] == "xroad strict vectors v1"
    names = [v["name"] for v in data["vectors"]]
    assert len(names) == len(set(names)) == 48
    assert {v["kind"] for v in data["vectors"]} == {
        "rest_refusal",
        "rest_accept",
        "soap_route",
        "openapi",
        "rest_response",
        "soap_hash",
        "spelling",
    }
    assert all(v["source"] for v in data["vectors"])
    assert len(of_kind("rest_accept")) == 13  # RestProxyTest's cases and two of ours


@pytest.mark.parametrize("v", of_kind("rest_refusal"), ids=_ids(of_kind("rest_refusal")))
def test_emulator_answers_the_vector_rest_request(
    v: Vector, served: tuple[World, httpx.Client]
) -> None:
    world, http = served
    request, expect = v["request"], v["expect"]
    saved = world.topology.max_loggable_body_size
    world.topology.max_loggable_body_size = v["topology"].get("max_loggable_body_size", saved)
    try:
        body = b"x" * request["body_size"] if request["body_size"] else None
        response = http.request(
            request["method"], request["target"], headers=request["headers"], content=body
        )
    finally:
        world.topology.max_loggable_body_size = saved
    assert response.status_code == expect["status"]
    if expect["fault"] is None:
        assert "x-road-error" not in response.headers
        if body is not None:
            assert len(world.rest.seen[-1].body) == len(body)
        return
    code = expect["fault"][_spelling(world)]
    assert response.headers["x-road-error"] == code
    error = response.json()
    assert (error["type"], error["message"]) == (code, expect["message"])
    assert re.fullmatch(r"[0-9a-f-]{36}", error["detail"])


@pytest.mark.parametrize("v", of_kind("rest_accept"), ids=_ids(of_kind("rest_accept")))
def test_error_body_format_follows_the_vector_accept(
    v: Vector, served: tuple[World, httpx.Client]
) -> None:
    world, http = served
    headers = {"X-Road-Client": str(CLIENT), "Content-Type": "application/json"}
    if v["accept"] is not None:
        headers["Accept"] = v["accept"]
    response = http.get(f"/r1/{PROVIDER.encode()}/wsdl", headers=headers)
    assert response.status_code == 500
    media = response.headers["content-type"].split(";")[0]
    assert media == v["expect"]["media_type"]
    code = FaultCode("Server.ServerProxy.ServiceType").spelled(world.topology.error_spelling)
    if media == "application/json":
        assert response.json()["type"] == code
    else:
        assert ET.fromstring(response.content).findtext("type") == code


@pytest.mark.parametrize("v", of_kind("soap_route"), ids=_ids(of_kind("soap_route")))
def test_targets_other_than_r1_reach_the_soap_handler(
    v: Vector, served: tuple[World, httpx.Client]
) -> None:
    world, http = served
    request, expect = v["request"], v["expect"]
    response = http.request(request["method"], request["target"], headers=request["headers"])
    assert response.status_code == expect["status"]
    assert response.headers["content-type"].startswith("text/xml")
    fault = ET.fromstring(response.content).find(".//{*}Fault")
    assert fault.findtext("faultcode") == expect["fault"][_spelling(world)]
    assert fault.findtext("faultstring") == expect["message"]


@pytest.mark.parametrize("v", of_kind("openapi"), ids=_ids(of_kind("openapi")))
def test_get_openapi_anonymises_the_vector_description(
    v: Vector, served: tuple[World, httpx.Client]
) -> None:
    world, http = served
    world.described.openapi = v["description"]
    response = http.get(
        f"/r1/{PROVIDER.encode()}/getOpenAPI",
        params={"serviceCode": v["service"]},
        headers={"X-Road-Client": str(CLIENT)},
    )
    expect = v["expect"]
    if "fault" in expect:
        assert response.status_code == 500
        assert response.json()["type"] == expect["fault"][_spelling(world)]
        assert response.json()["message"] == expect["message"]
        return
    assert response.status_code == 200
    assert response.headers["content-type"] == expect["content_type"]
    if "servers" in expect:
        assert [s["url"] for s in response.json()["servers"]] == expect["servers"]
        assert response.json()["info"] == v["description"]["info"]
    else:
        assert response.text == expect["text"]


@pytest.mark.parametrize("v", of_kind("rest_response"), ids=_ids(of_kind("rest_response")))
def test_relayed_answer_carries_the_vector_headers(
    v: Vector, served: tuple[World, httpx.Client]
) -> None:
    world, http = served
    world.rest.answer = Canned(200, b"{}", [(k, val) for k, val in v["provider_headers"]])
    try:
        response = http.get(v["request"]["target"], headers=v["request"]["headers"])
    finally:
        world.rest.answer = Canned()
    assert response.status_code == 200
    for name, wanted in v["expect"].items():
        if name == "x-road-id-pattern":
            assert re.fullmatch(wanted, response.headers["x-road-id"])
        else:
            assert response.headers.get_list(name) == wanted


@pytest.mark.parametrize("v", of_kind("soap_hash"), ids=_ids(of_kind("soap_hash")))
def test_provider_side_writes_its_request_hash_after_the_id(
    v: Vector, served: tuple[World, httpx.Client]
) -> None:
    world, http = served
    service = PROVIDER.service("wsdl")
    sent = build_envelope(
        client=CLIENT, service=service, message_id="soap-1", body="<ns:wsdl xmlns:ns='urn:x'/>"
    )
    world.soap.forge = v["provider_hash"] == "end"
    try:
        response = http.post("/", content=sent, headers={"Content-Type": "text/xml"})
        with XRoadClient(str(http.base_url), CLIENT, retry=NO_RETRY) as client:
            answered = client.soap(service, "<ns:wsdl xmlns:ns='urn:x'/>")
    finally:
        world.soap.forge = False
    header = ET.fromstring(response.content).find("{*}Header")
    names = [child.tag.removeprefix(XRD) for child in header]
    assert names == v["expect"]["header_order"]
    hashes = header.findall(f"{XRD}requestHash")
    assert len(hashes) == v["expect"]["request_hashes"]
    assert hashes[0].text == request_hash(sent)
    assert answered.header.request_hash is not None  # our client checked it against its bytes


@pytest.mark.parametrize("v", of_kind("spelling"), ids=_ids(of_kind("spelling")))
def test_codes_are_spelled_as_the_vector_says(v: Vector) -> None:
    old, new = v["fault"]["7.7"], v["fault"]["7.8"]
    assert FaultCode(old).spelled(ErrorSpelling.V7_8) == new
    assert FaultCode(new).spelled(ErrorSpelling.V7_7) == old
    assert FaultCode(old) == new


def test_client_reads_the_servers_own_service_header_after_the_providers(
    served: tuple[World, httpx.Client],
) -> None:
    world, http = served
    forged = [("content-type", "application/json"), ("x-road-service", "EE/BUSINESS/other/sub/x")]
    world.rest.answer = Canned(200, b"{}", forged)
    try:
        with XRoadClient(str(http.base_url), CLIENT, retry=NO_RETRY) as client:
            response = client.get(PROVIDER.service("echo"), "/x")
    finally:
        world.rest.answer = Canned()
    assert response.x_road.service_id == PROVIDER.service("echo")
