"""The agency API's company-by-number under gunicorn, against a bare Django JSON view served by
the same gunicorn in the same run: requests per second and their ratio, p50 and p99 latency at
8 and 32 concurrent clients, the CPU a request costs the workers, their PostgreSQL backends and
the load client (and the ratio that predicts: a shared machine disturbs it far less than the
requests per second), SQL queries per request on a warm cache and a kept connection (the reads,
Django's health checks, and the request log's write apart: spooled, it is none on the way), and
the request log counted against the requests sent, once the spool files the workers left are
ingested.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/e24_bench python benchmarks/register_api.py
    python benchmarks/register_api.py [--seconds 5] [--concurrency 8,32] [--workers 2]

Without DATABASE_URL it runs on a throw-away SQLite file (the figures the issue asks for are
PostgreSQL's). The database is migrated and seeded with one company and the allowlist; use a
database you can throw away. Gunicorn listens on a free loopback port. The load is a small
asyncio client writing raw HTTP/1.1 (one connection per request, as gunicorn's sync workers
close them), so the client costs far less than the server it measures. The bare view and the
API take turns (``--rounds`` slices each), so that a machine shared with other work slows both
alike and their ratio stays meaningful when the absolute figures do not.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from _django import ROOT, setup

AGENCY = "MX-DEV/GOV/SAT/padron"
SERVED = {"DEBUG": "false", "SECURE_SSL_REDIRECT": "false"}  # as in production, over plain HTTP


def seed() -> str:
    """The allowlist and one company in the register (Ana's S.A.S., registered by the
    registration service, with its RFC); its registration number."""
    from companies.models import AgencyAccess, Company
    from tests.factories import EntrepreneurFactory, complete_application, registered_company

    AgencyAccess.objects.get_or_create(client=AGENCY, service="empresas")
    filer = EntrepreneurFactory(username="bench-api")
    seeded = Company.objects.filter(application__filer=filer).first()
    if seeded is None:
        seeded = registered_company(complete_application(filer), rfc="TES990101AB1")
    return seeded.registration_number


def paths(number: str) -> tuple[str, str]:
    """The agency API's company by ``number``, and the bare view's."""
    return f"/api/v1/empresas/{number}", f"/bare/{number}"


@dataclass(frozen=True)
class InProcess:
    """One request of a kind served in this process through the WSGI handler, as gunicorn's
    worker calls it (the request's start and end with them, no socket)."""

    reads: int
    health_checks: int  # Django's SELECT 1 before a kept connection's first query
    log_writes: int
    ms: float  # the best of several batches: what a request costs when nothing else runs
    cpu_ms: float  # this process's CPU time for it, in the same batch


def is_log_write(sql: str) -> bool:
    return "INSERT INTO" in sql and "agencyrequest" in sql


def wsgi_environ(path: str) -> dict[str, object]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_ROAD_CLIENT": AGENCY,
        "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def in_process(api_path: str, bare_path: str) -> dict[str, InProcess]:
    """SQL statements of one request of each kind on a warm cache and a kept connection (the
    second of two), Django's health checks and the request log's INSERT apart from the reads,
    and its time, counted in this process."""
    from _api_wsgi import application
    from django.db import connection, connections

    statuses: list[str] = []

    def get(path: str) -> str:
        body = application(wsgi_environ(path), lambda status, headers: statuses.append(status))
        b"".join(body)
        body.close()  # the request's end: Django's request_finished
        return statuses[-1]

    wrapper = connections["default"]
    checks = 0
    is_usable = wrapper.is_usable

    def counted_is_usable() -> bool:
        nonlocal checks
        checks += 1
        return bool(is_usable())

    def count(path: str) -> InProcess:
        nonlocal checks
        statements: list[str] = []

        def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            statements.append(sql)
            return execute(sql, params, many, context)

        assert get(path).startswith("200"), path  # the cache warmed, the connection opened
        checks = 0
        wrapper.is_usable = counted_is_usable
        try:
            with connection.execute_wrapper(record):
                status = get(path)
        finally:
            del wrapper.is_usable
        assert status.startswith("200"), (path, status)
        writes = sum(1 for sql in statements if is_log_write(sql))
        walls, cpus = [], []
        for _ in range(7):
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(200):
                get(path)
            walls.append((time.perf_counter() - started) * 5)
            cpus.append((time.process_time() - cpu) * 5)
        return InProcess(
            reads=len(statements) - writes,
            health_checks=checks,
            log_writes=writes,
            ms=min(walls),
            cpu_ms=min(cpus),
        )

    return {"api": count(api_path), "bare": count(bare_path)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int, workers: int) -> subprocess.Popen[bytes]:
    environment = os.environ | SERVED
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--pythonpath",
        str(ROOT / "benchmarks"),
        "--log-level",
        "warning",
        "_api_wsgi:application",
    ]
    server = subprocess.Popen(command, env=environment, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped during startup")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 30 s")


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by whom (``Meter``)

    @property
    def sent(self) -> int:
        return len(self.latencies) + self.errors

    def add(self, other: Run) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds
        for who, seconds in other.cpu.items():
            self.cpu[who] = self.cpu.get(who, 0.0) + seconds

    def cpu_us(self, who: str) -> float | None:
        """CPU microseconds a request of ``who`` (None if it could not be read)."""
        seconds = self.cpu.get(who)
        return None if seconds is None else seconds / len(self.latencies) * 1e6

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000


async def one_request(port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await reader.read()  # Connection: close, so the server ends the response
    finally:
        writer.close()
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.") else 0


def request_bytes(port: int, path: str, *, accept: str = "Accept: application/json") -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Road-Client: {AGENCY}\r\n"
        f"{accept}\r\nConnection: close\r\n\r\n"
    ).encode()


async def load(
    port: int, requests: list[bytes], *, seconds: float, concurrency: int, limit: int | None = None
) -> Run:
    """``concurrency`` clients sending ``requests`` in turn for ``seconds`` (or ``limit`` in all)."""
    cycle = itertools.cycle(requests)
    run = Run()
    started = time.perf_counter()
    deadline = started + seconds

    def more() -> bool:
        return limit is None or len(run.latencies) + run.errors < limit

    async def worker() -> None:
        while time.perf_counter() < deadline and more():
            sent = time.perf_counter()
            status = await one_request(port, next(cycle))
            if status == 200:
                run.latencies.append(time.perf_counter() - sent)
            else:
                run.errors += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    return run


def cpu_seconds(pids: list[int]) -> float | None:
    """User and system CPU of these processes from /proc (Linux), None if one cannot be read."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Meter:
    """Who spends CPU on a request: the gunicorn workers, their PostgreSQL backends (when the
    database runs on this machine) and this load client. CPU time is what a shared machine's
    neighbours disturb least: a request costs about as much of it however slowly it is served."""

    workers: list[int]
    backends: list[int]

    def read(self) -> dict[str, float | None]:
        return {
            "workers": cpu_seconds(self.workers),
            "postgresql": cpu_seconds(self.backends),
            "client": time.process_time(),
        }

    def since(self, before: dict[str, float | None]) -> dict[str, float]:
        now = self.read()
        return {
            who: now[who] - start  # type: ignore[operator]
            for who, start in before.items()
            if start is not None and now[who] is not None
        }


def meter(server: subprocess.Popen[bytes]) -> Meter:
    """The workers of ``server`` and the PostgreSQL backends connected to this database (the
    workers', once they have served a request: run on a database of its own)."""
    from django.db import connection

    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        children = []
    backends: list[int] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            backends = [int(pid) for (pid,) in cursor.fetchall()]
        connection.close()
    return Meter([int(pid) for pid in children], backends)


def logged_requests() -> int:
    from companies.models import AgencyRequest

    return AgencyRequest.objects.count()


def print_cpu(bare: Run, api: Run) -> None:
    """CPU a request, and the ratio of requests per second it predicts on a machine whose
    cores were all the benchmark's (workers, PostgreSQL and the load client sharing them)."""
    for name, run in (("bare JSON view", bare), ("agency API", api)):
        parts = [(who, run.cpu_us(who)) for who in ("workers", "postgresql", "client")]
        shown = "  ".join(f"{who} {us:5.0f} us" for who, us in parts if us is not None)
        print(f"    CPU a request, {name:<15} {shown}")
    totals = [sum(run.cpu.values()) / len(run.latencies) for run in (bare, api)]
    if all(totals) and bare.cpu.keys() == api.cpu.keys():
        print(f"    ratio the CPU a request predicts: {totals[0] / totals[1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="load per target")
    parser.add_argument("--concurrency", default="8,32", help="clients, comma-separated runs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per target")
    parser.add_argument(
        "--rounds", type=int, default=5, help="slices per target, bare and API taking turns"
    )
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "warning")
    os.environ.update(SERVED)  # this process measures as the workers serve
    setup()
    from django.db import connection

    api_path, bare_path = paths(seed())
    queries = in_process(api_path, bare_path)
    from companies.api import spool

    spool.ingest()  # this process's own requests, before the count starts
    logged_before = logged_requests()
    connection.close()
    port = free_port()
    server = start_gunicorn(port, args.workers)
    runs: list[tuple[int, Run, Run]] = []
    slice_seconds = args.seconds / args.rounds
    api_sent = 0
    try:
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            options = {"concurrency": concurrency, "limit": args.max_requests}
            for path in (bare_path, api_path):  # warm up: imports, connections, caches
                warm = asyncio.run(load(port, [request_bytes(port, path)], seconds=1.0, **options))
                api_sent += warm.sent if path == api_path else 0
            cpu = meter(server)
            bare, api = Run(), Run()
            for _ in range(args.rounds):  # turns, so both meet the same neighbours' load
                for run, path in ((bare, bare_path), (api, api_path)):
                    before = cpu.read()
                    served = asyncio.run(
                        load(port, [request_bytes(port, path)], seconds=slice_seconds, **options)
                    )
                    served.cpu = cpu.since(before)
                    run.add(served)
            api_sent += api.sent
            runs.append((concurrency, bare, api))
    finally:
        server.terminate()  # the workers finish what they serve, then stop
        server.wait(timeout=30)
    ingested_by_workers = logged_requests() - logged_before
    spool.ingest()  # what the workers left spooled: beat's task would take it
    logged = logged_requests() - logged_before

    vendor = connection.vendor
    print(
        f"Company by number under gunicorn ({args.workers} sync workers, {vendor}), "
        f"{args.seconds:g} s per target"
    )
    for concurrency, bare, api in runs:
        print(f"  {concurrency} concurrent clients")
        for name, run in (("bare JSON view", bare), ("agency API", api)):
            print(
                f"    {name:<15} {run.rps:8.0f} req/s   p50 {run.percentile(50):6.1f} ms"
                f"   p99 {run.percentile(99):6.1f} ms   ({len(run.latencies)} ok, "
                f"{run.errors} errors)"
            )
        print(f"    ratio API / bare: {api.rps / bare.rps:.2f} of the requests per second")
        print_cpu(bare, api)
    api_queries, bare_queries = queries["api"], queries["bare"]
    print(
        f"  SQL per API request on a warm cache: {api_queries.reads} read(s) + "
        f"{api_queries.health_checks} health check(s) + {api_queries.log_writes} request-log "
        f"write(s) (bare view: {bare_queries.reads} + {bare_queries.health_checks})"
    )
    print(
        f"  in one process through the WSGI handler, no gunicorn (best of 7 x 200): "
        f"bare {bare_queries.ms:.2f} ms ({bare_queries.cpu_ms:.2f} ms CPU), "
        f"API {api_queries.ms:.2f} ms ({api_queries.cpu_ms:.2f} ms CPU) a request"
    )
    verdict = "none lost" if logged == api_sent else f"{api_sent - logged} MISSING"
    print(
        f"  request log: {api_sent} API requests sent under load vs {logged} log rows "
        f"({verdict}; {ingested_by_workers} ingested by the workers themselves during the run, "
        "the rest from their spool files after they stopped)"
    )
    if vendor != "postgresql":
        print("  (SQLite: set DATABASE_URL=postgres://... for the PostgreSQL figures)")
    print(f"HEADLINE register_api {api.rps / bare.rps:.2f} x the bare view's req/s ({vendor})")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
