"""A company with 200 registered filings against one with none: its public page, its agency API
entry (built cold, as after a change) and its filing history, each the time of one render (the
median), the ratio to the company without filings, and the SQL queries (constant: the register
"as of" a day is one query and the history one more, whatever the number of filings).

    python benchmarks/company_history.py [--filings 200] [--repeat 30]

Uses a fresh database beside DATABASE_URL's (its test database, dropped after) when set; the
filings are filed, signed, submitted and registered through the services (the office moving
back and forth between two addresses), as the worker would.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from _django import setup

ANA = "RAOA900514MQTMLN01"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
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

    from companies.api import cache
    from companies.lifecycle import filings
    from companies.models import AgencyAccess, AgencyService
    from companies.reference_data import load_legal_forms
    from tests import factories

    load_legal_forms()
    agency = "MX-DEV/GOV/SAT/padron"
    for service in AgencyService.values:
        AgencyAccess.objects.get_or_create(client=agency, service=service)
    ana = factories.EntrepreneurFactory(curp=ANA)
    plain = factories.registered_company(factories.complete_application(ana), number=1)
    busy = factories.registered_company(factories.complete_application(ana), number=2)
    back = {**factories.NEW_OFFICE, "street": "Av. Zaragoza", "exterior_number": "10"}
    back |= {"neighbourhood": "Centro", "postal_code": "76000", "municipality": "014"}
    started = time.perf_counter()
    for n in range(args.filings):
        payload = dict(factories.NEW_OFFICE) if n % 2 == 0 else back
        filings.process(factories.submitted_filing(busy, ana, payload=payload).pk)
    print(f"{args.filings} filings registered in {time.perf_counter() - started:.1f} s")
    client = Client()

    def measure(path: str, *, cold: bool) -> tuple[float, int]:
        counted: list[str] = []

        def count(execute: Callable, sql: str, params, many, context):  # type: ignore[no-untyped-def]
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            cache.bodies.clear()
            assert client.get(path, HTTP_X_ROAD_CLIENT=agency).status_code == 200
        timings = []
        for _ in range(args.repeat):
            if cold:
                cache.bodies.clear()
            begun = time.perf_counter()
            client.get(path, HTTP_X_ROAD_CLIENT=agency)
            timings.append(time.perf_counter() - begun)
        return statistics.median(timings), len(counted)

    pages = {
        "company_page": ("/empresas/{}/", False),
        "api_entry": ("/api/v1/empresas/{}", True),
        "api_filings": ("/api/v1/empresas/{}/tramites", True),
    }
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for name, (path, cold) in pages.items():
            none, none_queries = measure(path.format(plain.registration_number), cold=cold)
            many, many_queries = measure(path.format(busy.registration_number), cold=cold)
            print(
                f"{name}: {none * 1000:.1f} ms, {none_queries} queries with no filings; "
                f"{many * 1000:.1f} ms, {many_queries} queries with {args.filings}"
            )
            print(
                f"HEADLINE {name}_{args.filings}_filings {many / none:.2f} x the time with none "
                f"({none_queries} -> {many_queries} queries)"
            )


if __name__ == "__main__":
    main()
