"""The running counts the clerks' queue, the supervisor's dashboard and the statistics read
(``models.tallies``), so that their figures cost the same with 100 applications as with 100,000.

``record`` is told, in the transaction and under the row lock of every write that changes what
is counted, what the application was and what it is: ``workflow._transition`` (the status,
the clock, the first submission) and ``review.claims`` (the clerk). Concurrent moves lose no
count: a row is changed by ``INSERT ... ON CONFLICT DO UPDATE SET count = count + delta``
(PostgreSQL and SQLite alike), and the rows of one move in the order of their keys, so that
two moves never wait for each other in a circle. ``recount`` rebuilds every count from the
applications: migration ``0019_tallies``, ``manage.py recount_tallies``, data seeded in bulk.

"At least so long on the clock at ``now``" is time-dependent: the tallies give the whole hours
past the limit, and the one hour at the boundary is counted from the applications through the
clock's indexes (``application_clock_running``, ``application_clock_paused``). What that reads
is bounded by time: the clocks started (or the pauses' used time) within one hour, whatever
the number of applications.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps as installed
from django.apps.registry import Apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import TruncDate

from companies.models import (
    FINAL_STATUSES,
    QUEUE_STATUSES,
    Application,
    ApplicationTally,
    DailyTally,
)

HOUR = timedelta(hours=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Clock = ApplicationTally.Clock
FIRST_SUBMITTED = DailyTally.Metric.FIRST_SUBMITTED
NOBODY = 0  # ``ApplicationTally.clerk`` of an application nobody claimed


@dataclass(frozen=True, order=True)
class Key:
    """One ``ApplicationTally`` row."""

    status: str
    clerk: int
    clock: str
    hour: int


@dataclass(frozen=True)
class Counted:
    """What the tallies count of one application: its row (None when it is counted in none)
    and the local day of its first submission."""

    key: Key | None
    first_day: date | None

    @classmethod
    def of(cls, application: Application) -> Counted:
        return cls(
            key_of(
                status=application.status,
                clerk=application.assigned_to_id,
                origin=application.clock_origin,
                used=application.clock_used,
            ),
            local_day(application.first_submitted_at),
        )


def key_of(
    *, status: str, clerk: int | None, origin: datetime | None, used: timedelta | None
) -> Key | None:
    """The row that counts an open application past its first submission (or in a queue
    status); None for the others (drafts never submitted, the final statuses)."""
    if status in FINAL_STATUSES or (used is None and status not in QUEUE_STATUSES):
        return None
    if origin is not None:
        return Key(status, clerk or NOBODY, Clock.RUNNING, (origin - EPOCH) // HOUR)
    if used is not None:
        return Key(status, clerk or NOBODY, Clock.PAUSED, used // HOUR)
    return Key(status, clerk or NOBODY, Clock.NONE, 0)


def local_day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


# -- keeping them -----------------------------------------------------------------------------


def record(before: Counted, after: Counted) -> None:
    """An application that was ``before`` is now ``after``: move its counts. Inside the
    transaction of the change (the caller holds the application's row lock)."""
    days: Counter[tuple[Any, ...]] = Counter()
    if before.first_day != after.first_day:
        for day, delta in ((before.first_day, -1), (after.first_day, 1)):
            if day is not None:
                days[(connection.ops.adapt_datefield_value(day), FIRST_SUBMITTED.value)] += delta
    rows: Counter[tuple[Any, ...]] = Counter()
    if before.key != after.key:
        for key, delta in ((before.key, -1), (after.key, 1)):
            if key is not None:
                rows[(key.status, key.clerk, key.clock, key.hour)] += delta
    # Always the days first, then the applications' rows: the same order in every transaction.
    _add(DailyTally, ("day", "metric"), days)
    _add(ApplicationTally, ("status", "clerk", "clock", "hour"), rows)


def _add(model: type[Any], keys: Sequence[str], deltas: Mapping[tuple[Any, ...], int]) -> None:
    changes = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not changes:
        return
    quote = connection.ops.quote_name
    table, count = quote(model._meta.db_table), quote("count")
    columns = ", ".join(quote(name) for name in (*keys, "count"))
    row = "(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"
    # Only the model's quoted names are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(changes))} "  # noqa: S608
        f"ON CONFLICT ({', '.join(quote(name) for name in keys)}) "
        f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for key, delta in changes for value in (*key, delta)])
    emptied = [Q(**dict(zip(keys, key, strict=True))) for key, delta in changes if delta < 0]
    if emptied:
        model.objects.filter(reduce(or_, emptied), count=0).delete()


def recount(registry: Apps | None = None) -> None:
    """Every tally again from the applications, under a lock that makes concurrent moves wait
    (their counts then land on the recount). ``registry``: a migration's models."""
    models = registry or installed
    applications = models.get_model("companies", "Application")
    tallies = models.get_model("companies", "ApplicationTally")
    daily = models.get_model("companies", "DailyTally")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = ", ".join(
                    connection.ops.quote_name(m._meta.db_table) for m in (tallies, daily)
                )
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        tallies.objects.all().delete()
        daily.objects.all().delete()
        counted: Counter[Key] = Counter(
            key
            for status, clerk, origin, used in applications.objects.exclude(
                status__in=FINAL_STATUSES
            )
            .filter(Q(clock_used__isnull=False) | Q(status__in=QUEUE_STATUSES))
            .values_list("status", "assigned_to", "clock_origin", "clock_used")
            .iterator(chunk_size=5000)
            if (key := key_of(status=status, clerk=clerk, origin=origin, used=used))
        )
        tallies.objects.bulk_create(
            [tallies(**vars(key), count=n) for key, n in sorted(counted.items())], batch_size=2000
        )
        zone = ZoneInfo(settings.TIME_ZONE)
        per_day = (
            applications.objects.filter(first_submitted_at__isnull=False)
            .annotate(day=TruncDate("first_submitted_at", tzinfo=zone))
            .values("day")
            .annotate(n=Count("*"))
            .order_by("day")
        )
        daily.objects.bulk_create(
            [daily(day=d["day"], metric=FIRST_SUBMITTED, count=d["n"]) for d in per_day],
            batch_size=2000,
        )


# -- reading them -----------------------------------------------------------------------------


def waiting(*, statuses: Iterable[str], clerk: int | None = None) -> int:
    """How many counted applications are in ``statuses``; with ``clerk``, only those that
    clerk holds (``NOBODY``: those nobody holds)."""
    rows = ApplicationTally.objects.filter(status__in=list(statuses))
    if clerk is not None:
        rows = rows.filter(clerk=clerk)
    return int(rows.aggregate(n=Sum("count"))["n"] or 0)


@dataclass(frozen=True)
class Line:
    """The counted applications of one status."""

    count: int
    unclaimed: int
    over: tuple[int, ...]  # with at least each of the limits asked for on the clock

    @property
    def claimed(self) -> int:
        return self.count - self.unclaimed


def open_by_status(*, now: datetime, limits: Sequence[timedelta]) -> dict[str, Line]:
    """Per status, how many counted applications, how many nobody claimed, and how many have
    at least each of ``limits`` on the clock at ``now`` (``sla.at_least``): two queries, the
    tallies and the small ranges of the clock's indexes at their boundary."""
    over = {
        f"over{n}": Sum("count", filter=_whole_hours(limit, now)) for n, limit in enumerate(limits)
    }
    tallied = (
        ApplicationTally.objects.values("status")
        .annotate(total=Sum("count"), unclaimed=Sum("count", filter=Q(clerk=NOBODY)), **over)
        .order_by()
    )
    ranges = [
        Application.objects.filter(edge)
        .exclude(status__in=FINAL_STATUSES)
        .values("status")
        .annotate(limit=Value(n), found=Count("status"))
        .values_list("limit", "status", "found")
        .order_by()
        for n, limit in enumerate(limits)
        for edge in _boundary(limit, now)
    ]
    at_the_edge: Counter[tuple[str, int]] = Counter()
    for n, status, found in ranges[0].union(*ranges[1:], all=True) if ranges else []:
        at_the_edge[(status, n)] += found
    lines = {}
    for row in tallied:
        status = row["status"]
        lines[status] = Line(
            count=row["total"] or 0,
            unclaimed=row["unclaimed"] or 0,
            over=tuple(
                (row[f"over{n}"] or 0) + at_the_edge[(status, n)] for n in range(len(limits))
            ),
        )
    return lines


def _whole_hours(limit: timedelta, now: datetime) -> Q:
    """The tallies' hours wholly at least ``limit`` on the clock at ``now``."""
    started_hour = (now - limit - EPOCH) // HOUR
    used_hours = -(-limit // HOUR)
    return Q(clock=Clock.RUNNING, hour__lt=started_hour) | Q(
        clock=Clock.PAUSED, hour__gte=used_hours
    )


def _boundary(limit: timedelta, now: datetime) -> list[Q]:
    """The applications at least ``limit`` on the clock in the hours ``_whole_hours`` leaves
    out: clocks started in the hour of ``now - limit``, paused ones between ``limit`` and the
    next whole hour. Each a range of one of the clock's indexes, which cover the status."""
    until = now - limit
    edges = [Q(clock_origin__gte=EPOCH + (until - EPOCH) // HOUR * HOUR, clock_origin__lte=until)]
    whole = -(-limit // HOUR) * HOUR
    if whole > limit:
        edges.append(Q(clock_origin__isnull=True, clock_used__gte=limit, clock_used__lt=whole))
    return edges


def first_submissions(first_day: date, last_day: date) -> dict[date, int]:
    """Applications submitted for the first time on each local day, days without any left out."""
    rows = DailyTally.objects.filter(metric=FIRST_SUBMITTED, day__range=(first_day, last_day))
    return dict(rows.values_list("day", "count"))
