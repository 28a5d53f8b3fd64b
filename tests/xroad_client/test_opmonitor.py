"""Typed operational monitoring calls (PR-OPMON), through the emulator over real HTTP in both
error spellings: health data, operational data from its gzipped attachment, and the faults a
Security Server answers for them."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.conftest import FAST_RETRY
from tests.xroad_client.worlds import PORTAL, registry_world
from tests.xroad_client.wsdl_answers import multipart_type, part, related
from xroad_client import (
    ClientId,
    ErrorSpelling,
    Exchange,
    FaultCode,
    InvalidResponseError,
    MissingAttachmentError,
    SecurityServerId,
    ServerProxyFault,
    XRoadClient,
    XRoadFault,
)
from xroad_client.emulator import (
    AsgiProvider,
    Emulator,
    FaultSpec,
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
SAT_SERVER = SecurityServerId(ClientId("MX", "GOB", "SAT"), "sat-ss")
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
RECORDS = json.dumps(
    {"records": [{"serviceCode": "validate", "succeeded": True}, {"serviceCode": "x"}]}
).encode()


@dataclass
class Monitor:
    """The owner's op-monitoring daemon behind the emulator: health data as XML, operational
    data as a SOAP part and its gzipped records, with switches to break the answer."""

    seen: list[bytes] = field(default_factory=list)
    records: bytes = RECORDS
    gz: bool = True
    attached: bool = True
    next_records_from: int | None = 1764763300

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.seen.append((await receive()).get("body", b""))
        request = read_soap_request(self.seen[-1])
        service = request.header.service
        if service is not None and service.service_code == "getSecurityServerHealthData":
            content_type, body = "text/xml; charset=UTF-8", soap_response(request.envelope, HEALTH)
        else:
            content_type, body = self._operational(request.envelope)
        headers = [(b"content-type", content_type.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _operational(self, envelope: bytes) -> tuple[str, bytes]:
        following = (
            f"<om:nextRecordsFrom>{self.next_records_from}</om:nextRecordsFrom>"
            if self.next_records_from is not None
            else ""
        )
        soap = soap_response(
            envelope,
            f'<om:getSecurityServerOperationalDataResponse xmlns:om="{NS_OPMON}">'
            "<om:recordsCount>2</om:recordsCount>"
            f"<om:records>cid:operational-monitoring-data.json.gz</om:records>{following}"
            "</om:getSecurityServerOperationalDataResponse>",
        )
        if not self.attached:
            return "text/xml; charset=UTF-8", soap
        payload = gzip.compress(self.records) if self.gz else self.records
        body = related(
            part("text/xml; charset=UTF-8", soap),
            part("application/gzip", payload, "<operational-monitoring-data.json.gz>"),
        )
        return multipart_type(), body


@dataclass
class Monitored:
    emulator: Emulator
    monitor: Monitor
    spelling: ErrorSpelling
    url: str = ""

    def client(self, exchanges: list[Exchange] | None = None) -> XRoadClient:
        hook = exchanges.append if exchanges is not None else None
        return XRoadClient(self.url, PORTAL, retry=FAST_RETRY, on_exchange=hook)


def _monitored(spelling: ErrorSpelling, *, granted: bool = True) -> Monitored:
    """Our server's owner serves both monitoring calls; the portal may call them when
    ``granted``. SAT's server has no monitoring service at all."""
    registry = registry_world(RecordingProvider(), spelling=spelling)
    monitor = Monitor()
    for name in ("getSecurityServerHealthData", "getSecurityServerOperationalData"):
        service = SoapService(
            id=OWNER.service(name),
            provider=AsgiProvider(monitor, "https://ss1.internal/opmonitor"),
            timeout_s=2.0,
        )
        if granted:
            service.allow(PORTAL)
        registry.emulator.topology.add_service(service)
    return Monitored(registry.emulator, monitor, spelling)


@pytest.fixture(params=list(ErrorSpelling), ids=lambda s: s.value)
def spelling(request: pytest.FixtureRequest) -> ErrorSpelling:
    spelling: ErrorSpelling = request.param
    return spelling


@pytest.fixture
def served(spelling: ErrorSpelling) -> Iterator[Monitored]:
    world = _monitored(spelling)
    with serve_in_thread(world.emulator) as url:
        world.url = url
        yield world


def test_health_data_is_asked_of_the_owner_for_one_server_and_read_typed(
    served: Monitored,
) -> None:
    with served.client() as client:
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
    request = served.monitor.seen[0]
    assert b"<xrd:securityServer" in request and b"<id:serverCode>ss1</id:serverCode>" in request
    assert b"<om:filterCriteria><om:client" in request and b">rfc</id:subsystemCode>" in request


def test_operational_data_records_come_from_the_gzipped_attachment(served: Monitored) -> None:
    """The emulator relays the multipart answer: hash written into the SOAP part, the
    attachment passed on as sent."""
    with served.client() as client:
        data = client.operational_data(
            SERVER, 1764763000, 1764763600, client=SAT_RFC, fields=["serviceCode", "succeeded"]
        )
    assert data.records_count == 2 and data.next_records_from == 1764763300
    assert data.records[0] == {"serviceCode": "validate", "succeeded": True}
    assert [r["serviceCode"] for r in data.records] == ["validate", "x"]
    assert data.header.request_hash is not None
    request = served.monitor.seen[0]
    assert b"<id:serviceCode>getSecurityServerOperationalData</id:serviceCode>" in request
    assert b"<om:recordsFrom>1764763000</om:recordsFrom>" in request
    assert b"<om:outputField>succeeded</om:outputField>" in request


def test_the_last_page_has_no_next_records_from(served: Monitored) -> None:
    served.monitor.next_records_from = None
    with served.client() as client:
        data = client.operational_data(SERVER, 1764763000, 1764763600)
    assert data.records_count == 2 and data.next_records_from is None


def test_a_gzip_bomb_is_refused_under_the_cap(served: Monitored) -> None:
    served.monitor.records = json.dumps({"records": [], "pad": "x" * (4 * 1024 * 1024)}).encode()
    with served.client() as client, pytest.raises(InvalidResponseError, match="unpack to over"):
        client.operational_data(SERVER, 0, 10, max_bytes=1024 * 1024)


def test_records_that_are_not_the_schema_are_refused(served: Monitored) -> None:
    served.monitor.records, served.monitor.gz = b'{"rows": []}', False
    with served.client() as client, pytest.raises(InvalidResponseError, match="records"):
        client.operational_data(SERVER, 0, 10)


def test_a_plain_soap_answer_has_no_records(served: Monitored) -> None:
    served.monitor.attached = False
    with served.client() as client, pytest.raises(MissingAttachmentError):
        client.operational_data(SERVER, 0, 10)


def test_an_inverted_period_is_refused_before_sending(served: Monitored) -> None:
    with served.client() as client, pytest.raises(ValueError, match="after"):
        client.operational_data(SERVER, 10, 0)
    assert served.monitor.seen == []


def _assert_fault(fault: XRoadFault, code: str, spelling: ErrorSpelling) -> None:
    assert fault.code == code
    assert str(fault.code) == FaultCode(code).spelled(spelling)
    assert fault.message and fault.x_road_id


def test_health_data_without_an_access_right_is_access_denied_once(
    spelling: ErrorSpelling,
) -> None:
    world = _monitored(spelling, granted=False)
    seen: list[Exchange] = []
    with serve_in_thread(world.emulator) as url:
        world.url = url
        with world.client(seen) as client, pytest.raises(ServerProxyFault) as caught:
            client.health_data(SERVER)
    _assert_fault(caught.value, "Server.ServerProxy.AccessDenied", spelling)
    (exchange,) = seen  # idempotent, but a refusal is never retried
    assert exchange.fault_code == "Server.ServerProxy.AccessDenied"
    assert world.monitor.seen == []


def test_operational_data_of_a_server_without_the_service_is_unknown_service(
    served: Monitored,
) -> None:
    seen: list[Exchange] = []
    with served.client(seen) as client, pytest.raises(ServerProxyFault) as caught:
        client.operational_data(SAT_SERVER, 0, 10)
    _assert_fault(caught.value, "Server.ServerProxy.UnknownService", served.spelling)
    assert len(seen) == 1 and served.monitor.seen == []


def test_an_unreachable_monitoring_daemon_is_retried_then_raised(served: Monitored) -> None:
    served.emulator.inject_fault(OWNER.service("getSecurityServerHealthData"), FaultSpec(down=True))
    seen: list[Exchange] = []
    with served.client(seen) as client, pytest.raises(ServerProxyFault) as caught:
        client.health_data(SERVER)
    _assert_fault(caught.value, "Server.ServerProxy.NetworkError", served.spelling)
    assert len(seen) == FAST_RETRY.max_attempts  # transient, and the call is idempotent
    assert all(e.fault_code == "Server.ServerProxy.NetworkError" for e in seen)
