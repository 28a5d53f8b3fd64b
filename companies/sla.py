"""The 24-hour service level: the clock starts at the first submission and pauses while the
applicant is asked for changes (from ``request_changes`` until the next ``submit``).

The one place that says what the clock is. Two ways to read it, which must agree:

- ``clock``, the reference: a walk over an application's events;
- the application's two columns, kept by ``companies.workflow`` with ``advance`` at every
  transition (and backfilled from the events by migration ``0014_application_clock``): ``clock_used``, the time on
  the clock when it last paused or stopped (``None`` before the first submission), and
  ``clock_origin``, while the clock runs, the moment it would have started had it never
  paused (the current stretch's start minus ``clock_used``; ``None`` while it is not running).
  A running clock reads ``now - clock_origin``, any other ``clock_used``: one SQL expression
  (``elapsed_in_database``), and a filter on plain columns an index can serve
  (``at_least``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)
from django.utils import timezone

from companies.models import FINAL_STATUSES as ENDS

SERVICE_LEVEL = timedelta(hours=24)  # the promise; every page and figure reads it from here
WARNING_SHARE = 0.8
# Where an application's life ends, and its clock stops for good.
FINAL_STATUSES = frozenset(ENDS)


class ClockState(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # changes were requested: frozen until the corrected application is submitted
    STOPPED = "stopped"  # registered, rejected or withdrawn


@dataclass(frozen=True)
class Clock:
    elapsed: timedelta
    state: ClockState

    @property
    def remaining(self) -> timedelta:
        return SERVICE_LEVEL - self.elapsed


class Event(Protocol):
    """What the clock reads of an event (an ``ApplicationEvent``, or a test's stand-in)."""

    @property
    def verb(self) -> str: ...
    @property
    def to_status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class Recorded:
    """An event as the clock reads it, from a ``values_list`` (the backfill's rows)."""

    verb: str
    to_status: str
    created_at: datetime


def clock(events: Iterable[Event], *, now: datetime | None = None) -> Clock | None:
    """The clock, from the application's events in order; None before submission. The
    reference the stored columns are checked against (``tests/companies/review/test_sla.py``)."""
    now = now or timezone.now()
    running_since: datetime | None = None
    total = timedelta()
    started = False
    for event in events:
        if event.verb == "submit" and running_since is None:
            running_since, started = event.created_at, True
        elif event.verb == "request_changes" and running_since is not None:
            total += event.created_at - running_since
            running_since = None
        elif event.to_status in FINAL_STATUSES and started:
            if running_since is not None:
                total += event.created_at - running_since
            return Clock(total, ClockState.STOPPED)
    if not started:
        return None
    if running_since is None:
        return Clock(total, ClockState.PAUSED)
    return Clock(total + (now - running_since), ClockState.RUNNING)


def elapsed(events: Iterable[Event], *, now: datetime | None = None) -> timedelta | None:
    """Time on the clock; None before submission."""
    found = clock(events, now=now)
    return None if found is None else found.elapsed


def remaining(events: Iterable[Event], *, now: datetime | None = None) -> timedelta | None:
    found = clock(events, now=now)
    return None if found is None else found.remaining


# -- the stored clock -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """The application's two clock columns (see the module docstring)."""

    origin: datetime | None = None  # ``Application.clock_origin``
    used: timedelta | None = None  # ``Application.clock_used``


def advance(stored: Stored, *, verb: str, to_status: str, at: datetime) -> Stored:
    """The columns after one transition at ``at``: the rules of ``clock``, one event at a
    time. Nothing leaves a final status, so a stopped clock is never advanced again."""
    if verb == "submit" and stored.origin is None:
        used = stored.used or timedelta()
        return Stored(origin=at - used, used=used)
    if stored.origin is not None and (verb == "request_changes" or to_status in FINAL_STATUSES):
        return Stored(origin=None, used=at - stored.origin)
    return stored


def stored_from(events: Iterable[Event]) -> Stored:
    """The columns an application with these events (in order) must have: what the backfill
    writes. Like ``clock``, it reads no further than the clock's stop."""
    stored = Stored()
    for event in events:
        stored = advance(stored, verb=event.verb, to_status=event.to_status, at=event.created_at)
        if event.to_status in FINAL_STATUSES and stored.used is not None:
            break
    return stored


def read(stored: Stored, *, status: str, now: datetime | None = None) -> Clock | None:
    """The clock from the columns and the application's status; None before submission."""
    if stored.used is None:
        return None
    if status in FINAL_STATUSES:
        return Clock(stored.used, ClockState.STOPPED)
    if stored.origin is None:
        return Clock(stored.used, ClockState.PAUSED)
    return Clock((now or timezone.now()) - stored.origin, ClockState.RUNNING)


class HasClock(Protocol):
    status: str
    clock_origin: datetime | None
    clock_used: timedelta | None


def of(application: HasClock, *, now: datetime | None = None) -> Clock | None:
    """An application's clock, from its columns."""
    stored = Stored(origin=application.clock_origin, used=application.clock_used)
    return read(stored, status=application.status, now=now)


def elapsed_in_database(*, now: datetime) -> Case:
    """``elapsed`` as SQL over the columns, to annotate a queryset of applications (None
    before submission)."""
    moment = Value(now, output_field=DateTimeField())
    return Case(
        When(
            clock_origin__isnull=False,
            then=ExpressionWrapper(moment - F("clock_origin"), output_field=DurationField()),
        ),
        default=F("clock_used"),
        output_field=DurationField(),
    )


def at_least(least: timedelta, *, now: datetime) -> Q:
    """At least ``least`` on the clock at ``now``, as a filter on the plain columns: a running
    clock started (had it never paused) that long ago; any other has used that much."""
    return Q(clock_origin__lte=now - least) | Q(clock_origin__isnull=True, clock_used__gte=least)


def less_than(most: timedelta, *, now: datetime) -> Q:
    """Less than ``most`` on a clock that started; the complement of ``at_least`` among them."""
    return Q(clock_origin__gt=now - most) | Q(clock_origin__isnull=True, clock_used__lt=most)
