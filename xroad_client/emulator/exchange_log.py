"""The emulator's message log: one record per exchange, queryable by X-Road-Id."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Literal

__all__ = ["ExchangeDraft", "ExchangeLog", "ExchangeRecord"]

Kind = Literal["REST", "SOAP", "META"]


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One exchange as the emulated Security Server logged it.

    ``status`` is None when the caller went away before an answer; ``fault_code`` is the
    code as sent on the wire (7.7 or 7.8 spelling).
    """

    protocol: Kind
    method: str
    path: str
    client: str | None
    service: str | None
    x_road_id: str | None
    request_id: str | None
    request_hash: str | None
    status: int | None
    fault_code: str | None
    started_at: datetime
    duration_ms: float

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        return data


@dataclass
class ExchangeDraft:
    """Filled in while an exchange is processed; :meth:`finish` freezes it."""

    protocol: Kind
    method: str
    path: str
    client: str | None = None
    service: str | None = None
    x_road_id: str | None = None
    request_id: str | None = None
    request_hash: str | None = None
    status: int | None = None
    fault_code: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.monotonic)

    def finish(self) -> ExchangeRecord:
        return ExchangeRecord(
            protocol=self.protocol,
            method=self.method,
            path=self.path,
            client=self.client,
            service=self.service,
            x_road_id=self.x_road_id,
            request_id=self.request_id,
            request_hash=self.request_hash,
            status=self.status,
            fault_code=self.fault_code,
            started_at=self.started_at,
            duration_ms=(time.monotonic() - self.started) * 1000,
        )


class ExchangeLog:
    """A bounded, thread-safe log of exchanges."""

    def __init__(self, max_records: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._records: deque[ExchangeRecord] = deque(maxlen=max_records)

    def add(self, record: ExchangeRecord) -> None:
        with self._lock:
            self._records.append(record)

    def query(
        self, *, x_road_id: str | None = None, service: str | None = None
    ) -> list[ExchangeRecord]:
        with self._lock:
            records = list(self._records)
        return [
            r
            for r in records
            if (x_road_id is None or r.x_road_id == x_road_id)
            and (service is None or r.service == service)
        ]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
