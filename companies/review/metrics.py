"""The supervisor's figures and the public statistics: how the 24-hour promise is kept.

Pure reads. A dashboard costs the same few queries whatever the volume, and reads no more rows
with a queue of 100,000 than with one of 100: what grows with the queue (the first submissions
per day, the queue's lines, the open applications over 24 hours, the work claimed) is read from
the running tallies ``counters`` keeps; what grows with the period (registrations and their
durations, approvals, each clerk's decisions) is aggregated in the database over the period's
rows, found by their day; the lists (the longest over 24 hours, the work claimed) show the
first ``LISTED``, read in the order of an index, with who decided read from their events. The
CSV export measures every application of the period.

Days are calendar days in ``settings.TIME_ZONE`` (America/Mexico_City). Percentiles interpolate
linearly between the closest ranks (the "inclusive" method: p50 is the ordinary median).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import counters, sla, workflow
from companies.models import Application, ApplicationEvent, ApplicationStatus, Company
from companies.review import worklist
from portal.models import User

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
DECISIONS = ("approve", "request_changes", "reject")
LISTED = 50  # rows the dashboard lists of each kind, the longest on the clock first
# Close to the limit, and over it: what the queue's lines count (``counters.open_by_status``).
LIMITS = (sla.SERVICE_LEVEL * sla.WARNING_SHARE, sla.SERVICE_LEVEL)
OPEN_STATUSES = tuple(s for s in ApplicationStatus if s not in sla.FINAL_STATUSES)
# The moves into a final status but registration: the index on verb and day finds what was
# rejected or withdrawn in a period.
CLOSING_VERBS = tuple(
    verb
    for verb, (_sources, target) in workflow.TRANSITIONS.items()
    if target in sla.FINAL_STATUSES and target != ApplicationStatus.REGISTERED
)


@dataclass(frozen=True)
class Period:
    """Whole local days, the last one being today, up to ``end`` (now)."""

    days: int
    first_day: date
    last_day: date
    start: datetime
    end: datetime

    def each_day(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class DayCount:
    day: date
    submitted: int
    registered: int


@dataclass(frozen=True)
class ApplicationRow:
    """One application of the period, measured: what the CSV export lists."""

    pk: int
    public_id: UUID
    reference: str
    legal_form: str
    status: str
    status_label: str
    first_submitted_at: datetime
    registered_at: datetime | None
    clock: timedelta | None
    wall: timedelta | None
    decided_by: str
    assigned_to: User | None

    @property
    def clock_hours(self) -> float | None:
        return _hours(self.clock)

    @property
    def wall_hours(self) -> float | None:
        return _hours(self.wall)

    @property
    def is_open(self) -> bool:
        return self.status not in sla.FINAL_STATUSES

    @property
    def breached(self) -> bool:
        return self.clock is not None and self.clock >= sla.SERVICE_LEVEL

    @property
    def at_risk(self) -> bool:
        """Open, not yet over the limit, but with less than 20% of it left."""
        if self.clock is None or not self.is_open or self.breached:
            return False
        return self.clock >= sla.SERVICE_LEVEL * sla.WARNING_SHARE


@dataclass(frozen=True)
class Durations:
    """Hours from first submission to registration, for the applications registered in the
    period: on the 24-hour clock (paused while changes are requested) and by the wall clock."""

    count: int
    within_promise: int  # registered with less than 24 hours on the clock
    clock_median: float | None
    clock_p95: float | None
    wall_median: float | None
    wall_p95: float | None


@dataclass(frozen=True)
class Approvals:
    total: int
    automatic: int

    @property
    def rate(self) -> float | None:
        return self.automatic / self.total if self.total else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else self.rate * 100


@dataclass(frozen=True)
class ClerkThroughput:
    clerk: User
    approved: int
    changes_requested: int
    rejected: int

    @property
    def total(self) -> int:
        return self.approved + self.changes_requested + self.rejected


@dataclass(frozen=True)
class QueueLine:
    status: str
    label: str
    count: int
    unassigned: int
    at_risk: int
    overdue: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    days: list[DayCount]
    durations: Durations
    breaches: list[ApplicationRow]  # the first LISTED of breach_count
    breach_count: int
    approvals: Approvals
    clerks: list[ClerkThroughput]
    queue: list[QueueLine]
    assigned: list[ApplicationRow]  # the first LISTED of assigned_count
    assigned_count: int

    @property
    def submitted(self) -> int:
        return sum(d.submitted for d in self.days)

    @property
    def registered(self) -> int:
        return sum(d.registered for d in self.days)


def period(days: int = DEFAULT_DAYS, *, now: datetime | None = None) -> Period:
    if days not in PERIODS:
        raise ValueError(f"days must be one of {PERIODS}")
    zone = ZoneInfo(settings.TIME_ZONE)
    end = now or timezone.now()
    last_day = end.astimezone(zone).date()
    first_day = last_day - timedelta(days=days - 1)
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    return Period(days=days, first_day=first_day, last_day=last_day, start=start, end=end)


def dashboard(days: int = DEFAULT_DAYS, *, now: datetime | None = None) -> Dashboard:
    """Everything the supervisor's page shows, in a dozen queries whatever the volume."""
    span = period(days, now=now)
    lines = counters.open_by_status(now=span.end, limits=LIMITS)
    finished = _finished_over_the_limit(span)
    assigned = Application.objects.filter(
        first_submitted_at__isnull=False, assigned_to__isnull=False
    ).exclude(status__in=sla.FINAL_STATUSES)
    return Dashboard(
        period=span,
        days=per_day(span),
        durations=durations(span),
        breaches=_longest([*_open_over_the_limit(span), *finished], span),
        breach_count=sum(line.over[-1] for line in lines.values())
        + sum(part.count() for part, _order in finished),
        approvals=approvals(span),
        clerks=throughput(span),
        queue=_queue_lines(lines),
        assigned=_measured(Application.objects.filter(pk__in=list(_first(assigned))), span),
        assigned_count=sum(line.claimed for line in lines.values()),
    )


def _first(applications: QuerySet[Application]) -> QuerySet[Application, int]:
    """The first ``LISTED`` as the queue orders them, oldest first."""
    return applications.order_by("first_submitted_at", "pk").values_list("pk", flat=True)[:LISTED]


# A part of the applications over the limit, and the order of its index that lists the longest
# on the clock first.
Part = tuple[QuerySet[Application], tuple[str, ...]]


def _open_over_the_limit(span: Period) -> list[Part]:
    """The open applications with 24 hours or more on the clock, each kind of clock from its
    own index: running ones by the moment they started (had they never paused), paused ones
    by the time they used; for the list's first ``LISTED`` (their number is tallied)."""
    limit = sla.SERVICE_LEVEL
    running = Application.objects.filter(
        clock_origin__lte=span.end - limit, status__in=OPEN_STATUSES
    )
    paused = Application.objects.filter(clock_origin__isnull=True, clock_used__gte=limit).exclude(
        status__in=sla.FINAL_STATUSES
    )
    return [(running, ("clock_origin", "pk")), (paused, ("-clock_used", "pk"))]


def _finished_over_the_limit(span: Period) -> list[Part]:
    """The applications of the period that finished with 24 hours or more on the clock, in
    two parts each an index finds without stepping over the history: those registered in the
    period (by the day of registration) and those rejected or withdrawn in it (by their
    events)."""
    stopped = Q(clock_origin__isnull=True, clock_used__gte=sla.SERVICE_LEVEL)
    longest = ("-clock_used", "pk")
    return [
        (Application.objects.filter(stopped, company__registered_at__gte=span.start), longest),
        (Application.objects.filter(stopped, pk__in=_closed_in(span)), longest),
    ]


def _longest(parts: Iterable[Part], span: Period) -> list[ApplicationRow]:
    """The first ``LISTED`` of all ``parts``, longest on the clock first."""
    first: list[tuple[timedelta, int]] = []
    for part, longest_first in parts:
        clocked = part.annotate(clock=sla.elapsed_in_database(now=span.end))
        first += clocked.order_by(*longest_first).values_list("clock", "pk")[:LISTED]
    first = sorted(first, key=lambda found: (-found[0], found[1]))[:LISTED]
    order = [pk for _clock, pk in first]
    rows = _measured(Application.objects.filter(pk__in=order), span)
    return sorted(rows, key=lambda r: order.index(r.pk))


def per_day(span: Period) -> list[DayCount]:
    """First submissions (tallied as they happen: ``counters``) and registrations per local
    day; days without any count as zero."""
    zone = ZoneInfo(settings.TIME_ZONE)
    submitted = counters.first_submissions(span.first_day, span.last_day)
    registered = _counts(
        ApplicationEvent.objects.filter(verb="register", created_at__range=(span.start, span.end)),
        "created_at",
        zone,
    )
    return [DayCount(d, submitted.get(d, 0), registered.get(d, 0)) for d in span.each_day()]


def _counts(rows: QuerySet[ApplicationEvent], field: str, zone: ZoneInfo) -> dict[date, int]:
    grouped = (
        rows.annotate(day=TruncDate(field, tzinfo=zone))
        .values("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {g["day"]: g["n"] for g in grouped}


def application_rows(span: Period) -> list[ApplicationRow]:
    """Applications first submitted or finished in the period, and every one still open, with
    their clocks; two queries (the applications, then their decisions and registration)."""
    return _measured(_of_period(span), span)


def _measured(applications: QuerySet[Application], span: Period) -> list[ApplicationRow]:
    events: dict[int, list[ApplicationEvent]] = defaultdict(list)
    relevant = (
        ApplicationEvent.objects.filter(application__in=applications.values("pk"))
        .filter(verb__in=(*DECISIONS, "register"))
        .select_related("actor")
        .only(
            "application_id",
            "verb",
            "to_status",
            "created_at",
            "actor__first_name",
            "actor__last_name",
            "actor__username",
        )
        .order_by("pk")
    )
    for event in relevant:
        events[event.application_id].append(event)
    return [
        _measure(a, events[a.pk], now=span.end)
        for a in applications.select_related("legal_form", "assigned_to").order_by(
            "first_submitted_at", "pk"
        )
    ]


def _of_period(span: Period) -> QuerySet[Application]:
    """Applications submitted and still open, or finished in the period (so also those first
    submitted in it: they finish after)."""
    return Application.objects.filter(first_submitted_at__isnull=False).filter(
        Q(status__in=OPEN_STATUSES)
        | Q(company__registered_at__gte=span.start)
        | Q(pk__in=_closed_in(span))
    )


def _closed_in(span: Period) -> QuerySet[ApplicationEvent, int]:
    """The applications rejected or withdrawn since the period began, read from the index on
    verb and day. (Registrations are read from the register: the company's day of
    registration.)"""
    return ApplicationEvent.objects.filter(
        verb__in=CLOSING_VERBS,
        to_status__in=sla.FINAL_STATUSES,
        created_at__gte=span.start,
    ).values_list("application_id", flat=True)


def _measure(
    application: Application, events: Sequence[ApplicationEvent], *, now: datetime
) -> ApplicationRow:
    assert application.first_submitted_at is not None
    registered_at = next((e.created_at for e in reversed(events) if e.verb == "register"), None)
    return ApplicationRow(
        pk=application.pk,
        public_id=application.public_id,
        reference=application.reference,
        legal_form=str(application.legal_form or ""),
        status=application.status,
        status_label=str(application.get_status_display()),
        first_submitted_at=application.first_submitted_at,
        registered_at=registered_at,
        clock=None if (found := sla.of(application, now=now)) is None else found.elapsed,
        wall=registered_at - application.first_submitted_at if registered_at else None,
        decided_by=_decided_by(events),
        assigned_to=application.assigned_to,
    )


def _decided_by(events: Sequence[ApplicationEvent]) -> str:
    """Who approved or rejected, the processing itself for an automatic approval; blank while
    undecided."""
    decision = next((e for e in reversed(events) if e.verb in ("approve", "reject")), None)
    if decision is None:
        return ""
    return str(decision.actor) if decision.actor else _("Automatic")


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont`` over durations: linear interpolation between the
    closest ranks, as ``percentile`` computes it."""

    function = "percentile_cont"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: str, share: float) -> None:
        super().__init__(expression, share=float(share), output_field=DurationField())


def registrations(span: Period) -> QuerySet[Company]:
    """The companies registered in the period through an application (the index on the day of
    registration finds them; each application by its key), each with the application's time
    on the clock (stopped at registration) and by the wall."""
    return Company.objects.filter(
        registered_at__range=(span.start, span.end),
        application__first_submitted_at__isnull=False,
    ).annotate(
        clock=F("application__clock_used"),
        wall=ExpressionWrapper(
            F("registered_at") - F("application__first_submitted_at"),
            output_field=DurationField(),
        ),
    )


def durations(span: Period) -> Durations:
    """How long the companies registered in the period took, median and 95th percentile, in
    one query: the database computes the percentiles on PostgreSQL; elsewhere (SQLite in
    development) the durations are read and ``percentile`` computes them."""
    registered = registrations(span)
    if connection.vendor != "postgresql":
        return durations_in_python(registered)
    figures = registered.aggregate(
        count=Count("pk"),
        within_promise=Count("pk", filter=Q(application__clock_used__lt=sla.SERVICE_LEVEL)),
        clock_median=Percentile("clock", 0.5),
        clock_p95=Percentile("clock", 0.95),
        wall_median=Percentile("wall", 0.5),
        wall_p95=Percentile("wall", 0.95),
    )
    return Durations(
        count=figures["count"],
        within_promise=figures["within_promise"],
        clock_median=_exact_hours(figures["clock_median"]),
        clock_p95=_exact_hours(figures["clock_p95"]),
        wall_median=_exact_hours(figures["wall_median"]),
        wall_p95=_exact_hours(figures["wall_p95"]),
    )


def durations_in_python(registered: QuerySet[Company]) -> Durations:
    """``durations`` without ``percentile_cont``: one row per registration of the period."""
    rows = registered.values_list(
        "application__clock_used", "registered_at", "application__first_submitted_at"
    )
    pairs = [(used, at - first if first else None) for used, at, first in rows]
    clock = [h for c, _w in pairs if (h := _exact_hours(c)) is not None]
    wall = [h for _c, w in pairs if (h := _exact_hours(w)) is not None]
    return Durations(
        count=len(pairs),
        within_promise=sum(1 for c, _w in pairs if c is not None and c < sla.SERVICE_LEVEL),
        clock_median=percentile(clock, 0.5),
        clock_p95=percentile(clock, 0.95),
        wall_median=percentile(wall, 0.5),
        wall_p95=percentile(wall, 0.95),
    )


def percentile(values: Iterable[float], share: float) -> float | None:
    """Linear interpolation between the closest ranks; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * share
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def approvals(span: Period) -> Approvals:
    """Approvals in the period, and those the processing gave with no clerk (actor NULL)."""
    counted = ApplicationEvent.objects.filter(
        verb="approve", created_at__range=(span.start, span.end)
    ).aggregate(total=Count("pk"), automatic=Count("pk", filter=Q(actor__isnull=True)))
    return Approvals(total=counted["total"], automatic=counted["automatic"])


def throughput(span: Period) -> list[ClerkThroughput]:
    """Each clerk's decisions in the period, by verb, busiest first."""
    decisions = "applicationevent"
    clerks = (
        User.objects.filter(
            applicationevent__verb__in=DECISIONS,
            applicationevent__created_at__range=(span.start, span.end),
        )
        .annotate(
            approved=Count(decisions, filter=Q(applicationevent__verb="approve")),
            changes_requested=Count(decisions, filter=Q(applicationevent__verb="request_changes")),
            rejected=Count(decisions, filter=Q(applicationevent__verb="reject")),
        )
        .order_by("first_name", "last_name", "username")
    )
    counted = [ClerkThroughput(c, c.approved, c.changes_requested, c.rejected) for c in clerks]
    return sorted(counted, key=lambda c: -c.total)


def queue(*, now: datetime) -> list[QueueLine]:
    """What waits for a person now, by status: how much, unclaimed, close to or over 24 h;
    from the running tallies (``counters``), two queries."""
    return _queue_lines(counters.open_by_status(now=now, limits=LIMITS))


def _queue_lines(lines: dict[str, counters.Line]) -> list[QueueLine]:
    empty = counters.Line(count=0, unclaimed=0, over=(0,) * len(LIMITS))
    return [
        QueueLine(
            status=str(status),
            label=str(ApplicationStatus(status).label),
            count=(line := lines.get(status, empty)).count,
            unassigned=line.unclaimed,
            at_risk=line.over[0] - line.over[1],
            overdue=line.over[1],
        )
        for status in worklist.QUEUE_STATUSES
    ]


def _exact_hours(span: timedelta | None) -> float | None:
    return None if span is None else span.total_seconds() / 3600


def _hours(span: timedelta | None) -> float | None:
    return None if span is None else round(span.total_seconds() / 3600, 1)
