"""Fault injection per service, changeable at run time (Python or the admin endpoint)."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import anyio

from xroad_client import codes
from xroad_client.emulator.refusals import Refusal
from xroad_client.identifiers import ServiceId

__all__ = ["FaultBoard", "FaultSpec", "apply_faults"]


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """Misbehaviour of one service's provider, applied in this order:

    - ``down``: the provider is unreachable -> ``Server.ServerProxy.NetworkError``;
    - ``latency_ms``: added before the provider is called;
    - ``timeout``: the provider never answers; after the service's ``timeout_s`` the
      Security Server gives up -> ``Server.ServerProxy.ServiceFailed.IOError`` "Read timed out";
    - ``error_rate``: that share of calls fail with ``error_code`` / ``error_message``.
    """

    latency_ms: float = 0.0
    error_rate: float = 0.0
    timeout: bool = False
    down: bool = False
    error_code: str = str(codes.SERVICE_FAILED_IO_ERROR)
    error_message: str = "Injected failure"

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> FaultSpec:
        """Build from the admin endpoint's JSON, refusing unknown keys and wrong types."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown fault field(s) {unknown}; known are {sorted(known)}")
        return cls(
            latency_ms=_number(data, "latency_ms", 0.0),
            error_rate=_number(data, "error_rate", 0.0),
            timeout=_flag(data, "timeout"),
            down=_flag(data, "down"),
            error_code=_text(data, "error_code", str(codes.SERVICE_FAILED_IO_ERROR)),
            error_message=_text(data, "error_message", "Injected failure"),
        )

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _number(data: Mapping[str, object], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number")
    return float(value)


def _flag(data: Mapping[str, object], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def _text(data: Mapping[str, object], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string")
    return value


class FaultBoard:
    """The current fault of each service (keyed without version); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[ServiceId, FaultSpec] = {}

    def set(self, service: ServiceId, spec: FaultSpec) -> None:
        with self._lock:
            self._faults[service.versionless] = spec

    def clear(self, service: ServiceId | None = None) -> None:
        with self._lock:
            if service is None:
                self._faults.clear()
            else:
                self._faults.pop(service.versionless, None)

    def get(self, service: ServiceId) -> FaultSpec | None:
        with self._lock:
            return self._faults.get(service.versionless)

    def snapshot(self) -> dict[ServiceId, FaultSpec]:
        with self._lock:
            return dict(self._faults)


async def apply_faults(
    spec: FaultSpec | None, *, host: str, timeout_s: float, rng: random.Random
) -> None:
    """Sleep and/or raise a :class:`Refusal` as ``spec`` says; no-op without a spec."""
    if spec is None:
        return
    if spec.down:
        raise Refusal(
            codes.SERVER_PROXY_NETWORK_ERROR,
            f"Connect to {host} failed: Connection refused (Connection refused)",
        )
    if spec.latency_ms:
        await anyio.sleep(spec.latency_ms / 1000)
    if spec.timeout:
        await anyio.sleep(timeout_s)
        raise Refusal(codes.SERVICE_FAILED_IO_ERROR, "Read timed out")
    if spec.error_rate and rng.random() < spec.error_rate:
        raise Refusal(spec.error_code, spec.error_message)
