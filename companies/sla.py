"""The 24-hour service level: the clock starts at the first submission and pauses while the
applicant is asked for changes (from ``request_changes`` until the next ``submit``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from companies.models import ApplicationEvent

SERVICE_LEVEL = timedelta(hours=24)
WARNING_SHARE = 0.8


def elapsed(events: Iterable[ApplicationEvent], *, now: datetime | None = None) -> timedelta | None:
    """Time on the clock, from the application's events in order; None before submission."""
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
        elif (
            event.to_status in {"registered", "rejected", "withdrawn"} and running_since is not None
        ):
            return total + (event.created_at - running_since)
    if not started:
        return None
    return total + (now - running_since) if running_since is not None else total


def remaining(
    events: Iterable[ApplicationEvent], *, now: datetime | None = None
) -> timedelta | None:
    spent = elapsed(events, now=now)
    return None if spent is None else SERVICE_LEVEL - spent
