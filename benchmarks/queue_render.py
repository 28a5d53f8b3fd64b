"""The clerks' queue page with 10,000 applications against an empty queue: time ratio and SQL
queries per render (the count must not grow with the number of rows).

    python benchmarks/queue_render.py [--rows 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _django import setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from companies.models import Application, ApplicationEvent, LegalForm
    from portal import roles
    from tests.conftest import verified_login
    from tests.factories import EntrepreneurFactory, UserFactory

    clerk = UserFactory(username="bench-clerk", role=roles.CLERKS, is_staff=True)
    filer = EntrepreneurFactory(username="bench-filer")
    client = verified_login(Client(), clerk)

    def measure() -> tuple[float, int]:
        timings = []
        counted: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.get("/registro/").status_code == 200
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/registro/")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        return statistics.median(timings), len(counted)

    sas = LegalForm.objects.get(code="sas")

    def add(count: int) -> None:
        now = timezone.now()
        start = Application.objects.count()
        Application.objects.bulk_create(
            [
                Application(
                    filer=filer,
                    legal_form=sas,
                    status="in_review",
                    proposed_name=f"Empresa {start + i}",
                    submitted_at=now,
                    first_submitted_at=now - timezone.timedelta(minutes=(start + i) % 1440),
                )
                for i in range(count)
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
                for a in Application.objects.filter(events__isnull=True).only(
                    "pk", "first_submitted_at"
                )
            ],
            batch_size=2000,
        )

    results = []
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for size in (0, 100, args.rows):
            add(size - Application.objects.count())
            results.append((size, *measure()))
    empty = results[0][1]
    print(f"Queue page (50 rows a page), median of {args.repeat} renders")
    for size, seconds, queries in results:
        print(
            f"  {size:>6} waiting   {seconds * 1000:8.1f} ms   x {seconds / empty:5.2f} of empty   {queries} SQL queries"
        )
    grows = results[1][2] != results[2][2]
    print(f"  queries from 100 to {args.rows} rows: {'GROW' if grows else 'constant'}")


if __name__ == "__main__":
    main()
