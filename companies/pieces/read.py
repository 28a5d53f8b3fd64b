"""Reading the pieces: what an application will need (before submission), what each piece
of a company came to (its status page), and the 24-hour promise per piece (the statistics)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from companies.models import Application, Company, Piece
from companies.pieces import connectors
from companies.sla import SERVICE_LEVEL


@dataclass(frozen=True)
class PieceRow:
    """A procedure as a founder sees it: the connector, and the piece when one was filed."""

    connector: connectors.Connector
    piece: Piece | None

    @property
    def state(self) -> str:
        return self.piece.state if self.piece else "instructions"


def preview(application: Application) -> list[connectors.Connector]:
    """The procedures the company will need after registration, to show before submission."""
    return connectors.applicable(application)


def total_fee(pieces: list[connectors.Connector]) -> Decimal:
    return sum((c.fee for c in pieces), Decimal("0"))


def rows(company: Company | None) -> list[PieceRow]:
    """Each procedure of the company: the filed ones with their state, and those of agencies
    that have not joined with their own instructions (one query)."""
    if company is None or company.application is None:
        return []
    filed = {p.connector: p for p in company.pieces.all()}
    result = []
    for connector in connectors.applicable(company.application):
        if connector.joined and connector.code not in filed:
            continue  # not opened yet (the worker opens it right after registration)
        result.append(PieceRow(connector, filed.get(connector.code)))
    return result


def pending(pieces: Sequence[PieceRow]) -> bool:
    """Whether a filed piece still waits for its agency's answer."""
    return any(r.piece is not None and not r.piece.is_final for r in pieces)


@dataclass(frozen=True)
class PiecePromise:
    """One connector over a period: the pieces of the companies registered in it, how many the
    agency answered with its number within 24 hours of the registration, and the median hours."""

    connector: connectors.Connector
    count: int
    within_promise: int
    median_hours: float | None

    @property
    def within_promise_percent(self) -> float | None:
        return self.within_promise * 100 / self.count if self.count else None


def promise_per_piece(start: datetime, end: datetime) -> list[PiecePromise]:
    found = Piece.objects.filter(
        company__registered_at__gte=start, company__registered_at__lt=end
    ).values_list("connector", "state", "answered_at", "company__registered_at")
    taken: dict[str, list[timedelta | None]] = {}
    for code, state, answered_at, registered_at in found:
        answered = answered_at if state == Piece.State.ANSWERED else None
        taken.setdefault(code, []).append(answered - registered_at if answered else None)
    figures = []
    for connector in connectors.load():
        spans = taken.get(connector.code)
        if not spans:
            continue
        hours = [s.total_seconds() / 3600 for s in spans if s is not None]
        figures.append(
            PiecePromise(
                connector=connector,
                count=len(spans),
                within_promise=sum(1 for s in spans if s is not None and s < SERVICE_LEVEL),
                median_hours=round(median(hours), 1) if hours else None,
            )
        )
    return figures
