"""The clerks' queue, the supervisor's dashboard and the public statistics with 100, 10,000
and 100,000 waiting applications: the time of a render, its ratio to the smallest size, and the
SQL queries of one render (the count must not grow with the number of rows).

    python benchmarks/queue_render.py [--sizes 100,10000,100000] [--repeat 20]

Uses a fresh database beside DATABASE_URL's (its test database, dropped after) when set: the
figures worth quoting are PostgreSQL's; otherwise SQLite. The applications are seeded in bulk,
two in five in review, one in five waiting for the applicant's changes (its clock paused), a
fifth claimed by the supervisor, their first submissions spread evenly over the last two days
at every size (so about half are past the 24 hours and some close to them). Besides them,
1,000 companies registered over the last 29 days after 1 to 40 hours on the clock (what the
statistics and the dashboard's durations measure, the same at every size: a period's figures
grow with the period's registrations, not with the queue), and as many companies registered
more than a year ago as there are waiting applications (the history every query must step
over). Each application's
clock columns are what ``sla.stored_from`` reads from its events; the running tallies
(``companies.counters``) are recounted from the rows, as the migration does. Then the tables
are vacuumed and analysed as autovacuum would.

Besides each median, the fastest render and its ratio: on a machine shared with other work
the medians move with the load (printed), the fastest much less. And the size of the page: the
dashboard lists up to 50 of each kind, so with 100 waiting (20 claimed) it draws fewer rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from _django import setup

PAGES = {
    "queue": "/registro/",
    "dashboard": "/registro/supervision/",
    "statistics": "/estadisticas/",
}
STATUSES = ("submitted", "checking", "in_review", "in_review", "changes_requested")
BATCH = 10_000
RECENT = 1_000  # companies registered in the last 29 days, at every size
HISTORY = timedelta(days=400)  # when the older registrations, as many as waiting, happened


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    setup()
    from django.db import connection

    fresh = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(fresh, verbosity=0)


def run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from companies import counters
    from portal import roles
    from tests.conftest import verified_login
    from tests.factories import EntrepreneurFactory, UserFactory

    supervisor = UserFactory(username="bench-supervisor", role=roles.SUPERVISORS, is_staff=True)
    filer = EntrepreneurFactory(username="bench-filer")
    client = verified_login(Client(), supervisor)

    def measure(path: str) -> tuple[float, float, int, int]:
        counted: list[str] = []

        def count(execute: Callable, sql: str, params, many, context):  # type: ignore[no-untyped-def]
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.get(path).status_code == 200
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        return statistics.median(timings), min(timings), len(response.content), len(counted)

    results: dict[str, list[tuple[int, float, float, int, int]]] = {name: [] for name in PAGES}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for size in args.sizes:
            started = time.perf_counter()
            seed(size, filer=filer, clerk=supervisor)
            recount = time.perf_counter()
            counters.recount()  # seeded past the workflow: counted as the migration counts
            recounted = time.perf_counter() - recount
            with connection.cursor() as cursor:  # as autovacuum would: the planner's statistics
                vacuum = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
                cursor.execute(vacuum)
            seeded = time.perf_counter() - started
            print(
                f"  seeded {size:,} waiting applications in {seeded:.1f} s"
                f" (the tallies recounted in {recounted:.1f} s)"
            )
            for name, path in PAGES.items():
                results[name].append((size, *measure(path)))
    small, large = args.sizes[0], args.sizes[-1]
    print(f"\nMedian (and fastest) of {args.repeat} renders ({connection.vendor}), {_load()}")
    for name, rows in results.items():
        baseline, fastest = rows[0][1], rows[0][2]
        for size, seconds, best, length, queries in rows:
            print(
                f"  {name:<11}{size:>8,} waiting {seconds * 1000:8.1f} ms"
                f"   x {seconds / baseline:5.2f} of {small:,}"
                f"   (fastest {best * 1000:6.1f} ms, x {best / fastest:5.2f})"
                f"   {queries} SQL queries, {length / 1000:.0f} kB"
            )
        grows = len({queries for *_figures, queries in rows}) > 1
        print(f"  {name:<11}queries from {small:,} to {large:,}: {'GROW' if grows else 'constant'}")
    for name, rows in results.items():
        ratio = rows[-1][1] / rows[0][1]
        print(f"HEADLINE {name}_at_{large} {ratio:.2f} x the render time at {small}")


def _load() -> str:
    """The machine's load while measuring: on a shared machine the medians move with it, the
    fastest renders less."""
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on this platform
        return "load unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def seed(size: int, *, filer, clerk) -> None:  # type: ignore[no-untyped-def]
    """Waiting applications up to ``size``, ``RECENT`` companies registered lately, and as
    many registered long ago as there are waiting; each with the events its clock reads and
    the columns they give."""
    from django.utils import timezone

    from companies.models import Application, LegalForm

    sas = LegalForm.objects.get(code="sas")
    now = timezone.now()
    waiting = Application.objects.exclude(status="registered").count()
    for first in range(waiting, size, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, size)):
            status = STATUSES[i % len(STATUSES)]
            submitted = now - timedelta(minutes=i * 7919 % 2880)
            events = [("submit", "submitted", submitted)]
            if status == "changes_requested":  # paused after a share of its time so far
                events.append(("request_changes", status, submitted + (now - submitted) / 3))
            rows.append((f"W{i:011d}", status, submitted, events, clerk if i % 5 == 0 else None))
        _create(rows, filer=filer, legal_form=sas)
    recent = Application.objects.filter(reference__startswith="R").count()
    _registered(range(recent, RECENT), "R", now=now, filer=filer, legal_form=sas)
    history = Application.objects.filter(reference__startswith="H").count()
    _registered(range(history, size), "H", now=now - HISTORY, filer=filer, legal_form=sas)


def _registered(numbers: range, prefix: str, *, now, filer, legal_form) -> None:  # type: ignore[no-untyped-def]
    """Registered companies, the n-th registered ``n * 7919 % 29`` days (and some minutes)
    before ``now`` after 1 to 40 hours on the clock."""
    from datetime import timedelta

    for first in range(numbers.start, numbers.stop, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, numbers.stop)):
            done = now - timedelta(minutes=5 + i * 7919 % (29 * 1440))
            on_the_clock = timedelta(minutes=60 + i * 104_729 % (39 * 60))
            submitted = done - on_the_clock
            events = [
                ("submit", "submitted", submitted),
                ("approve", "approved", done),
                ("register", "registered", done),
            ]
            rows.append((f"{prefix}{i:011d}", "registered", submitted, events, None))
        _create(rows, filer=filer, legal_form=legal_form)


def _create(rows, *, filer, legal_form) -> None:  # type: ignore[no-untyped-def]
    from companies import sla
    from companies.models import Application, ApplicationEvent, Company

    applications = []
    for reference, status, submitted, events, assigned in rows:
        stored = sla.stored_from(sla.Recorded(*event) for event in events)
        applications.append(
            Application(
                filer=filer,
                legal_form=legal_form,
                status=status,
                proposed_name=f"Empresa {reference}",
                reference=reference,
                assigned_to=assigned,
                submitted_at=submitted,
                first_submitted_at=submitted,
                clock_origin=stored.origin,
                clock_used=stored.used,
            )
        )
    created = Application.objects.bulk_create(applications, batch_size=2000)
    Company.objects.bulk_create(
        [
            Company(
                registration_number=f"QRO-{application.reference}",
                name=application.proposed_name,
                normalised_name=application.proposed_name.upper(),
                legal_form=legal_form,
                application=application,
                registered_at=events[-1][2],
            )
            for application, (_reference, status, _submitted, events, _assigned) in zip(
                created, rows, strict=True
            )
            if status == "registered"
        ],
        batch_size=2000,
    )
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application=application,
                verb=verb,
                to_status=to_status,
                created_at=at,
                previous_hash="0" * 64,
                hash=f"{application.pk:060d}{n:04d}",
            )
            for application, (*_row, events, _assigned) in zip(created, rows, strict=True)
            for n, (verb, to_status, at) in enumerate(events)
        ],
        batch_size=2000,
    )


if __name__ == "__main__":
    main()
