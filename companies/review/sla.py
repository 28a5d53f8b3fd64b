"""The 24-hour service level: the clock starts at the first submission and pauses while the
applicant is asked for changes (from ``request_changes`` until the next ``submit``)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from companies.models import ApplicationEvent, ApplicationStatus

SERVICE_LEVEL = timedelta(hours=24)  # the promise; every page and figure reads it from here
WARNING_SHARE = 0.8
# Where an application's life ends, and its clock stops for good.
FINAL_STATUSES = frozenset(
    {ApplicationStatus.REGISTERED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
)


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


def clock(events: Iterable[ApplicationEvent], *, now: datetime | None = None) -> Clock | None:
    """The clock, from the application's events in order; None before submission."""
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


def elapsed(events: Iterable[ApplicationEvent], *, now: datetime | None = None) -> timedelta | None:
    """Time on the clock; None before submission."""
    found = clock(events, now=now)
    return None if found is None else found.elapsed


def remaining(
    events: Iterable[ApplicationEvent], *, now: datetime | None = None
) -> timedelta | None:
    found = clock(events, now=now)
    return None if found is None else found.remaining


def elapsed_in_database(*, now: datetime) -> Subquery:
    """``elapsed`` as SQL, to annotate a queryset of applications (None before submission), so
    that the figures count and sort by the clock without loading every application's events.

    Starts and stops alternate: a submission starts the clock; asking for changes, registering
    or rejecting stops it (withdrawal happens only while it is stopped). So the time on the
    clock is the sum of the stops' times minus the starts', each measured from ``now``; a clock
    still running has one start more, whose ``now - start`` is its running part."""
    moment = Value(now, output_field=DateTimeField())
    signed = Case(
        When(verb="submit", then=ExpressionWrapper(moment - F("created_at"), DurationField())),
        default=ExpressionWrapper(F("created_at") - moment, DurationField()),
    )
    stops = Q(verb="request_changes") | Q(
        to_status__in=(ApplicationStatus.REGISTERED, ApplicationStatus.REJECTED)
    )
    per_application = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"))
        .filter(Q(verb="submit") | stops)
        .order_by()
        .values("application")
        .annotate(total=Sum(signed))
        .values("total")
    )
    return Subquery(per_application, output_field=DurationField())
