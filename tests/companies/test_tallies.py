"""The running tallies (``companies.counters``): after any sequence of moves and claims they
are what a recount from the applications gives, they read what counting the applications
reads (the queue's filters, "at least so long on the clock" at any moment), concurrent moves
lose no count, and the migration and ``recount_tallies`` rebuild them."""

import contextlib
import importlib
import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import hypothesis
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from hypothesis import strategies as st

from companies import counters, sla, workflow
from companies.models import QUEUE_STATUSES, Application, ApplicationTally, DailyTally
from companies.review import claims, metrics, worklist
from portal.models import User
from tests.conftest import skip_or_fail

T0 = datetime(2026, 11, 26, 5, 30, tzinfo=UTC)  # 23:30 in Mexico City: days change on the way
H = timedelta(hours=1)
CLAIMS = ("claim", "release", "reassign")


def kept() -> tuple[set[tuple], set[tuple]]:
    return (
        set(ApplicationTally.objects.values_list("status", "clerk", "clock", "hour", "count")),
        set(DailyTally.objects.values_list("day", "metric", "count")),
    )


def move(application: Application, pick: int, clerks: list[User]) -> None:
    """One of the moves possible in the application's status: a verb, or a claim."""
    verbs = sorted(
        v for v, (sources, _t) in workflow.TRANSITIONS.items() if application.status in sources
    )
    possible = verbs + (list(CLAIMS) if application.status == "in_review" else [])
    if not possible:
        return
    choice = possible[pick % len(possible)]
    clerk = clerks[pick % len(clerks)]
    if choice == "claim":
        with contextlib.suppress(claims.ClaimRefused):  # somebody else holds it
            claims.claim(application, clerk=clerk)
    elif choice == "release":
        claims.release(application, clerk=clerk)
    elif choice == "reassign":
        claims.reassign(application, to=None if pick % 3 == 0 else clerk)
    elif choice == "submit":  # as ``workflow.submit`` does, without its guards
        moment = workflow.audit.timezone.now()
        workflow._transition(
            application.pk,
            "submit",
            fields={"submitted_at": moment},
            during=workflow._remember_first_submission,
        )
    else:
        workflow._transition(application.pk, choice)


def assert_the_reads_are_the_counts(now: datetime, clerks: list[User]) -> None:
    lines = counters.open_by_status(now=now, limits=metrics.LIMITS)
    counted = Application.objects.exclude(status__in=sla.FINAL_STATUSES).filter(
        first_submitted_at__isnull=False
    )
    for status in {*QUEUE_STATUSES, *(line for line in lines)}:
        mine = counted.filter(status=status)
        line = lines.get(status, counters.Line(0, 0, (0, 0)))
        assert line.count == mine.count(), status
        assert line.unclaimed == mine.filter(assigned_to__isnull=True).count(), status
        for limit, over in zip(metrics.LIMITS, line.over, strict=True):
            assert over == mine.filter(sla.at_least(limit, now=now)).count(), (status, limit)
    for status in ("", *QUEUE_STATUSES):
        for flag in ("", "unassigned", "mine"):
            for clerk in clerks:
                filters = {"status": status, "flag": flag, "clerk": clerk}
                assert worklist.count(**filters) == worklist.queue(**filters).count(), filters


steps = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 10_000), st.integers(0, 60 * 9)),
    min_size=1,
    max_size=40,
)


@pytest.mark.django_db
@hypothesis.settings(
    max_examples=40, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
@hypothesis.given(steps=steps, later=st.integers(0, 60 * 60))
def test_the_tallies_are_a_recount_after_any_moves(steps, later):
    filer = User.objects.get_or_create(username="tally-filer")[0]
    clerks = [User.objects.get_or_create(username=f"tally-clerk-{n}")[0] for n in range(2)]
    applications = [Application.objects.create(filer=filer) for _n in range(4)]
    moment = T0
    for which, pick, minutes in steps:
        moment += timedelta(minutes=minutes)
        with mock.patch("companies.audit.timezone.now", return_value=moment):
            application = Application.objects.get(pk=applications[which].pk)
            move(application, pick, clerks)
    now = moment + timedelta(minutes=later)
    assert_the_reads_are_the_counts(now, clerks)
    before = kept()
    counters.recount()
    assert kept() == before


def test_the_hour_at_the_boundary_is_counted_from_the_applications(db, applicant):
    """Clocks that started just either side of ``now - 24 h``, in the same tallied hour."""
    now = T0 + 30 * H + timedelta(minutes=20)
    for minutes in (-1, 0, 1):
        origin = now - sla.SERVICE_LEVEL + timedelta(minutes=minutes)
        Application.objects.create(
            filer=applicant, status="in_review", clock_origin=origin, clock_used=timedelta()
        )
    for used in (timedelta(hours=19, minutes=11), timedelta(hours=19, minutes=12), 30 * H):
        Application.objects.create(filer=applicant, status="changes_requested", clock_used=used)
    counters.recount()
    lines = counters.open_by_status(now=now, limits=metrics.LIMITS)
    assert lines["in_review"].over == (3, 2)  # started 24 h ago or more: two of the three
    assert lines["changes_requested"].over == (2, 1)  # 19 h 12 min is the warning, exactly


def test_the_migration_and_the_command_count_again(db, applicant, clerk):
    backfill = importlib.import_module("companies.migrations.0019_tallies")
    with mock.patch("companies.audit.timezone.now", return_value=T0):
        for n in range(3):
            application = Application.objects.create(filer=applicant)
            for verb in ("send_for_signatures", "submit", "start_checks", "send_to_review")[
                : n + 2
            ]:
                fields = (
                    {"first_submitted_at": T0, "submitted_at": T0} if verb == "submit" else None
                )
                workflow._transition(application.pk, verb, fields=fields)
        claims.claim(application, clerk=clerk)
    expected = kept()
    assert sum(n for *_key, n in expected[0]) == 3
    ApplicationTally.objects.all().delete()
    DailyTally.objects.update(count=99)
    backfill.backfill(apps, None)
    assert kept() == expected
    DailyTally.objects.all().delete()
    call_command("recount_tallies", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert kept() == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_lose_no_count(applicant):
    """Eight applications moved at once, each by its own connection, all counted in the same
    rows (the same hour, the same statuses): every count lands, none waits forever."""
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent moves are tested on PostgreSQL: set DATABASE_URL=postgres://...")
    applications = [Application.objects.create(filer=applicant) for _n in range(8)]
    start = threading.Barrier(len(applications))
    failures: list[BaseException] = []
    life = ("send_for_signatures", "submit", "start_checks", "send_to_review", "request_changes")

    def live(application: Application) -> None:
        try:
            start.wait()
            for verb in life:
                fields = (
                    {"first_submitted_at": T0, "submitted_at": T0} if verb == "submit" else None
                )
                workflow._transition(application.pk, verb, fields=fields)
        except BaseException as error:  # the test reports it
            failures.append(error)
        finally:
            connection.close()

    with mock.patch("companies.audit.timezone.now", return_value=T0):
        threads = [threading.Thread(target=live, args=(a,)) for a in applications]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures
    assert kept() == (
        {("changes_requested", 0, "paused", 0, 8)},
        {(counters.local_day(T0), "first_submitted", 8)},
    )
