"""The exchange hook: every attempt of every call, success or failure, reported to a callback.

The hook is called synchronously, once per HTTP attempt (a retried call reports each attempt
with the same ``x_road_id`` and a growing ``attempt``), after the response was interpreted.
An exception raised by the hook is logged and swallowed: auditing must not change the outcome
of a call whose side effects already happened at the provider.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from xroad_client.codes import FaultCode
from xroad_client.errors import XRoadError, XRoadFault
from xroad_client.identifiers import ClientId, ServiceId

__all__ = ["Exchange", "ExchangeHook", "Protocol", "report"]

logger = logging.getLogger("xroad_client")

Protocol = Literal["REST", "SOAP", "META"]


@dataclass(frozen=True, slots=True)
class Exchange:
    """What one attempt of a call looked like, for audit trails and metrics.

    ``status`` is the HTTP status (None when no response arrived), ``fault_code`` is set for
    Security Server faults, ``error`` names any other failure (``"XRoadTimeout: ..."``).
    ``duration`` is in seconds. ``security_server_url`` is the base URL of the Security
    Server the attempt went to (with ``failover``, the one that answered, or the last tried).
    """

    protocol: Protocol
    method: str
    client: ClientId | None
    service: ServiceId | None
    x_road_id: str | None
    request_id: str | None
    request_hash: str | None
    status: int | None
    fault_code: FaultCode | None
    error: str | None
    duration: float
    attempt: int
    will_retry: bool
    security_server_url: str | None = None

    @property
    def ok(self) -> bool:
        return self.fault_code is None and self.error is None


ExchangeHook = Callable[[Exchange], None]


def failure_fields(error: XRoadError) -> tuple[int | None, FaultCode | None, str | None]:
    """``(status, fault_code, error)`` describing ``error`` in an :class:`Exchange`."""
    if isinstance(error, XRoadFault):
        return error.http_status, error.code, None
    status = getattr(error, "http_status", None)
    return status if isinstance(status, int) else None, None, f"{type(error).__name__}: {error}"


def report(hook: ExchangeHook | None, exchange: Exchange) -> None:
    """Give ``exchange`` to ``hook``; a failing hook is logged, never raised."""
    if hook is None:
        return
    try:
        hook(exchange)
    except Exception:
        logger.exception("xroad_client exchange hook failed for X-Road-Id %s", exchange.x_road_id)
