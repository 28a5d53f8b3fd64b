"""Our own vectors (tests/xroad_client/data/own_vectors.json) for getWsdl and the connection
types, written from the specifications beside the vendored ones, replayed here:

- ``client_request``: the getWsdl request our client builds;
- ``client_response`` / ``client_response_malformed``: how it reads a multipart answer;
- ``emulator_wsdl``: what the emulator answers, in both error spellings;
- ``connection``: how the emulator applies a client's connection type to a REST call, given
  the request's scheme and TLS client certificate as the ASGI TLS extension carries them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import trustme
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

import xroad_client
from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.wsdl_answers import multipart_type, part, related, soap_answer
from xroad_client import NO_RETRY, ClientId, ErrorSpelling, ServiceId, XRoadClient, XRoadError
from xroad_client.emulator import (
    AsgiProvider,
    ConnectionType,
    Emulator,
    RestService,
    SoapService,
    Topology,
)

OWN = Path(__file__).resolve().parent / "data" / "own_vectors.json"
XRD = "{http://x-road.eu/xsd/xroad.xsd}"
IDS = "{http://x-road.eu/xsd/identifiers}"
Vector = dict[str, Any]


@cache
def own_vectors() -> tuple[Vector, ...]:
    return tuple(json.loads(OWN.read_text(encoding="utf-8"))["vectors"])


def of_kind(*kinds: str) -> list[Vector]:
    return [v for v in own_vectors() if v["kind"] in kinds]


def _ids(vectors: list[Vector]) -> list[str]:
    return [v["name"] for v in vectors]


def service_of(data: dict[str, str]) -> ServiceId:
    return ClientId.parse(data["provider"]).service(data["serviceCode"], data.get("serviceVersion"))


def _client(call: dict[str, Any], transport: httpx.BaseTransport) -> XRoadClient:
    return XRoadClient("http://ss", call["client"], transport=transport, retry=NO_RETRY)


def test_the_own_vectors_are_well_formed_and_cover_both_behaviours() -> None:
    data = json.loads(OWN.read_text(encoding="utf-8"))
    assert data["schema"] == "xroad own test vectors v1"
    names = [v["name"] for v in data["vectors"]]
    assert len(names) == len(set(names)) == 20
    assert {v["kind"] for v in data["vectors"]} == {
        "client_request",
        "client_response",
        "client_response_malformed",
        "emulator_wsdl",
        "connection",
    }
    assert all(v["source"] for v in data["vectors"])


# -- the client ----------------------------------------------------------------------------


@pytest.mark.parametrize("v", of_kind("client_request"), ids=_ids(of_kind("client_request")))
def test_client_builds_the_vector_getwsdl_request(v: Vector) -> None:
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return httpx.Response(200, headers={"content-type": "text/xml"}, content=b"<x/>")

    with _client(v["call"], httpx.MockTransport(handler)) as client, pytest.raises(XRoadError):
        client.get_wsdl(service_of(v["call"]["service"]))
    envelope = ET.fromstring(sent[0])
    header_service = envelope.find(f".//{XRD}service")
    wanted = dict(v["expect"]["header_service"])
    assert header_service.get(f"{IDS}objectType") == wanted.pop("objectType")
    assert {child.tag.split("}")[1]: child.text for child in header_service} == wanted
    body = envelope.find(f".//{v['expect']['body_element']}")
    children = [[child.tag.removeprefix(XRD), child.text] for child in body]
    assert children == v["expect"]["body_children"]


def _vector_part(spec: dict[str, Any], request: bytes) -> bytes:
    headers = spec["headers"]
    body = soap_answer(request) if spec["body"] == "<soap answer>" else spec["body"].encode()
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return lines.encode() + b"\r\n" + body


@pytest.mark.parametrize("v", of_kind("client_response"), ids=_ids(of_kind("client_response")))
def test_client_reads_the_vector_multipart_answer(v: Vector) -> None:
    response = v["response"]

    def handler(request: httpx.Request) -> httpx.Response:
        parts = [_vector_part(p, request.content) for p in response["parts"]]
        body = related(*parts, boundary=response["boundary"])
        return httpx.Response(200, headers={"content-type": response["content_type"]}, content=body)

    with _client(v["call"], httpx.MockTransport(handler)) as client:
        document = client.get_wsdl(service_of(v["call"]["service"]))
    assert document.text == v["expect"]["wsdl"]
    assert document.content_id == v["expect"]["content_id"]


WSDL = b'<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>'
CID = "<wsdl=1@x-road.eu>"
SHAPES = {
    "swapped": lambda r: (
        multipart_type(),
        related(part("text/xml", WSDL, CID), part("text/xml", soap_answer(r))),
    ),
    "no_boundary": lambda r: (
        multipart_type(boundary=None),
        related(part("text/xml", soap_answer(r)), part("text/xml", WSDL, CID)),
    ),
    "unclosed": lambda r: (
        multipart_type(),
        related(part("text/xml", soap_answer(r)), part("text/xml", WSDL, CID), close=False),
    ),
    "bare_content_id": lambda r: (
        multipart_type(),
        related(part("text/xml", soap_answer(r)), part("text/xml", WSDL, CID.strip("<>"))),
    ),
    "soap_only": lambda r: (multipart_type(), related(part("text/xml", soap_answer(r)))),
}


@pytest.mark.parametrize(
    "v", of_kind("client_response_malformed"), ids=_ids(of_kind("client_response_malformed"))
)
def test_client_refuses_the_vector_malformed_answer(v: Vector) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        content_type, body = SHAPES[v["shape"]](request.content)
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    error = getattr(xroad_client, v["expect"]["error"])
    with _client(v["call"], httpx.MockTransport(handler)) as client, pytest.raises(error):
        client.get_wsdl(service_of(v["call"]["service"]))


# -- the emulator --------------------------------------------------------------------------


def _topology(spelling: ErrorSpelling) -> Topology:
    topology = Topology(instance="FI", error_spelling=spelling)
    topology.add_member("FI/COM/111", "Test member", subsystems={"SUB": "Test subsystem"})
    return topology


def _emulator_for(v: Vector, spelling: ErrorSpelling) -> Emulator:
    topology = _topology(spelling)
    spec = v["topology"]["service"]
    if spec is not None:
        provider = AsgiProvider(RecordingProvider(), "https://test.x-road.fi/producer")
        if spec["type"] == "SOAP":
            topology.add_service(
                SoapService(id=service_of(spec), provider=provider, wsdl=spec["wsdl"])
            )
        else:
            topology.add_service(RestService(id=service_of(spec), provider=provider))
    return Emulator(topology)


@pytest.mark.parametrize("spelling", list(ErrorSpelling), ids=lambda s: s.value)
@pytest.mark.parametrize("v", of_kind("emulator_wsdl"), ids=_ids(of_kind("emulator_wsdl")))
def test_emulator_answers_the_vector_getwsdl(v: Vector, spelling: ErrorSpelling) -> None:
    emulator = _emulator_for(v, spelling)
    expect = v["expect"]
    with _client(v["call"], emulator.sync_transport()) as client:
        if "fault" not in expect:
            document = client.get_wsdl(service_of(v["call"]["service"]))
            assert document.text == expect["wsdl"]
            assert re.fullmatch(expect["content_id_pattern"], document.content_id)
            return
        with pytest.raises(getattr(xroad_client, expect["error"])) as caught:
            client.get_wsdl(service_of(v["call"]["service"]))
    assert str(caught.value.code) == expect["fault"][spelling.value]  # type: ignore[attr-defined]
    assert caught.value.message == expect["message"]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def certificates() -> dict[str, str]:
    ca = trustme.CA()
    return {
        name: ca.issue_cert(f"{name}.example").cert_chain_pems[0].bytes().decode()
        for name in ("client", "other")
    }


async def _asgi_get(emulator: Emulator, scope: dict[str, Any]) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await emulator(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@pytest.mark.parametrize("spelling", list(ErrorSpelling), ids=lambda s: s.value)
@pytest.mark.parametrize("v", of_kind("connection"), ids=_ids(of_kind("connection")))
def test_emulator_applies_the_vector_connection_rule(
    v: Vector, spelling: ErrorSpelling, certificates: dict[str, str]
) -> None:
    topology = _topology(spelling)
    client = ClientId.parse(v["topology"]["client"])
    service = RestService(
        id=client.service("getRandom"), provider=AsgiProvider(RecordingProvider())
    )
    service.allow(client)
    topology.add_service(service)
    registered = v["topology"]["certificates"]
    topology.connect(
        client,
        ConnectionType(v["topology"]["connection_type"]),
        certificates=None if registered is None else [certificates[n] for n in registered],
    )
    path = f"/r1/{client.encode()}/getRandom/x"
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"x-road-client", client.encode().encode())],
        "scheme": v["transport"]["scheme"],
    }
    presented = v["transport"]["certificate"]
    if presented is not None:
        scope["extensions"] = {"tls": {"client_cert_chain": [certificates[presented]]}}
    status, body = anyio.run(_asgi_get, Emulator(topology), scope)
    expect = v["expect"]
    assert status == expect["status"]
    if "fault" in expect:
        error = json.loads(body)
        assert error["type"] == expect["fault"][spelling.value]
        assert error["message"] == expect["message"]
