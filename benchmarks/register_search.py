"""The register's reads at scale under gunicorn, each against the bare Django JSON view served by
the same gunicorn in the same run: the agency API's search by RFC and by name, and the public
pages /empresas/?q= (a name), /empresas/<n>/ and /verificar/<code>. For each: requests per
second and the ratio to the bare view, p50 and p99 latency; then PostgreSQL's plan of the name
search (EXPLAIN ANALYZE), to see the trigram index used, and the SQL statements per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/e24_bench python benchmarks/register_search.py
    python benchmarks/register_search.py --companies 100000 1000000   # both, in one run
    python benchmarks/register_search.py [--seconds 5] [--concurrency 8] [--workers 2]

PostgreSQL only (the trigram index is PostgreSQL's); use a database you can throw away. Besides
the one company the registration service enters (Ana's S.A.S., its pages and code), the register
is filled in SQL with ``--companies`` entries (100,000 by default, a couple of minutes) of
generated names: words of ``FIRST``, ``SECOND`` and ``THIRD`` combined, so that one word of a
query matches about 1 in 100 companies, as a common word of a real register does, and every
other name a rare fourth word (``RARE_WORDS`` of them). They are
numbered QRO-1990-… onwards, kept between runs, topped up when a size is larger and rewritten
when it is smaller.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from _django import setup
from register_api import AGENCY, Run, free_port, load, request_bytes, seed, start_gunicorn

FIRST_WORDS = (  # noqa: SIM905 (words read better as a sentence)
    "tortilleria panaderia constructora comercializadora distribuidora servicios consultores"
    " transportes abarrotes farmacia ferreteria papeleria taller carpinteria herreria imprenta"
    " lavanderia muebleria refaccionaria tlapaleria vidrieria zapateria agencia inmobiliaria"
    " desarrolladora ingenieria arquitectura logistica mensajeria alimentos bebidas cafeteria"
    " restaurante pasteleria carniceria polleria fruteria textiles confecciones bordados"
    " calzado muebles plasticos metales maquinados autopartes agroindustrias invernaderos"
    " viveros lacteos granos semillas fertilizantes software sistemas redes"
    " telecomunicaciones electronica electricos iluminacion clinica laboratorio dental optica"
    " veterinaria estetica gimnasio escuela academia hotel posada turismo viajes eventos"
    " banquetes florerias regalos juguetes libreria"
).split()
SECOND_WORDS = (  # noqa: SIM905 (words read better as a sentence)
    "esperanza aurora bernal queretaro santiago corregidora marques jalpan cadereyta amealco"
    " tequisquiapan colon huimilpan pinal arroyo seco landa toliman ezequiel montes pedro"
    " escobedo juan rio penamiller jose maria morelos hidalgo juarez allende guadalupe"
    " victoria carmen dolores soledad rosario pilar luz mercedes consuelo"
).split()
THIRD_WORDS = (  # noqa: SIM905 (words read better as a sentence)
    "norte sur oriente poniente centro hermanos familia unidos asociados integral moderna"
    " nueva express plus total global regional nacional bajio"
).split()
# Every other name has a fourth word of a vocabulary of RARE_WORDS made of four syllables, each
# in about 1 in 10,000 names: a real register's names have tens of thousands of distinct
# words, the name search's table of words (``register.name_words``) as many.
SYLLABLES = (  # noqa: SIM905 (syllables read better as a sentence)
    "ba ce di fo gu la me ni po ru sa te vi zo ca de fi go ju le mi no pa qu ri so tu va xo yu"
).split()
RARE_WORDS = 20_011
SEEDED_PREFIX = "QRO-199"  # the generated entries' numbers: QRO-1990-000001 ...
PER_YEAR = 500_000
NAME_QUERIES = ("tortilleria", "constructora bernal", "panaderia esperanza norte", "farmasia")


def seed_companies(count: int) -> None:
    """``count`` generated entries in the register, written in SQL: kept if already there,
    topped up if fewer (entry ``i`` is the same whenever it is generated), rewritten if more,
    and their names' words indexed for the name search (``name_words.index_all_names``). The
    search's indexes (whatever the migrations made them) are dropped for the insert and built
    again after it, which is quicker than keeping them up to date row by row."""
    from django.db import connection

    from companies.models import Company, LegalForm, NameWordCompany
    from companies.register import name_words

    seeded = Company.objects.filter(registration_number__startswith=SEEDED_PREFIX)
    existing = seeded.count()
    if existing == count:
        return
    started = time.perf_counter()
    forms = list(LegalForm.objects.values_list("pk", "abbreviation"))
    table = Company._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE (tablename = %s "
            "AND indexdef LIKE '%%trgm_ops%%') OR indexname IN (%s, %s)",
            [table, "companies_nameword_trgm", "companies_namewordcompany_ranked"],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        if existing > count:
            entries = NameWordCompany.objects.filter(company__in=seeded)
            entries._raw_delete(entries.db)
            seeded._raw_delete(seeded.db)
            existing = 0
        cursor.execute(
            f"""
            INSERT INTO {table} (registration_number, name, normalised_name, legal_form_id, rfc,
                                 status, registered_at)
            SELECT format('QRO-%%s-%%s', 1990 + (i - 1) / {PER_YEAR},
                          lpad(((i - 1) %% {PER_YEAR} + 1)::text, 6, '0')),
                   initcap(words) || ', ' || (%(abbreviations)s::text[])[1 + i %% %(forms)s],
                   upper(words),
                   (%(keys)s::bigint[])[1 + i %% %(forms)s],
                   chr(65 + i %% 26) || chr(65 + (i / 26) %% 26) || chr(65 + (i / 676) %% 26)
                     || to_char(date '1990-01-01' + (i / 17576) %% 9000, 'YYMMDD') || 'A1B',
                   CASE WHEN i %% 50 = 0 THEN 'dissolved' ELSE 'active' END,
                   timestamp with time zone '1990-01-01' + i * interval '15 minutes'
            FROM (
                SELECT i,
                       (%(first)s::text[])[1 + i %% %(n_first)s] || ' '
                       || (%(second)s::text[])[1 + (i / %(n_first)s) %% %(n_second)s] || ' '
                       || (%(third)s::text[])[1 + (i / 7) %% %(n_third)s]
                       || CASE WHEN i %% 2 = 0 THEN ' ' || (
                            SELECT string_agg(
                                (%(syllables)s::text[])[
                                    1 + ((i / 2) %% %(rare)s / (30 ^ d)::int) %% 30], ''
                                ORDER BY d)
                            FROM generate_series(0, 3) AS d) ELSE '' END AS words
                FROM generate_series(%(start)s, %(count)s) AS i
            ) AS generated
            """,  # noqa: S608 (the table is the model's; every value is a parameter)
            {
                "abbreviations": [abbreviation for _, abbreviation in forms],
                "keys": [pk for pk, _ in forms],
                "forms": len(forms),
                "first": FIRST_WORDS,
                "n_first": len(FIRST_WORDS),
                "second": SECOND_WORDS,
                "n_second": len(SECOND_WORDS),
                "third": THIRD_WORDS,
                "n_third": len(THIRD_WORDS),
                "syllables": SYLLABLES,
                "rare": RARE_WORDS,
                "start": existing + 1,
                "count": count,
            },
        )
        name_words.index_all_names()
        for _, definition in indexes:
            cursor.execute(definition)
        for vacuumed in (table, "companies_nameword", "companies_namewordcompany"):
            cursor.execute(f"VACUUM ANALYZE {vacuumed}")  # estimates, index-only scans
    print(
        f"  seeded {count - existing:,} companies ({count:,} in all), indexed their names' "
        f"words and built {len(indexes)} indexes in {time.perf_counter() - started:.0f} s"
    )


def seed_entry() -> tuple[str, str, str]:
    """Ana's S.A.S. as ``register_api`` enters it: its number, RFC and verification code."""
    from companies.models import Company

    company = Company.objects.get(registration_number=seed())
    assert company.verification_code
    return company.registration_number, company.rfc, company.verification_code


def explain_name_search(query: str) -> str:
    """PostgreSQL's plans of the name search's queries for a first page, analysed: the words
    like the searched ones, then their companies (``register.search.explain_name_search``)."""
    from companies.filing.names import normalise_name
    from companies.register import search

    return search.explain_name_search(normalise_name(query))


def indexes_in(plan: str) -> str:
    """Which of the name search's indexes a plan reads: the words' trigrams, a word's companies
    in the search's order."""
    used = [
        label
        for index, label in (
            ("companies_nameword_trgm", "words' GIN trigram index"),
            ("companies_namewordcompany_ranked", "word -> companies (ranked) index"),
        )
        if index in plan
    ]
    return ", ".join(used) or "NONE"


def statements_per_request(paths: dict[str, list[str]]) -> dict[str, int]:
    """SQL statements of one request of each target (its first path, the second time), counted
    in this process with Django's test client."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_X_ROAD_CLIENT=AGENCY, HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="es-mx")
    statements: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    counts = {}
    for name, targets in paths.items():
        assert client.get(targets[0]).status_code == 200, targets[0]
        statements.clear()
        with connection.execute_wrapper(record):
            client.get(targets[0])
        counts[name] = len(statements)
    return counts


def requests_for(port: int, paths: list[str]) -> list[bytes]:
    return [request_bytes(port, path, accept="Accept-Language: es-mx") for path in paths]


def targets(number: str, rfc: str, code: str) -> dict[str, list[str]]:
    names = [q.replace(" ", "+") for q in NAME_QUERIES]
    return {
        "API search by RFC": [f"/api/v1/empresas?rfc={rfc}"],
        "API search by name": [f"/api/v1/empresas?nombre={q}" for q in names],
        "/empresas/?q=name": [f"/empresas/?q={q}" for q in names],
        "/empresas/<n>/": [f"/empresas/{number}/"],
        "/verificar/<code>": [f"/verificar/{code}"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--companies", type=int, nargs="+", default=[100_000], help="register sizes, in turn"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="load per target")
    parser.add_argument("--rounds", type=int, default=5, help="slices, bare and target in turns")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "warning")
    os.environ.update(DEBUG="false", SECURE_SSL_REDIRECT="false")  # as gunicorn serves it
    setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("register_search.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest
    for size in sorted(args.companies):
        measure(size, args)


def measure(size: int, args: argparse.Namespace) -> None:
    from django.db import connection

    print(f"Register reads with {size:,} companies (PostgreSQL)")
    seed_companies(size)
    number, rfc, code = seed_entry()
    paths = targets(number, rfc, code)
    statements = statements_per_request(paths)
    plans = {query: explain_name_search(query) for query in NAME_QUERIES}
    connection.close()

    port = free_port()
    server = start_gunicorn(port, args.workers)
    bare_path = [f"/bare/{number}"]
    slice_seconds = args.seconds / args.rounds
    results: list[tuple[str, Run, Run]] = []
    try:
        for name, target_paths in paths.items():
            options = {"concurrency": args.concurrency, "seconds": slice_seconds}
            asyncio.run(load(port, requests_for(port, target_paths), **options))  # warm up
            bare, target = Run(), Run()
            for _ in range(args.rounds):
                bare.add(asyncio.run(load(port, requests_for(port, bare_path), **options)))
                target.add(asyncio.run(load(port, requests_for(port, target_paths), **options)))
            results.append((name, bare, target))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"  under gunicorn ({args.workers} sync workers), {args.concurrency} concurrent "
        f"clients, {args.seconds:g} s per target in {args.rounds} turns with the bare view"
    )
    for name, bare, target in results:
        print(
            f"    {name:<20} {target.rps:7.0f} req/s ({target.rps / bare.rps:4.2f}x bare "
            f"{bare.rps:5.0f})   p50 {target.percentile(50):6.1f} ms"
            f"   p99 {target.percentile(99):6.1f} ms (bare {bare.percentile(99):5.1f})"
            f"   {statements[name]} SQL   ({len(target.latencies)} ok, {target.errors} errors)"
        )
    for query, plan in plans.items():
        print(f"  name search {query!r}: indexes used: {indexes_in(plan)}")
        print("    " + plan.replace("\n", "\n    "))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
