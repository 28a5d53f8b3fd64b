"""getWsdl against the emulator served over real HTTP, in both error spellings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.worlds import (
    CURP,
    CURP_WSDL,
    PORTAL,
    REGISTRY,
    SAT,
    Registry,
    registry_world,
)
from xroad_client import (
    NO_RETRY,
    AsyncXRoadClient,
    ClientProxyFault,
    ErrorSpelling,
    FaultCode,
    ResponseTooLargeError,
    ServerProxyFault,
    ServiceTypeFault,
    XRoadClient,
)
from xroad_client.emulator import AsgiProvider, SoapService, serve_in_thread
from xroad_client.emulator.get_wsdl import rewrite_soap_address
from xroad_client.soap import build_envelope

ENDPOINT = "http://example.org/xroad-endpoint"
SOAP11 = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
SOAP12 = "{http://schemas.xmlsoap.org/wsdl/soap12/}address"
HUGE = SAT.service("bigLookup", "v1")
BARE = SAT.service("bareLookup", "v1")
PRIVATE = SAT.service("privateLookup", "v1")


def _huge_wsdl() -> bytes:
    filler = b"<wsdl:documentation>" + b"x" * (10 * 1024 * 1024) + b"</wsdl:documentation>"
    return CURP_WSDL.encode().replace(b"</wsdl:definitions>", filler + b"</wsdl:definitions>")


@dataclass(frozen=True)
class Served:
    registry: Registry
    base_url: str
    spelling: ErrorSpelling

    def client(self) -> XRoadClient:
        return XRoadClient(self.base_url, PORTAL, retry=NO_RETRY)

    def code(self, code: str) -> str:
        return FaultCode(code).spelled(self.spelling)


@pytest.fixture(scope="module", params=list(ErrorSpelling), ids=lambda s: s.value)
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    registry = registry_world(RecordingProvider(), spelling=request.param)
    topology = registry.emulator.topology
    provider = AsgiProvider(registry.soap_provider, "https://sat.example/soap")
    huge = SoapService(id=HUGE, provider=provider, wsdl=_huge_wsdl())
    huge.allow(PORTAL)
    topology.add_service(huge)
    topology.add_service(SoapService(id=BARE, provider=provider))  # no WSDL
    topology.add_service(SoapService(id=PRIVATE, provider=provider, wsdl=CURP_WSDL))  # no rights
    with serve_in_thread(registry.emulator) as base_url:
        yield Served(registry, base_url, request.param)


def test_the_wsdl_comes_back_with_its_addresses_hidden(served: Served) -> None:
    with served.client() as client:
        document = client.get_wsdl(CURP)
    root = ET.fromstring(document.content)
    assert [a.get("location") for a in root.iter(SOAP11)] == [ENDPOINT]
    assert [a.get("location") for a in root.iter(SOAP12)] == [ENDPOINT]
    assert b"sat.internal" not in document.content and b"10.0.0.7" not in document.content
    assert b"<!-- CURP lookup, as SAT publishes it -->" in document.content  # otherwise as is
    assert document.content_id.startswith("wsdl=") and document.content_id.endswith("@x-road.eu")
    assert document.header.service == SAT.service("getWsdl")
    assert document.header.client == PORTAL


def test_the_answer_is_multipart_related_with_the_soap_part_first(served: Served) -> None:
    envelope = build_envelope(
        client=PORTAL,
        service=SAT.service("getWsdl"),
        message_id="wsdl-raw-1",
        body='<xrd:getWsdl xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">'
        "<xrd:serviceCode>curpLookup</xrd:serviceCode>"
        "<xrd:serviceVersion>v1</xrd:serviceVersion></xrd:getWsdl>",
    )
    response = httpx.post(
        served.base_url + "/", content=envelope, headers={"content-type": "text/xml"}
    )
    content_type = response.headers["content-type"]
    assert content_type.startswith('multipart/related; type="text/xml"; charset=UTF-8; boundary=')
    boundary = content_type.rsplit("boundary=", 1)[1].encode()
    parts = response.content.split(b"--" + boundary)
    assert parts[0] == b"" and parts[-1] == b"--\r\n" and len(parts) == 4
    assert b"getWsdlResponse" in parts[1] and b"requestHash" in parts[1]
    assert b"Content-Transfer-Encoding: binary" in parts[2] and b"wsdl:definitions" in parts[2]


@pytest.mark.anyio
async def test_the_async_client_gets_it_too(served: Served) -> None:
    async with AsyncXRoadClient(served.base_url, PORTAL) as client:
        document = await client.get_wsdl(CURP)
    assert b"wsdl:definitions" in document.content


def test_no_access_right_is_needed_for_the_wsdl(served: Served) -> None:
    with served.client() as client:
        assert client.get_wsdl(PRIVATE).content


def test_a_rest_service_has_no_wsdl(served: Served) -> None:
    with served.client() as client, pytest.raises(ServiceTypeFault) as caught:
        client.get_wsdl(REGISTRY)
    assert str(caught.value.code) == served.code("Server.ServerProxy.ServiceType")
    assert caught.value.message == "Service is a REST service and does not have a WSDL"


@pytest.mark.parametrize("service", [BARE, SAT.service("nothing")], ids=["no wsdl", "unknown"])
def test_a_service_without_a_wsdl_is_unknown(served: Served, service: object) -> None:
    with served.client() as client, pytest.raises(ServerProxyFault) as caught:
        client.get_wsdl(service)  # type: ignore[arg-type]
    assert str(caught.value.code) == served.code("Server.ServerProxy.UnknownService")
    assert caught.value.message.startswith("Could not find wsdl URL for service SERVICE:")


def test_a_request_without_service_code_is_invalid(served: Served) -> None:
    envelope = build_envelope(
        client=PORTAL,
        service=SAT.service("getWsdl"),
        message_id="wsdl-raw-2",
        body='<xrd:getWsdl xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"/>',
    )
    response = httpx.post(
        served.base_url + "/", content=envelope, headers={"content-type": "text/xml"}
    )
    assert response.status_code == 200
    fault = ET.fromstring(response.content)
    assert fault.findtext(".//faultcode") == served.code("Server.ServerProxy.InvalidRequest")
    assert fault.findtext(".//faultstring") == "Missing serviceCode in message body"


def test_an_unknown_provider_is_an_unknown_member(served: Served) -> None:
    with served.client() as client, pytest.raises(ClientProxyFault) as caught:
        client.get_wsdl("MX/GOB/NOBODY/x/curpLookup")
    assert str(caught.value.code) == served.code("Server.ClientProxy.UnknownMember")


def test_a_ten_megabyte_wsdl_is_refused_by_the_default_cap(served: Served) -> None:
    with served.client() as client:
        with pytest.raises(ResponseTooLargeError):
            client.get_wsdl(HUGE)
        document = client.get_wsdl(HUGE, max_bytes=16 * 1024 * 1024)
    assert len(document.content) > 10 * 1024 * 1024


# -- the rewrite on its own ------------------------------------------------------------------


def test_the_rewrite_follows_any_prefix_and_keeps_the_rest() -> None:
    wsdl = (
        b'<d:definitions xmlns:d="http://schemas.xmlsoap.org/wsdl/"'
        b' xmlns:s="http://schemas.xmlsoap.org/wsdl/soap/"><d:service><d:port>'
        b'<s:address   location = "http://a/b"/></d:port></d:service>'
        b"<address location='http://not-soap/'/></d:definitions>"
    )
    rewritten = rewrite_soap_address(wsdl)
    assert rewritten == wsdl.replace(b'"http://a/b"', f'"{ENDPOINT}"'.encode())


def test_the_rewrite_falls_back_to_elementtree_for_a_default_namespace() -> None:
    wsdl = (
        b'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><service><port>'
        b'<address xmlns="http://schemas.xmlsoap.org/wsdl/soap/" location="http://a/b"/>'
        b"</port></service></definitions>"
    )
    root = ET.fromstring(rewrite_soap_address(wsdl))
    assert [a.get("location") for a in root.iter(SOAP11)] == [ENDPOINT]


def test_a_rest_call_to_a_soap_service_is_a_service_type_fault_too(served: Served) -> None:
    with served.client() as client, pytest.raises(ServiceTypeFault) as caught:
        client.get(SAT.service("curpLookup"), "/x")
    assert str(caught.value.code) == served.code("Server.ServerProxy.ServiceType")
