"""The clerks' queue and the supervisor's dashboard with 100 and with 100,000 waiting
applications: the time of a render, its ratio to the small size, and the SQL queries of one
render (the count must not grow with the number of rows).

    python benchmarks/queue_render.py [--small 100] [--rows 100000] [--repeat 20]

Uses a fresh database beside DATABASE_URL's (its test database, dropped after) when set: the
figures worth quoting are PostgreSQL's; otherwise SQLite. The applications are seeded in bulk,
two in five in review, a fifth claimed by the supervisor, their first submissions spread evenly
over the last two days at either size (so about half are past the 24 hours and some close to
them), then the tables are analysed as autovacuum would.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from _django import setup

PAGES = {"queue": "/registro/", "dashboard": "/registro/supervision/"}
STATUSES = ("submitted", "checking", "in_review", "in_review", "changes_requested")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
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

    from portal import roles
    from tests.conftest import verified_login
    from tests.factories import EntrepreneurFactory, UserFactory

    supervisor = UserFactory(username="bench-supervisor", role=roles.SUPERVISORS, is_staff=True)
    filer = EntrepreneurFactory(username="bench-filer")
    client = verified_login(Client(), supervisor)

    def measure(path: str) -> tuple[float, int]:
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
        return statistics.median(timings), len(counted)

    results: dict[str, list[tuple[int, float, int]]] = {name: [] for name in PAGES}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for size in (args.small, args.rows):
            started = time.perf_counter()
            seed(size, filer=filer, clerk=supervisor)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would: the planner's statistics
            seeded = time.perf_counter() - started
            print(f"  seeded {size:,} waiting applications in {seeded:.1f} s")
            for name, path in PAGES.items():
                results[name].append((size, *measure(path)))
    print(f"\nMedian of {args.repeat} renders ({connection.vendor})")
    for name, rows in results.items():
        small = rows[0][1]
        for size, seconds, queries in rows:
            print(
                f"  {name:<10}{size:>8,} waiting {seconds * 1000:8.1f} ms"
                f"   x {seconds / small:5.2f} of {args.small:,}   {queries} SQL queries"
            )
        grows = rows[0][2] != rows[-1][2]
        print(
            f"  {name:<10}queries from {args.small:,} to {args.rows:,}: "
            f"{'GROW' if grows else 'constant'}"
        )
    for name, rows in results.items():
        ratio = rows[-1][1] / rows[0][1]
        print(f"HEADLINE {name}_at_{args.rows} {ratio:.2f} x the render time at {args.small}")


def seed(size: int, *, filer, clerk) -> None:  # type: ignore[no-untyped-def]
    """Waiting applications, each with its submission event, up to ``size`` in all."""
    from django.utils import timezone

    from companies.models import Application, ApplicationEvent, LegalForm

    sas = LegalForm.objects.get(code="sas")
    now = timezone.now()
    start = Application.objects.count()
    for first in range(start, size, 10_000):
        batch = range(first, min(first + 10_000, size))
        created = Application.objects.bulk_create(
            [
                Application(
                    filer=filer,
                    legal_form=sas,
                    status=STATUSES[i % len(STATUSES)],
                    proposed_name=f"Empresa {i}",
                    assigned_to=clerk if i % 5 == 0 else None,
                    submitted_at=now - timezone.timedelta(minutes=i * 7919 % 2880),
                    first_submitted_at=now - timezone.timedelta(minutes=i * 7919 % 2880),
                )
                for i in batch
            ],
            batch_size=2000,
        )
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application=a,
                    verb="submit",
                    to_status="submitted",
                    created_at=a.first_submitted_at,
                    previous_hash="0" * 64,
                    hash=f"{a.pk:064d}",
                )
                for a in created
            ],
            batch_size=2000,
        )


if __name__ == "__main__":
    main()
