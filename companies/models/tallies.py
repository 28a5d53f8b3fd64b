"""Running counts of what the clerks' queue, the supervisor's dashboard and the statistics
count, so that a page reads a few dozen small rows instead of an index entry per application.
Kept by ``companies.counters`` in the transaction of every move that changes what they count,
backfilled by migration ``0019_tallies`` and recounted by ``manage.py recount_tallies``."""

from __future__ import annotations

from django.db import models


class ApplicationTally(models.Model):
    """How many open applications (past their first submission, or in a queue status) are in
    ``status``, claimed by ``clerk``, with their 24-hour clock in ``hour``: for a running clock
    the hour, counted from the Unix epoch, in which it would have started had it never paused
    (``clock_origin``); for a paused one the whole hours it has used (``clock_used``).

    ``clerk`` is the clerk's user id, 0 for nobody: a plain number, not a key, so that the
    unique key holds no NULL and an upsert can find its row. Rows at zero are deleted."""

    class Clock(models.TextChoices):
        RUNNING = "running"
        PAUSED = "paused"
        NONE = "none"  # in the queue without a clock: only data made outside the workflow

    status = models.CharField(max_length=24)
    clerk = models.PositiveIntegerField(default=0)
    clock = models.CharField(max_length=8, choices=Clock.choices)
    hour = models.BigIntegerField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "clerk", "clock", "hour"], name="application_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} clerk {self.clerk} {self.clock} {self.hour}: {self.count}"


class DailyTally(models.Model):
    """How many applications did something on a local day (``settings.TIME_ZONE``): for
    ``FIRST_SUBMITTED``, were submitted for the first time."""

    class Metric(models.TextChoices):
        FIRST_SUBMITTED = "first_submitted"

    day = models.DateField()
    metric = models.CharField(max_length=24, choices=Metric.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "metric"], name="daily_tally_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}: {self.count}"
