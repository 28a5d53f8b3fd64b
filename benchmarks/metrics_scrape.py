"""What the Prometheus metrics cost: a scrape of the backlog gauges with 1,000 and 100,000
waiting applications (and as many registered long ago), and the request middleware's share of
the cheapest request there is (/healthz, with and without it, in interleaved rounds; the
middleware's own work, a counter and a histogram, is a few microseconds).

    python benchmarks/metrics_scrape.py [--sizes 1000,100000] [--repeat 50] [--requests 2000]

The applications are seeded as benchmarks/queue_render.py seeds them, in a fresh database beside
DATABASE_URL's (PostgreSQL's figures are the ones worth quoting), then vacuumed and analysed.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _django import setup
from queue_render import seed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    setup()
    from django.db import connection

    fresh = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        scrapes = run_scrapes(sizes, args.repeat)
        with_it, without = run_requests(args.requests)
    finally:
        connection.creation.destroy_test_db(fresh, verbosity=0)
    small, large = sizes[0], sizes[-1]
    print(f"\nBacklog scrape, median of {args.repeat} ({connection.vendor})")
    for size, (seconds, queries) in scrapes.items():
        print(f"  {size:>8,} waiting  {seconds * 1000:7.2f} ms  {queries} SQL queries")
    print(f"\n/healthz through the test client, {args.requests} requests")
    print(f"  with the metrics middleware    {with_it * 1e6:7.1f} µs a request")
    print(f"  without it                     {without * 1e6:7.1f} µs a request")
    ratio = scrapes[large][0] / scrapes[small][0]
    print(f"HEADLINE metrics_scrape_at_{large} {ratio:.2f} x the scrape time at {small}")
    print(f"HEADLINE metrics_middleware {without / with_it:.2f} x the requests/s without it")


def run_scrapes(sizes: list[int], repeat: int) -> dict[int, tuple[float, int]]:
    from django.db import connection
    from prometheus_client import generate_latest

    from companies import counters
    from portal import metrics, roles
    from tests.factories import EntrepreneurFactory, UserFactory

    clerk = UserFactory(username="bench-clerk", role=roles.SUPERVISORS, is_staff=True)
    filer = EntrepreneurFactory(username="bench-filer")
    results = {}
    counted: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counted.append(sql)
        return execute(sql, params, many, context)

    for size in sizes:
        seed(size, filer=filer, clerk=clerk)
        counters.recount()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        counted.clear()
        with connection.execute_wrapper(count):
            generate_latest(metrics._backlog)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            generate_latest(metrics._backlog)
            timings.append(time.perf_counter() - started)
        results[size] = (statistics.median(timings), len(counted))
        print(f"  seeded {size:,}: scrape {results[size][0] * 1000:.2f} ms")
    return results


def run_requests(requests: int) -> tuple[float, float]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    bare = [m for m in settings.MIDDLEWARE if m != "portal.metrics.RequestMetricsMiddleware"]

    def per_request() -> float:
        client = Client()
        client.get("/healthz")
        started = time.perf_counter()
        for _ in range(requests):
            client.get("/healthz")
        return (time.perf_counter() - started) / requests

    # Rounds interleaved and the fastest of each kept: on a shared machine the load moves.
    timings: dict[bool, list[float]] = {True: [], False: []}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for _ in range(5):
            timings[True].append(per_request())
            with override_settings(MIDDLEWARE=bare):
                timings[False].append(per_request())
    return min(timings[True]), min(timings[False])


if __name__ == "__main__":
    main()
