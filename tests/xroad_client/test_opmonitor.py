"""Typed operational monitoring calls (PR-OPMON): health data through the emulator over real
HTTP, operational data from a hand-made multipart answer."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime

import httpx
import pytest

from tests.xroad_client.apps import ENVELOPE_OPEN, RecordingProvider
from tests.xroad_client.worlds import PORTAL, registry_world
from tests.xroad_client.wsdl_answers import multipart_type, part, related, sha512_b64
from xroad_client import (
    ClientId,
    InvalidResponseError,
    MissingAttachmentError,
    SecurityServerId,
    XRoadClient,
)
from xroad_client.emulator import (
    ASGIApp,
    AsgiProvider,
    Receive,
    Scope,
    Send,
    SoapService,
    serve_in_thread,
)
from xroad_client.opmonitor import NS_OPMON
from xroad_client.provider import read_soap_request, soap_response

OWNER = ClientId("MX", "GOB", "E24")
SERVER = SecurityServerId(OWNER, "ss1")
SAT_RFC = ClientId("MX", "GOB", "SAT", "rfc")
HEALTH = f"""<om:getSecurityServerHealthDataResponse xmlns:om="{NS_OPMON}"
    xmlns:id="http://x-road.eu/xsd/identifiers">
  <om:monitoringStartupTimestamp>1764763200000</om:monitoringStartupTimestamp>
  <om:statisticsPeriodSeconds>600</om:statisticsPeriodSeconds>
  <om:servicesEvents>
    <om:serviceEvents>
      <om:service id:objectType="SERVICE"><id:xRoadInstance>MX</id:xRoadInstance>
        <id:memberClass>GOB</id:memberClass><id:memberCode>SAT</id:memberCode>
        <id:subsystemCode>rfc</id:subsystemCode><id:serviceCode>validate</id:serviceCode>
      </om:service>
      <om:lastSuccessfulRequestTimestamp>1764763500123</om:lastSuccessfulRequestTimestamp>
      <om:serviceType>REST</om:serviceType>
      <om:lastPeriodStatistics>
        <om:successfulRequestCount>12</om:successfulRequestCount>
        <om:unsuccessfulRequestCount>1</om:unsuccessfulRequestCount>
        <om:requestMinDuration>40</om:requestMinDuration>
        <om:requestAverageDuration>75.5</om:requestAverageDuration>
      </om:lastPeriodStatistics>
    </om:serviceEvents>
  </om:servicesEvents>
</om:getSecurityServerHealthDataResponse>"""


def _health_provider(seen: list[bytes]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        message = await receive()
        seen.append(message.get("body", b""))
        answer = soap_response(read_soap_request(seen[-1]).envelope, HEALTH)
        headers = [(b"content-type", b"text/xml; charset=UTF-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    return app


def test_health_data_is_asked_of_the_owner_for_one_server_and_read_typed() -> None:
    registry = registry_world(RecordingProvider())
    seen: list[bytes] = []
    health = SoapService(
        id=OWNER.service("getSecurityServerHealthData"),
        provider=AsgiProvider(_health_provider(seen), "https://ss1.internal/opmonitor"),
    )
    health.allow(PORTAL)
    registry.emulator.topology.add_service(health)
    with serve_in_thread(registry.emulator) as base_url, XRoadClient(base_url, PORTAL) as client:
        data = client.health_data(SERVER, client=SAT_RFC)
    assert data.monitoring_startup == datetime(2025, 12, 3, 12, 0, tzinfo=UTC)
    assert data.statistics_period_seconds == 600
    (service,) = data.services
    assert service.service == SAT_RFC.service("validate") and service.service_type == "REST"
    assert service.last_successful is not None and service.last_unsuccessful is None
    assert service.statistics is not None
    assert (service.statistics.successful, service.statistics.unsuccessful) == (12, 1)
    assert service.statistics.request_average_duration == 75.5
    assert service.statistics.response_max_size is None
    assert data.header.request_hash is not None
    request = seen[0]
    assert b"<xrd:securityServer" in request and b"<id:serverCode>ss1</id:serverCode>" in request
    assert b"<om:filterCriteria><om:client" in request and b">rfc</id:subsystemCode>" in request


def _opdata_answer(request: bytes, records: bytes, *, gz: bool = True) -> tuple[str, bytes]:
    header = re.search(rb"<SOAP-ENV:Header>(.*?)</SOAP-ENV:Header>", request, re.S)
    assert header is not None
    hash_xml = (
        '<xrd:requestHash algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">'
        f"{sha512_b64(request)}</xrd:requestHash>"
    ).encode()
    soap = (
        ENVELOPE_OPEN.encode()
        + b"<SOAP-ENV:Header>"
        + header.group(1)
        + hash_xml
        + b"</SOAP-ENV:Header><SOAP-ENV:Body>"
        + f'<om:getSecurityServerOperationalDataResponse xmlns:om="{NS_OPMON}">'
        "<om:recordsCount>2</om:recordsCount><om:records>cid:operational-monitoring-data.json.gz"
        "</om:records><om:nextRecordsFrom>1764763300</om:nextRecordsFrom>"
        "</om:getSecurityServerOperationalDataResponse>".encode()
        + b"</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    payload = gzip.compress(records) if gz else records
    body = related(
        part("text/xml; charset=UTF-8", soap),
        part("application/gzip", payload, "<operational-monitoring-data.json.gz>"),
    )
    return multipart_type(), body


RECORDS = json.dumps(
    {"records": [{"serviceCode": "validate", "succeeded": True}, {"serviceCode": "x"}]}
).encode()


def _client(answer: bytes, *, gz: bool = True) -> tuple[XRoadClient, list[bytes]]:
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        content_type, body = _opdata_answer(request.content, answer, gz=gz)
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    return XRoadClient("http://ss", PORTAL, transport=httpx.MockTransport(handler)), sent


def test_operational_data_records_come_from_the_gzipped_attachment() -> None:
    client, sent = _client(RECORDS)
    with client:
        data = client.operational_data(
            SERVER, 1764763000, 1764763600, client=SAT_RFC, fields=["serviceCode", "succeeded"]
        )
    assert data.records_count == 2 and data.next_records_from == 1764763300
    assert data.records[0] == {"serviceCode": "validate", "succeeded": True}
    request = sent[0]
    assert b"<id:serviceCode>getSecurityServerOperationalData</id:serviceCode>" in request
    assert b"<om:recordsFrom>1764763000</om:recordsFrom>" in request
    assert b"<om:outputField>succeeded</om:outputField>" in request


def test_a_gzip_bomb_is_refused_under_the_cap() -> None:
    bomb = json.dumps({"records": [], "pad": "x" * (4 * 1024 * 1024)}).encode()
    client, _ = _client(bomb)
    with client, pytest.raises(InvalidResponseError, match="unpack to over"):
        client.operational_data(SERVER, 0, 10, max_bytes=1024 * 1024)


def test_records_that_are_not_the_schema_are_refused() -> None:
    client, _ = _client(b'{"rows": []}', gz=False)
    with client, pytest.raises(InvalidResponseError, match="records"):
        client.operational_data(SERVER, 0, 10)


def test_a_plain_soap_answer_has_no_records() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        _, body = _opdata_answer(request.content, RECORDS)
        soap = body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--xroad-b1", 1)[0]
        return httpx.Response(200, headers={"content-type": "text/xml"}, content=soap)

    with (
        XRoadClient("http://ss", PORTAL, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(MissingAttachmentError),
    ):
        client.operational_data(SERVER, 0, 10)


def test_an_inverted_period_is_refused_before_sending() -> None:
    with XRoadClient("http://ss", PORTAL) as client, pytest.raises(ValueError, match="after"):
        client.operational_data(SERVER, 10, 0)


def _opdata_provider() -> ASGIApp:
    """Answers as a Security Server's op-monitoring daemon does: SOAP part, then records."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = read_soap_request((await receive()).get("body", b""))
        soap = soap_response(
            request.envelope,
            f'<om:getSecurityServerOperationalDataResponse xmlns:om="{NS_OPMON}">'
            "<om:recordsCount>2</om:recordsCount>"
            "<om:records>cid:operational-monitoring-data.json.gz</om:records>"
            "</om:getSecurityServerOperationalDataResponse>",
        )
        body = related(
            part("text/xml; charset=UTF-8", soap),
            part(
                "application/gzip", gzip.compress(RECORDS), "<operational-monitoring-data.json.gz>"
            ),
        )
        headers = [(b"content-type", multipart_type().encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def test_operational_data_through_the_emulator_keeps_the_attachment() -> None:
    """The emulator relays a multipart SOAP answer: hash written into the SOAP part, the
    attachment passed on as sent."""
    registry = registry_world(RecordingProvider())
    service = SoapService(
        id=OWNER.service("getSecurityServerOperationalData"),
        provider=AsgiProvider(_opdata_provider(), "https://ss1.internal/opmonitor"),
    )
    service.allow(PORTAL)
    registry.emulator.topology.add_service(service)
    with serve_in_thread(registry.emulator) as base_url, XRoadClient(base_url, PORTAL) as client:
        data = client.operational_data(SERVER, 1764763000, 1764763600)
    assert data.records_count == 2 and data.next_records_from is None
    assert [r["serviceCode"] for r in data.records] == ["validate", "x"]
    assert data.header.request_hash is not None
