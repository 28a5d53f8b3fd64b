"""The emulator's moving parts, shared by its REST, SOAP, metadata and admin handlers."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

from xroad_client import codes
from xroad_client.codes import FaultCode
from xroad_client.emulator._asgi import Request
from xroad_client.emulator.connections import check_connection
from xroad_client.emulator.exchange_log import ExchangeLog
from xroad_client.emulator.faults import FaultBoard, FaultSpec, apply_faults
from xroad_client.emulator.providers import ProviderCaller, provider_host
from xroad_client.emulator.refusals import Refusal
from xroad_client.emulator.topology import BadRequestStyle, RestService, SoapService, Topology
from xroad_client.errors import IdentifierError
from xroad_client.identifiers import ClientId, ServiceId

__all__ = ["Runtime"]

logger = logging.getLogger("xroad_client.emulator")


@dataclass
class Runtime:
    topology: Topology
    faults: FaultBoard = field(default_factory=FaultBoard)
    log: ExchangeLog = field(default_factory=ExchangeLog)
    providers: ProviderCaller = field(default_factory=ProviderCaller)
    rng: random.Random = field(default_factory=random.Random)

    def bad_request(self, code: FaultCode, message: str) -> Refusal:
        """A malformed r1 request: ``code`` as a Security Server answers, or the spec's 400."""
        if self.topology.bad_request_style is BadRequestStyle.SPEC:
            return Refusal(codes.BAD_REQUEST, message)
        return Refusal(code, message)

    def check_loggable(self, body_size: int) -> None:
        """The message log refuses a REST body over its limit before anything is sent on."""
        limit = self.topology.max_loggable_body_size
        if limit is not None and body_size > limit:
            raise Refusal(
                codes.CLIENT_PROXY_IO_ERROR,
                "LoggingFailed: Message size exceeds maximum loggable size",
            )

    def check_strict(self, client: ClientId) -> None:
        """Real proxies only log bad identifier characters; so do we."""
        try:
            client.validate(strict=True)
        except IdentifierError as exc:
            logger.warning("identifier outside the strict character set: %s", exc)

    def require_local_client(self, client: ClientId) -> None:
        if not self.topology.is_local(client):
            raise Refusal(
                codes.UNKNOWN_MEMBER,
                f"Client '{client.object_type}:{client}' not found",
            )

    def require_connection(self, client: ClientId, request: Request) -> None:
        """The client's connection type: HTTPS, and a certificate, when it says so."""
        check_connection(
            self.topology.connection_of(client),
            client,
            scheme=request.scheme,
            certificate=request.client_certificate,
        )

    def require_provider(self, service_id: ServiceId) -> None:
        """The provider of ``service_id`` has an address in the global configuration."""
        if not self.topology.knows(service_id.provider):
            raise Refusal(
                codes.UNKNOWN_MEMBER,
                f'Could not find addresses for service provider "SERVICE:{service_id}"',
            )

    def require_service(self, service_id: ServiceId) -> RestService | SoapService:
        self.require_provider(service_id)
        service = self.topology.find_service(service_id)
        if service is None:
            raise Refusal(codes.UNKNOWN_SERVICE, f"Unknown service: SERVICE:{service_id}")
        return service

    def require_access(
        self, service: RestService | SoapService, client: ClientId, method: str, path: str
    ) -> None:
        if not service.allows(client, method, path):
            raise Refusal(
                codes.ACCESS_DENIED,
                f"Request is not allowed: SERVICE:{service.id}",
            )
        if service.disabled_notice is not None:
            raise Refusal(
                codes.SERVICE_DISABLED,
                f"Service SERVICE:{service.id} is disabled: {service.disabled_notice}",
            )

    def fault_for(self, service: RestService | SoapService) -> FaultSpec | None:
        return self.faults.get(service.id)

    async def misbehave(self, service: RestService | SoapService) -> None:
        await apply_faults(
            self.fault_for(service),
            host=provider_host(service.provider),
            timeout_s=service.timeout_s,
            rng=self.rng,
        )
