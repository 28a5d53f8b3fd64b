"""What the sync and async clients share: settings, building calls, reporting exchanges.

A :class:`Call` is one logical X-Road call, fully prepared (request bytes, X-Road-Id,
idempotency, how to interpret the answer); the clients only send it, retry it and report it.
"""

from __future__ import annotations

import time
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypedDict, TypeVar

import httpx

from xroad_client._http import RawResponse
from xroad_client.codes import FaultCode
from xroad_client.config import Timeouts
from xroad_client.errors import XRoadError
from xroad_client.failover import ServerPool
from xroad_client.hooks import Exchange, ExchangeHook, Protocol, failure_fields, report
from xroad_client.identifiers import ClientId, RepresentedParty, SecurityServerId, ServiceId
from xroad_client.metadata import (
    ClientInfo,
    OpenApiDocument,
    RestServiceInfo,
    parse_client_list,
    parse_rest_services,
    parse_soap_services,
)
from xroad_client.opmonitor import (
    HEALTH_DATA,
    OPERATIONAL_DATA,
    HealthData,
    OperationalData,
    health_data_body,
    operational_data_body,
    parse_health_data,
    parse_operational_data,
)
from xroad_client.rest import (
    CallContext,
    FileField,
    QueryParams,
    RestResponse,
    build_meta_request,
    build_rest_request,
    interpret_rest,
)
from xroad_client.retry import IDEMPOTENT_METHODS, RetryPolicy
from xroad_client.soap import (
    Expected,
    SoapBody,
    SoapHeader,
    SoapResponse,
    WsdlDocument,
    build_envelope,
    build_soap_request,
    get_wsdl_body,
    interpret_soap,
    interpret_wsdl,
    metaservice_body,
)
from xroad_client.streaming import StreamHead, Upload, async_upload, is_streamed, sync_upload

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "Call", "ClientCore", "RequestOptions", "SoapOptions"]

T = TypeVar("T")

DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024


class RequestOptions(TypedDict, total=False):
    """Keyword options of a REST call."""

    params: QueryParams
    headers: Mapping[str, str]
    content: Upload
    json: object
    data: Mapping[str, str]
    files: Mapping[str, FileField]
    user_id: str
    issue: str
    represented_party: RepresentedParty
    security_server: SecurityServerId
    idempotent: bool
    x_road_id: str


class SoapOptions(TypedDict, total=False):
    """Keyword options of a SOAP call (SOAP calls are POSTs: not idempotent by default)."""

    user_id: str
    issue: str
    represented_party: RepresentedParty
    security_server: SecurityServerId
    idempotent: bool
    x_road_id: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The hook-relevant facts of a successful answer."""

    status: int
    request_id: str | None
    request_hash: str | None


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One prepared logical call."""

    protocol: Protocol
    request: httpx.Request
    client: ClientId | None
    service: ServiceId | None
    x_road_id: str | None
    idempotent: bool
    interpret: Callable[[RawResponse], T]
    outcome: Callable[[T], Outcome]
    #: This call's cap on the answer's bytes; None = the client's ``max_response_bytes``.
    max_bytes: int | None = None


class _HasHeader(typing.Protocol):
    @property
    def header(self) -> SoapHeader: ...


H = TypeVar("H", bound=_HasHeader)


def _derived(
    call: Call[SoapResponse], interpret: Callable[[RawResponse], H], *, max_bytes: int | None = None
) -> Call[H]:
    """A SOAP call whose checked answer is read further (operational monitoring)."""
    return Call(
        protocol=call.protocol,
        request=call.request,
        client=call.client,
        service=call.service,
        x_road_id=call.x_road_id,
        idempotent=call.idempotent,
        interpret=interpret,
        outcome=lambda result: Outcome(200, None, result.header.request_hash),
        max_bytes=max_bytes,
    )


def new_x_road_id() -> str:
    return str(uuid.uuid4())


def _context(options: RequestOptions | SoapOptions) -> CallContext:
    return CallContext(
        user_id=options.get("user_id"),
        issue=options.get("issue"),
        represented_party=options.get("represented_party"),
        security_server=options.get("security_server"),
    )


def _rest_outcome(response: RestResponse) -> Outcome:
    return Outcome(response.status, response.x_road.request_id, response.x_road.request_hash)


def _soap_outcome(response: SoapResponse) -> Outcome:
    return Outcome(response.status, None, response.header.request_hash)


def _wsdl_outcome(document: WsdlDocument) -> Outcome:
    return Outcome(200, None, document.header.request_hash)


class ClientCore:
    """Settings and call builders shared by :class:`XRoadClient` and :class:`AsyncXRoadClient`."""

    def __init__(
        self,
        base_url: str,
        client: ClientId | str,
        *,
        timeouts: Timeouts,
        retry: RetryPolicy,
        strict_identifiers: bool,
        max_response_bytes: int,
        on_exchange: ExchangeHook | None,
        asynchronous: bool = False,
        failover: Sequence[str] = (),
    ) -> None:
        self.servers = ServerPool(base_url, failover)
        self.base_url = self.servers.primary
        self.asynchronous = asynchronous
        self.strict_identifiers = strict_identifiers
        self.client_id = self._client(client)
        self.timeouts = timeouts
        self.retry = retry
        self.max_response_bytes = max_response_bytes
        self.on_exchange = on_exchange

    def _client(self, value: ClientId | str) -> ClientId:
        if isinstance(value, ClientId):
            value.validate(strict=self.strict_identifiers)
            return value
        return ClientId.parse(value, strict=self.strict_identifiers)

    def _service(self, value: ServiceId | str) -> ServiceId:
        if isinstance(value, ServiceId):
            return value
        return ServiceId.parse(value, strict=self.strict_identifiers)

    def rest_call(
        self, method: str, service: ServiceId | str, path: str, options: RequestOptions
    ) -> Call[RestResponse]:
        service_id = self._service(service)
        x_road_id = options.get("x_road_id") or new_x_road_id()
        content = options.get("content")
        headers = dict(options.get("headers") or {})
        streamed = is_streamed(content)
        if streamed:
            content, length = (async_upload if self.asynchronous else sync_upload)(content)
            headers.update(length)
        request = build_rest_request(
            base_url=self.base_url,
            method=method,
            client=self.client_id,
            service=service_id,
            path=path,
            x_road_id=x_road_id,
            context=_context(options),
            strict=self.strict_identifiers,
            params=options.get("params"),
            headers=headers,
            content=content,
            json=options.get("json"),
            data=options.get("data"),
            files=options.get("files"),
        )
        # A stream is read once: a streamed upload cannot be sent again.
        idempotent = not streamed and options.get(
            "idempotent", request.method in IDEMPOTENT_METHODS
        )
        return Call(
            protocol="REST",
            request=request,
            client=self.client_id,
            service=service_id,
            x_road_id=x_road_id,
            idempotent=idempotent,
            interpret=lambda raw: interpret_rest(raw, x_road_id=x_road_id),
            outcome=_rest_outcome,
        )

    def soap_call(
        self, service: ServiceId | str, body: SoapBody, options: SoapOptions
    ) -> Call[SoapResponse]:
        service_id = self._service(service)
        message_id = options.get("x_road_id") or new_x_road_id()
        envelope = build_envelope(
            client=self.client_id,
            service=service_id,
            message_id=message_id,
            body=body,
            context=_context(options),
            strict=self.strict_identifiers,
        )
        expected = Expected(message_id, self.client_id, service_id)
        return Call(
            protocol="SOAP",
            request=build_soap_request(base_url=self.base_url, envelope=envelope),
            client=self.client_id,
            service=service_id,
            x_road_id=message_id,
            idempotent=options.get("idempotent", False),
            interpret=lambda raw: interpret_soap(raw, sent=envelope, expected=expected),
            outcome=_soap_outcome,
        )

    def wsdl_call(self, service: ServiceId | str, max_bytes: int) -> Call[WsdlDocument]:
        """getWsdl: a SOAP call to the provider's ``getWsdl`` naming ``service`` in its body."""
        described = self._service(service)
        meta = described.provider.service("getWsdl")
        message_id = new_x_road_id()
        envelope = build_envelope(
            client=self.client_id,
            service=meta,
            message_id=message_id,
            body=get_wsdl_body(described),
            strict=self.strict_identifiers,
        )
        expected = Expected(message_id, self.client_id, meta)
        return Call(
            protocol="SOAP",
            request=build_soap_request(base_url=self.base_url, envelope=envelope),
            client=self.client_id,
            service=meta,
            x_road_id=message_id,
            idempotent=True,
            interpret=lambda raw: interpret_wsdl(
                raw, sent=envelope, expected=expected, service=described
            ),
            outcome=_wsdl_outcome,
            max_bytes=max_bytes,
        )

    def list_clients_call(self, instance: str | None) -> Call[list[ClientInfo]]:
        params = None if instance is None else {"xRoadInstance": instance}
        return Call(
            protocol="META",
            request=build_meta_request(base_url=self.base_url, path="/listClients", params=params),
            client=None,
            service=None,
            x_road_id=None,
            idempotent=True,
            interpret=parse_client_list,
            outcome=lambda clients: Outcome(200, None, None),
        )

    def rest_services_call(
        self, provider: ClientId | str, name: str
    ) -> tuple[Call[RestResponse], Callable[[RestResponse], list[RestServiceInfo]]]:
        service = self._client(provider).service(name)
        options: RequestOptions = {"headers": {"Accept": "application/json"}}
        return self.rest_call("GET", service, "", options), parse_rest_services

    def openapi_call(self, service: ServiceId | str) -> Call[RestResponse]:
        service_id = self._service(service)
        meta = service_id.provider.service("getOpenAPI")
        options: RequestOptions = {
            "params": {"serviceCode": service_id.service_code},
            "headers": {"Accept": "application/json"},
        }
        return self.rest_call("GET", meta, "", options)

    def health_call(self, server: SecurityServerId, client: ClientId | None) -> Call[HealthData]:
        """getSecurityServerHealthData of ``server``, a service of its owner (PR-OPMON §3)."""
        service = server.owner.service(HEALTH_DATA)
        options: SoapOptions = {"security_server": server, "idempotent": True}
        call = self.soap_call(service, health_data_body(client), options)
        return _derived(call, lambda raw: parse_health_data(call.interpret(raw)))

    def operational_call(
        self,
        server: SecurityServerId,
        records_from: int,
        records_to: int,
        *,
        client: ClientId | None,
        fields: Sequence[str],
        max_bytes: int,
    ) -> Call[OperationalData]:
        """getSecurityServerOperationalData of ``server`` for a period (PR-OPMON §2)."""
        service = server.owner.service(OPERATIONAL_DATA)
        body = operational_data_body(records_from, records_to, client=client, fields=fields)
        options: SoapOptions = {"security_server": server, "idempotent": True}
        call = self.soap_call(service, body, options)
        return _derived(
            call,
            lambda raw: parse_operational_data(raw, call.interpret(raw), max_bytes=max_bytes),
            max_bytes=max_bytes,
        )

    def soap_services_call(self, provider: ClientId | str, name: str) -> Call[SoapResponse]:
        service = self._client(provider).service(name)
        return self.soap_call(service, metaservice_body(name), {"idempotent": True})

    # -- reporting ---------------------------------------------------------------------------

    def report_success(self, call: Call[T], result: T, started: float, attempt: int) -> None:
        outcome = call.outcome(result)
        self._report(
            call,
            started,
            attempt,
            status=outcome.status,
            request_id=outcome.request_id,
            request_hash=outcome.request_hash,
        )

    def report_head(self, call: Call[T], head: StreamHead, started: float, attempt: int) -> None:
        """A streamed answer's headers arrived: the exchange is reported then."""
        self._report(
            call,
            started,
            attempt,
            status=head.status,
            request_id=head.x_road.request_id,
            request_hash=head.x_road.request_hash,
        )

    def report_failure(
        self, call: Call[T], error: XRoadError, started: float, attempt: int, *, will_retry: bool
    ) -> None:
        status, fault_code, message = failure_fields(error)
        self._report(
            call,
            started,
            attempt,
            status=status,
            fault_code=fault_code,
            error=message,
            will_retry=will_retry,
        )

    def _report(
        self,
        call: Call[T],
        started: float,
        attempt: int,
        *,
        status: int | None,
        request_id: str | None = None,
        request_hash: str | None = None,
        fault_code: FaultCode | None = None,
        error: str | None = None,
        will_retry: bool = False,
    ) -> None:
        exchange = Exchange(
            protocol=call.protocol,
            method=call.request.method,
            client=call.client,
            service=call.service,
            x_road_id=call.x_road_id,
            request_id=request_id,
            request_hash=request_hash,
            status=status,
            fault_code=fault_code,
            error=error,
            duration=time.monotonic() - started,
            attempt=attempt,
            will_retry=will_retry,
            security_server_url=self.servers.url_of(call.request),
        )
        report(self.on_exchange, exchange)


def parse_soap_service_list(response: SoapResponse) -> list[ServiceId]:
    return parse_soap_services(response.body)


def openapi_document(response: RestResponse) -> OpenApiDocument:
    return OpenApiDocument(response.content, response.headers.get("content-type", "text/plain"))
