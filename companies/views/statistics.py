"""The public statistics: registrations per day and how long a registration takes, so that
anyone can see the 24-hour promise being kept. Aggregates only: the page receives counts and
hours, never an application, a reference, a founder or a clerk."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies.pieces import read as pieces_read
from companies.review import metrics
from companies.review.charts import Chart, bar_chart
from portal.htmx import fragment_or_page
from portal.requests import PortalRequest

MAX_AGE = 300  # seconds a browser or a shared cache may keep the page


@dataclass(frozen=True)
class Statistics:
    period: metrics.Period
    days: list[metrics.DayCount]
    durations: metrics.Durations
    within_promise: int
    approvals: metrics.Approvals
    pieces: list[pieces_read.PiecePromise] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return self.durations.count

    @property
    def within_promise_percent(self) -> float | None:
        return self.within_promise * 100 / self.registered if self.registered else None


@require_GET
def statistics(request: PortalRequest) -> HttpResponse:
    figures = _statistics(metrics.period(_days(request)))
    context = {"figures": figures, "periods": metrics.PERIODS, "chart": _chart(figures)}
    response = fragment_or_page(request, "companies/statistics.html", "figures", context)
    return _cacheable(request, response)


def _statistics(span: metrics.Period) -> Statistics:
    """The period's figures, each aggregated by the database: the companies registered in it
    are measured as ``metrics.durations`` measures them, and kept within the promise when
    their clock stayed under 24 hours."""
    durations = metrics.durations(span)
    return Statistics(
        period=span,
        days=metrics.per_day(span),
        durations=durations,
        within_promise=durations.within_promise,
        approvals=metrics.approvals(span),
        pieces=pieces_read.promise_per_piece(span.start, span.end),
    )


def _chart(figures: Statistics) -> Chart:
    series = [(d.day, d.registered) for d in figures.days]
    return bar_chart("registered", title=_("Companies registered per day"), series=series)


def _days(request: PortalRequest) -> int:
    raw = request.GET.get("dias", "")
    return int(raw) if raw in {str(d) for d in metrics.PERIODS} else metrics.DEFAULT_DAYS


def _cacheable(request: PortalRequest, response: HttpResponse) -> HttpResponse:
    """Browsers may keep the page for a few minutes. Shared caches may not: the page sets the
    visitor's own CSRF cookie (the language switch is a form), which a cache must never hand
    to somebody else."""
    patch_cache_control(response, private=True, max_age=MAX_AGE)
    patch_vary_headers(response, ("HX-Request",))
    return response
