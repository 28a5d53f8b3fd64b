"""The synchronous X-Road client: one long-lived :class:`httpx.Client` per instance."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TypeVar, Unpack

import httpx

from xroad_client._core import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Call,
    ClientCore,
    RequestOptions,
    SoapOptions,
    openapi_document,
    parse_soap_service_list,
)
from xroad_client._http import RawResponse, read_sync, translate_http_error
from xroad_client.config import DEFAULT_TIMEOUTS, Timeouts, TLSConfig
from xroad_client.errors import XRoadError
from xroad_client.failover import CONNECT_FAILURES
from xroad_client.hooks import ExchangeHook
from xroad_client.identifiers import ClientId, SecurityServerId, ServiceId
from xroad_client.metadata import ClientInfo, OpenApiDocument, RestServiceInfo
from xroad_client.opmonitor import DEFAULT_MAX_RECORDS_BYTES, HealthData, OperationalData
from xroad_client.rest import RestResponse
from xroad_client.retry import DEFAULT_RETRY, RetryBudget, RetryPolicy
from xroad_client.soap import DEFAULT_MAX_WSDL_BYTES, SoapBody, SoapResponse, WsdlDocument
from xroad_client.streaming import StreamedResponse, StreamHead, error_body_sync, head_of

__all__ = ["XRoadClient"]

T = TypeVar("T")


class XRoadClient:
    """Calls X-Road services through our (consumer) Security Server at ``base_url``.

    >>> with XRoadClient("https://ss.example:8443", "MX/GOB/E24/portal") as xroad:
    ...     response = xroad.get("MX/GOB/SAT/rfc/validate", "/rfc/ABC123", user_id="MX123")
    """

    def __init__(
        self,
        base_url: str,
        client: ClientId | str,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        tls: TLSConfig | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        strict_identifiers: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        on_exchange: ExchangeHook | None = None,
        failover: Sequence[str] = (),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._core = ClientCore(
            base_url,
            client,
            timeouts=timeouts,
            retry=retry,
            strict_identifiers=strict_identifiers,
            max_response_bytes=max_response_bytes,
            on_exchange=on_exchange,
            failover=failover,
        )
        verify = tls.ssl_context() if tls is not None else True
        self._http = httpx.Client(
            transport=transport,
            verify=verify,
            timeout=httpx.Timeout(
                connect=timeouts.connect,
                read=timeouts.read,
                write=timeouts.write,
                pool=timeouts.pool,
            ),
            follow_redirects=False,
            trust_env=False,
        )

    @property
    def client_id(self) -> ClientId:
        return self._core.client_id

    @property
    def security_server_url(self) -> str:
        """The Security Server calls go to first: the last that answered (see ``failover``)."""
        return self._core.servers.preferred

    # -- REST ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        service: ServiceId | str,
        path: str = "",
        **options: Unpack[RequestOptions],
    ) -> RestResponse:
        """Call ``{method} /r1/{service}{path}``; the provider's status comes back as is."""
        return self._execute(self._core.rest_call(method, service, path, options))

    def get(
        self, service: ServiceId | str, path: str = "", **options: Unpack[RequestOptions]
    ) -> RestResponse:
        return self.request("GET", service, path, **options)

    def post(
        self, service: ServiceId | str, path: str = "", **options: Unpack[RequestOptions]
    ) -> RestResponse:
        return self.request("POST", service, path, **options)

    def put(
        self, service: ServiceId | str, path: str = "", **options: Unpack[RequestOptions]
    ) -> RestResponse:
        return self.request("PUT", service, path, **options)

    def patch(
        self, service: ServiceId | str, path: str = "", **options: Unpack[RequestOptions]
    ) -> RestResponse:
        return self.request("PATCH", service, path, **options)

    def delete(
        self, service: ServiceId | str, path: str = "", **options: Unpack[RequestOptions]
    ) -> RestResponse:
        return self.request("DELETE", service, path, **options)

    @contextmanager
    def stream(
        self,
        method: str,
        service: ServiceId | str,
        path: str = "",
        **options: Unpack[RequestOptions],
    ) -> Iterator[StreamedResponse]:
        """Call as :meth:`request` does, and read the answer's body as it arrives.

        >>> with xroad.stream("GET", service, "/files/7") as answer:
        ...     answer.copy_to(destination)

        Faults raise before the block is entered; retries happen only until the headers
        arrive. The body is never held whole: memory stays at one chunk.
        """
        call = self._core.rest_call(method, service, path, options)
        budget = RetryBudget(self._core.retry, idempotent=call.idempotent)
        while True:
            started = time.monotonic()
            response: httpx.Response | None = None
            try:
                response = self._open(call, budget)
                head = self._head(call, response)
            except XRoadError as error:
                if response is not None:
                    response.close()
                delay = budget.next_delay(error)
                self._core.report_failure(
                    call, error, started, budget.attempt, will_retry=delay is not None
                )
                if delay is None:
                    raise
                time.sleep(delay)
                budget.advance()
                continue
            break
        self._core.report_head(call, head, started, budget.attempt)
        try:
            yield StreamedResponse(response, head, call.x_road_id)
        finally:
            response.close()

    # -- SOAP ------------------------------------------------------------------------------

    def soap(
        self, service: ServiceId | str, body: SoapBody, **options: Unpack[SoapOptions]
    ) -> SoapResponse:
        """Send one SOAP 4.0 request; faults raise, requestHash is verified."""
        return self._execute(self._core.soap_call(service, body, options))

    # -- metadata --------------------------------------------------------------------------

    def list_clients(self, *, instance: str | None = None) -> list[ClientInfo]:
        return self._execute(self._core.list_clients_call(instance))

    def list_methods(self, provider: ClientId | str) -> list[RestServiceInfo]:
        call, parse = self._core.rest_services_call(provider, "listMethods")
        return parse(self._execute(call))

    def allowed_methods(self, provider: ClientId | str) -> list[RestServiceInfo]:
        call, parse = self._core.rest_services_call(provider, "allowedMethods")
        return parse(self._execute(call))

    def get_openapi(self, service: ServiceId | str) -> OpenApiDocument:
        return openapi_document(self._execute(self._core.openapi_call(service)))

    def soap_list_methods(self, provider: ClientId | str) -> list[ServiceId]:
        call = self._core.soap_services_call(provider, "listMethods")
        return parse_soap_service_list(self._execute(call))

    def soap_allowed_methods(self, provider: ClientId | str) -> list[ServiceId]:
        call = self._core.soap_services_call(provider, "allowedMethods")
        return parse_soap_service_list(self._execute(call))

    def get_wsdl(
        self, service: ServiceId | str, *, max_bytes: int = DEFAULT_MAX_WSDL_BYTES
    ) -> WsdlDocument:
        """The WSDL of a SOAP service (getWsdl), read from the answer's attachment.

        The answer is refused past ``max_bytes`` as it streams in. A SOAP fault raises;
        a REST service raises :class:`~xroad_client.errors.ServiceTypeFault`.
        """
        return self._execute(self._core.wsdl_call(service, max_bytes))

    # -- operational monitoring ------------------------------------------------------------

    def health_data(
        self, server: SecurityServerId, *, client: ClientId | None = None
    ) -> HealthData:
        """The health data of ``server`` (getSecurityServerHealthData), for one service
        provider when ``client`` is given."""
        return self._execute(self._core.health_call(server, client))

    def operational_data(
        self,
        server: SecurityServerId,
        records_from: int,
        records_to: int,
        *,
        client: ClientId | None = None,
        fields: Sequence[str] = (),
        max_bytes: int = DEFAULT_MAX_RECORDS_BYTES,
    ) -> OperationalData:
        """Operational data records of ``server`` between two Unix times (seconds, ``to``
        inclusive); follow ``next_records_from`` for the rest. The gzipped records are
        refused past ``max_bytes``, packed or unpacked."""
        call = self._core.operational_call(
            server, records_from, records_to, client=client, fields=fields, max_bytes=max_bytes
        )
        return self._execute(call)

    # -- plumbing --------------------------------------------------------------------------

    def _open(self, call: Call[T], budget: RetryBudget) -> httpx.Response:
        call.request.extensions["timeout"] = self._core.timeouts.capped(
            budget.remaining()
        ).as_dict()
        return self._connect(call)

    def _connect(self, call: Call[T]) -> httpx.Response:
        """Send to the preferred Security Server; one we cannot connect to gives way to the
        next (nothing was sent there). The first that answers becomes the preferred."""
        servers = self._core.servers
        failure: httpx.HTTPError | None = None
        for index in servers.order():
            servers.retarget(call.request, index)
            try:
                response = self._http.send(call.request, stream=True)
            except CONNECT_FAILURES as exc:
                failure = exc
                continue
            except httpx.HTTPError as exc:
                raise translate_http_error(exc, x_road_id=call.x_road_id) from exc
            servers.prefer(index)
            return response
        assert failure is not None
        raise translate_http_error(failure, x_road_id=call.x_road_id) from failure

    @staticmethod
    def _head(call: Call[T], response: httpx.Response) -> StreamHead:
        try:
            return head_of(response, error_body_sync(response), call.x_road_id)
        except httpx.HTTPError as exc:
            raise translate_http_error(exc, x_road_id=call.x_road_id) from exc

    def _send(self, call: Call[T], budget: RetryBudget) -> RawResponse:
        call.request.extensions["timeout"] = self._core.timeouts.capped(
            budget.remaining()
        ).as_dict()
        response = self._connect(call)
        try:
            try:
                limit = call.max_bytes or self._core.max_response_bytes
                return read_sync(response, limit)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise translate_http_error(exc, x_road_id=call.x_road_id) from exc

    def _execute(self, call: Call[T]) -> T:
        budget = RetryBudget(self._core.retry, idempotent=call.idempotent)
        while True:
            started = time.monotonic()
            try:
                result = call.interpret(self._send(call, budget))
            except XRoadError as error:
                delay = budget.next_delay(error)
                retrying = delay is not None
                self._core.report_failure(call, error, started, budget.attempt, will_retry=retrying)
                if delay is None:
                    raise
                time.sleep(delay)
                budget.advance()
                continue
            self._core.report_success(call, result, started, budget.attempt)
            return result

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> XRoadClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
