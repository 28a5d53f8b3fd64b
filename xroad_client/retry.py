"""When and how long to wait before trying a call again.

A call is retried only when (1) it is idempotent - its HTTP method is, or the caller marked it
so - and (2) it failed in a transient way: a transport error or timeout, or a fault whose code is
in :attr:`RetryPolicy.transient_faults`. A fault that cannot succeed on retry is never retried,
whatever the policy lists: refusals such as ``AccessDenied``, ``UnknownService`` or
``SslAuthenticationFailed``, every ``Client.*`` fault, and the message
log's ``LoggingFailed`` (an over-size body, which X-Road reports as ``IOError``). Waits grow exponentially with full jitter, and no attempt starts (or runs)
past the policy's total deadline. The same X-Road-Id is sent on every attempt.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from xroad_client import codes
from xroad_client.codes import FaultCode
from xroad_client.errors import XRoadError, XRoadFault, XRoadTransportError

__all__ = [
    "DEFAULT_RETRY",
    "IDEMPOTENT_METHODS",
    "NEVER_RETRIED",
    "NO_RETRY",
    "TRANSIENT_FAULTS",
    "RetryBudget",
    "RetryPolicy",
    "cannot_succeed_on_retry",
]

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

TRANSIENT_FAULTS: Final = frozenset(
    {
        codes.CLIENT_PROXY_NETWORK_ERROR,
        codes.CLIENT_PROXY_IO_ERROR,
        codes.MAINTENANCE_MODE,
        codes.SERVER_PROXY_NETWORK_ERROR,
        codes.SERVER_PROXY_IO_ERROR,
        codes.SERVICE_FAILED_NETWORK_ERROR,
        codes.SERVICE_FAILED_IO_ERROR,
        codes.DATABASE_ERROR,
        FaultCode("Server.ClientProxy.ServiceFailed.NetworkError"),
        FaultCode("Server.ClientProxy.ServiceFailed.IOError"),
    }
)

NEVER_RETRIED: Final = frozenset(
    {
        codes.ACCESS_DENIED,
        codes.UNKNOWN_SERVICE,
        codes.UNKNOWN_MEMBER,
        codes.SERVICE_TYPE,
        codes.SERVICE_DISABLED,
        codes.INVALID_CLIENT_IDENTIFIER,
        codes.SSL_AUTHENTICATION_FAILED,
        codes.INVALID_REQUEST,
        FaultCode("Server.ClientProxy.InvalidSecurityServer"),
        FaultCode("Server.ServerProxy.ClientProxyVersionNotSupported"),
    }
)


def cannot_succeed_on_retry(fault: XRoadFault) -> bool:
    """The same request would be refused again: a refusal, a bad request, a body too large."""
    return fault.code in NEVER_RETRIED or fault.code.startswith("Client") or fault.logging_failed


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts, backoff (seconds) and total deadline (seconds) for one logical call."""

    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0
    multiplier: float = 2.0
    deadline: float = 60.0
    transient_faults: frozenset[FaultCode] = TRANSIENT_FAULTS

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.deadline <= 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("deadline must be positive and delays non-negative")

    def is_transient(self, error: XRoadError) -> bool:
        if isinstance(error, XRoadTransportError):
            return True
        if isinstance(error, XRoadFault):
            return not cannot_succeed_on_retry(error) and error.code in self.transient_faults
        return False

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Full-jitter wait before retry ``retry_number`` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * self.multiplier ** (retry_number - 1))
        return rng.uniform(0.0, ceiling)


NO_RETRY: Final = RetryPolicy(max_attempts=1)
DEFAULT_RETRY: Final = RetryPolicy()

_SHARED_RNG: Final = random.Random()  # noqa: S311 - jitter, not security


class RetryBudget:
    """The retry state of one logical call: attempts made and time left."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        idempotent: bool,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random = _SHARED_RNG,
    ) -> None:
        self._policy = policy
        self._idempotent = idempotent
        self._clock = clock
        self._rng = rng
        self._ends_at = clock() + policy.deadline
        self.attempt = 1

    def remaining(self) -> float:
        return self._ends_at - self._clock()

    def next_delay(self, error: XRoadError) -> float | None:
        """Seconds to wait before the next attempt, or None when ``error`` is final."""
        if not self._idempotent or not self._policy.is_transient(error):
            return None
        if self.attempt >= self._policy.max_attempts:
            return None
        delay = self._policy.backoff(self.attempt, self._rng)
        if delay >= self.remaining():
            return None
        return delay

    def advance(self) -> None:
        """Count the next attempt (call after waiting the delay)."""
        self.attempt += 1
