"""Operational monitoring (PR-OPMON): a Security Server's health data and operational data.

Both are SOAP services of the server's owner (``service`` names the owner member and
``getSecurityServerHealthData`` / ``getSecurityServerOperationalData``), aimed at one server
with the ``securityServer`` header. Health data comes in the SOAP body; operational data in a
gzipped JSON attachment (``multipart/related``), read here under a cap on its unpacked size.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from xml.sax.saxutils import escape

from xroad_client._http import RawResponse, media_type
from xroad_client._xml import NS_ID, find_child, text_of
from xroad_client.errors import (
    IdentifierError,
    InvalidRequestError,
    InvalidResponseError,
    MissingAttachmentError,
)
from xroad_client.identifiers import ClientId, ServiceId
from xroad_client.soap.ids import client_id_xml, service_id_from_xml
from xroad_client.soap.response import SoapHeader, SoapResponse
from xroad_client.soap.wsdl import split_related

__all__ = [
    "DEFAULT_MAX_RECORDS_BYTES",
    "HEALTH_DATA",
    "NS_OPMON",
    "OPERATIONAL_DATA",
    "HealthData",
    "OperationalData",
    "PeriodStatistics",
    "ServiceHealth",
    "health_data_body",
    "operational_data_body",
    "parse_health_data",
    "parse_operational_data",
]

NS_OPMON: Final = "http://x-road.eu/xsd/op-monitoring.xsd"
HEALTH_DATA: Final = "getSecurityServerHealthData"
OPERATIONAL_DATA: Final = "getSecurityServerOperationalData"
DEFAULT_MAX_RECORDS_BYTES: Final = 64 * 1024 * 1024


def _filter(client: ClientId | None, element: str) -> str:
    if client is None:
        return ""
    identifier = client_id_xml("om:client", client)
    return f"<om:{element}>{identifier}</om:{element}>"


def health_data_body(client: ClientId | None = None) -> str:
    """``om:getSecurityServerHealthData``, filtered to one service provider when given."""
    return (
        f'<om:{HEALTH_DATA} xmlns:om="{NS_OPMON}" xmlns:id="{NS_ID}">'
        f"{_filter(client, 'filterCriteria')}</om:{HEALTH_DATA}>"
    )


def operational_data_body(
    records_from: int,
    records_to: int,
    *,
    client: ClientId | None = None,
    fields: Sequence[str] = (),
) -> str:
    """``om:getSecurityServerOperationalData`` for a period (Unix seconds, ``to`` inclusive)."""
    if records_from > records_to:
        raise InvalidRequestError("records_from must not be after records_to")
    criteria = (
        f"<om:recordsFrom>{int(records_from)}</om:recordsFrom>"
        f"<om:recordsTo>{int(records_to)}</om:recordsTo>"
    )
    if client is not None:
        criteria += client_id_xml("om:client", client)
    output = "".join(f"<om:outputField>{escape(name)}</om:outputField>" for name in fields)
    spec = f"<om:outputSpec>{output}</om:outputSpec>" if fields else ""
    return (
        f'<om:{OPERATIONAL_DATA} xmlns:om="{NS_OPMON}" xmlns:id="{NS_ID}">'
        f"<om:searchCriteria>{criteria}</om:searchCriteria>{spec}</om:{OPERATIONAL_DATA}>"
    )


@dataclass(frozen=True, slots=True)
class PeriodStatistics:
    """Requests of the last statistics period: counts, and durations (ms) and sizes (bytes)."""

    successful: int
    unsuccessful: int
    request_min_duration: float | None = None
    request_average_duration: float | None = None
    request_max_duration: float | None = None
    request_duration_std_dev: float | None = None
    request_min_size: float | None = None
    request_average_size: float | None = None
    request_max_size: float | None = None
    request_size_std_dev: float | None = None
    response_min_size: float | None = None
    response_average_size: float | None = None
    response_max_size: float | None = None
    response_size_std_dev: float | None = None


@dataclass(frozen=True, slots=True)
class ServiceHealth:
    service: ServiceId
    last_successful: datetime | None
    last_unsuccessful: datetime | None
    service_type: str | None
    statistics: PeriodStatistics | None


@dataclass(frozen=True, slots=True)
class HealthData:
    monitoring_startup: datetime
    statistics_period_seconds: int
    services: tuple[ServiceHealth, ...]
    header: SoapHeader


@dataclass(frozen=True, slots=True)
class OperationalData:
    """Records (dicts as PR-OPMON Annex B describes them), and where the next query starts."""

    records: tuple[dict[str, Any], ...]
    records_count: int
    next_records_from: int | None
    header: SoapHeader


def _bad(message: str) -> InvalidResponseError:
    return InvalidResponseError(f"operational monitoring answer: {message}")


def _number(element: ET.Element, name: str) -> float | None:
    text = text_of(find_child(element, NS_OPMON, name))
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise _bad(f"<{name}> is not a number: {text[:40]!r}") from exc


def _required(element: ET.Element, name: str) -> float:
    value = _number(element, name)
    if value is None:
        raise _bad(f"<{name}> is missing")
    return value


def _millis(element: ET.Element, name: str) -> datetime | None:
    value = _number(element, name)
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


def _statistics(element: ET.Element | None) -> PeriodStatistics | None:
    if element is None:
        return None
    names = (
        "requestMinDuration",
        "requestAverageDuration",
        "requestMaxDuration",
        "requestDurationStdDev",
        "requestMinSize",
        "requestAverageSize",
        "requestMaxSize",
        "requestSizeStdDev",
        "responseMinSize",
        "responseAverageSize",
        "responseMaxSize",
        "responseSizeStdDev",
    )
    values = [_number(element, name) for name in names]
    return PeriodStatistics(
        int(_required(element, "successfulRequestCount")),
        int(_required(element, "unsuccessfulRequestCount")),
        *values,
    )


def _service_health(element: ET.Element) -> ServiceHealth:
    service = find_child(element, NS_OPMON, "service")
    if service is None:
        raise _bad("<serviceEvents> without <service>")
    try:
        service_id = service_id_from_xml(service)
    except IdentifierError as exc:
        raise _bad(f"malformed service id: {exc}") from exc
    return ServiceHealth(
        service_id,
        _millis(element, "lastSuccessfulRequestTimestamp"),
        _millis(element, "lastUnsuccessfulRequestTimestamp"),
        text_of(find_child(element, NS_OPMON, "serviceType")),
        _statistics(find_child(element, NS_OPMON, "lastPeriodStatistics")),
    )


def parse_health_data(response: SoapResponse) -> HealthData:
    body = response.body
    if body.tag != f"{{{NS_OPMON}}}{HEALTH_DATA}Response":
        raise _bad(f"unexpected body element {body.tag}")
    events = find_child(body, NS_OPMON, "servicesEvents")
    services = tuple(
        _service_health(child)
        for child in (events if events is not None else ())
        if child.tag == f"{{{NS_OPMON}}}serviceEvents"
    )
    startup = _millis(body, "monitoringStartupTimestamp")
    if startup is None:
        raise _bad("<monitoringStartupTimestamp> is missing")
    return HealthData(
        startup, int(_required(body, "statisticsPeriodSeconds")), services, response.header
    )


def _gunzip(data: bytes, limit: int) -> bytes:
    """Unpack gzip under ``limit`` bytes (a small answer may unpack to gigabytes)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise _bad(f"the records are not valid gzip: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise _bad(f"the records unpack to over {limit} bytes")
    return out


def parse_operational_data(
    raw: RawResponse, response: SoapResponse, *, max_bytes: int = DEFAULT_MAX_RECORDS_BYTES
) -> OperationalData:
    """The records attachment of a checked SOAP answer (``response``, read from ``raw``)."""
    body = response.body
    if body.tag != f"{{{NS_OPMON}}}{OPERATIONAL_DATA}Response":
        raise _bad(f"unexpected body element {body.tag}")
    if media_type(raw.content_type) != "multipart/related":
        raise MissingAttachmentError("operational data comes as multipart/related, with records")
    _, attachments = split_related(raw)
    reference = (text_of(find_child(body, NS_OPMON, "records")) or "").removeprefix("cid:")
    part = next((a for a in attachments if a.content_id == reference), None)
    if part is None and len(attachments) == 1:
        part = attachments[0]
    if part is None:
        raise MissingAttachmentError(f"no attachment holds the records ({reference!r})")
    payload = part.payload
    if payload[:2] == b"\x1f\x8b":
        payload = _gunzip(payload, max_bytes)
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise _bad(f"the records are not JSON: {exc}") from exc
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _bad('the records JSON has no "records" list of objects')
    following = _number(body, "nextRecordsFrom")
    return OperationalData(
        tuple(records),
        int(_required(body, "recordsCount")),
        None if following is None else int(following),
        response.header,
    )
