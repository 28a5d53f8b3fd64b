"""Clean S.A.S. applications through 1, 2 and 4 real Celery worker processes, with every registry
answering in 200 ms: seconds from submission to registered and to the last of the three documents
sealed (p50, p95), first one application at a time, then a burst (throughput); and the floor, the
registry round trips on the critical path x the latency + the slowest document's render and seal.

    python benchmarks/submit_to_registered.py [--workers 1,2,4] [--one-at-a-time 5] [--burst 8]
                                              [--latency-ms 200]

Every figure comes from the database's timestamps: the application's ``submitted_at``, its
``register`` event, each document's ``issued_at``. Uses CELERY_BROKER_URL and DATABASE_URL when
set (Redis, PostgreSQL); otherwise the zero-setup defaults (filesystem broker, SQLite in a
temporary folder). Documents are sealed without a time-stamping authority (B-B).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _django import setup


@dataclass(frozen=True)
class Timing:
    application_id: int
    submitted: datetime
    registered: datetime
    sealed: datetime  # the last of the three documents

    @property
    def to_registered(self) -> float:
        return (self.registered - self.submitted).total_seconds()

    @property
    def to_sealed(self) -> float:
        return (self.sealed - self.submitted).total_seconds()


@dataclass(frozen=True)
class Run:
    workers: int
    one_at_a_time: list[Timing]
    burst: list[Timing]
    burst_cpu_s: float | None  # the workers' CPU time during the burst (None: not on Linux)
    burst_busy: float | None  # the share of the machine's cores busy then, whoever used them

    @property
    def per_minute(self) -> float:
        first = min(t.submitted for t in self.burst)
        last = max(t.sealed for t in self.burst)
        return len(self.burst) / (last - first).total_seconds() * 60


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timings(ids: Sequence[int]) -> list[Timing] | None:
    """Each application's timestamps; None while one is not registered with its three documents."""
    from companies.models import Application, ApplicationEvent, Document

    registered = dict(
        ApplicationEvent.objects.filter(application_id__in=ids, verb="register").values_list(
            "application_id", "created_at"
        )
    )
    kinds: dict[int, set[str]] = defaultdict(set)
    sealed: dict[int, datetime] = {}
    issued = Document.objects.filter(company__application_id__in=ids)
    for pk, kind, at in issued.values_list("company__application_id", "kind", "issued_at"):
        kinds[pk].add(kind)
        sealed[pk] = max(sealed.get(pk, at), at)
    if len(registered) < len(ids) or any(len(kinds[pk]) < len(Document.Kind.values) for pk in ids):
        return None
    submitted = dict(Application.objects.filter(pk__in=ids).values_list("pk", "submitted_at"))
    return [Timing(pk, submitted[pk], registered[pk], sealed[pk]) for pk in ids]


def wait_for(ids: Sequence[int], *, timeout_s: float) -> list[Timing]:
    from tests import workers

    found: list[Timing] = []

    def done() -> bool:
        nonlocal found
        found = timings(ids) or []
        return bool(found)

    if not workers.wait_until(done, timeout_s=timeout_s, interval_s=0.1):
        raise SystemExit(f"{len(ids)} applications not registered with their documents in time")
    return found


def submit(count: int, *, filer: Any) -> list[int]:
    from tests.factories import complete_application, submit_for_processing

    applications = [complete_application(filer) for _ in range(count)]
    for application in applications:
        submit_for_processing(application)
    return [a.pk for a in applications]


def with_workers(count: int, *, env: dict[str, str], one_at_a_time: int, burst: int) -> Run:
    """``count`` worker processes (solo pool each): warmed with a burst of ``count``, then
    applications one at a time, then a burst."""
    from portal.celery import app
    from tests import workers
    from tests.factories import EntrepreneurFactory

    app.control.purge()
    started = [
        workers.start_worker(env=env, name=f"bench-{count}-{i}@%h", output=subprocess.DEVNULL)
        for i in range(count)
    ]
    try:
        if app.conf.broker_url.startswith("redis://"):
            for worker in started:
                workers.wait_for_ping(worker)
        # The filesystem broker cannot broadcast a ping: the warm-up waits for the workers.
        filer = EntrepreneurFactory()
        wait_for(submit(count, filer=filer), timeout_s=120)  # fonts, templates, connections
        alone = [wait_for(submit(1, filer=filer), timeout_s=60)[0] for _ in range(one_at_a_time)]
        before, machine_before = cpu_seconds(started), machine_ticks()
        together = wait_for(submit(burst, filer=filer), timeout_s=60 + burst * 10)
        after, machine_after = cpu_seconds(started), machine_ticks()
    finally:
        workers.stop(started, timeout_s=20)
    used = after - before if after is not None and before is not None else None
    busy = None
    if machine_before is not None and machine_after is not None:
        (busy_0, total_0), (busy_1, total_1) = machine_before, machine_after
        busy = (busy_1 - busy_0) / max(total_1 - total_0, 1)
    return Run(count, alone, together, used, busy)


def machine_ticks() -> tuple[int, int] | None:
    """The machine's busy and total CPU ticks so far, every core (from /proc/stat)."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def cpu_seconds(processes: Sequence[subprocess.Popen[bytes]]) -> float | None:
    """User and system CPU seconds the processes used so far (from /proc; None elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for process in processes:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def round_trips(ids: Sequence[int]) -> int:
    """Registry round trips one after the other, from the stored exchanges: calls that overlap
    in time (the checks run concurrently) count once; the median over the applications."""
    from companies.models import RegistryExchange

    counts = []
    for pk in ids:
        spans = sorted(
            (e.created_at - timedelta(milliseconds=e.duration_ms), e.created_at)
            for e in RegistryExchange.objects.filter(application_id=pk)
        )
        waves, end = 0, None
        for start, finish in spans:
            if end is None or start >= end:
                waves += 1
                end = finish
            else:
                end = max(end, finish)
        counts.append(waves)
    return round(statistics.median(counts))


def slowest_render_and_seal(application_id: int, *, tries: int = 3) -> tuple[str, float]:
    """The kind whose drawing and sealing takes longest in this process (the best of ``tries``
    each, warm), and its seconds."""
    from companies.documents import issuance, seal
    from companies.models import Company

    company = Company.objects.select_related("legal_form").get(application_id=application_id)
    best = {}
    for kind, render in issuance.RENDERERS.items():
        runs = []
        for _ in range(tries + 1):  # the first warms fonts and templates
            started = time.perf_counter()
            seal.seal_pdf(render(company))
            runs.append(time.perf_counter() - started)
        best[kind] = min(runs[1:])
    kind = max(best, key=best.__getitem__)
    return kind, best[kind]


def report(runs: list[Run], *, latency_ms: float, floor_parts: tuple[int, str, float]) -> None:
    trips, kind, render_s = floor_parts
    floor = trips * latency_ms / 1000 + render_s
    print(f"  {'':<28}{'registered':>20}{'all three sealed':>22}{'burst':>22}")
    print(f"  {'':<28}{'p50':>10}{'p95':>10}{'p50':>11}{'p95':>11}{'per minute':>22}")
    for run in runs:
        alone = run.one_at_a_time
        print(
            f"  {run.workers} worker process(es), alone"
            f"{statistics.median(t.to_registered for t in alone):>8.2f} s"
            f"{percentile([t.to_registered for t in alone], 0.95):>8.2f} s"
            f"{statistics.median(t.to_sealed for t in alone):>9.2f} s"
            f"{percentile([t.to_sealed for t in alone], 0.95):>9.2f} s"
            f"{run.per_minute:>22.1f}"
        )
        busy = f", the machine's cores {run.burst_busy:.0%} busy" if run.burst_busy else ""
        together = run.burst
        print(
            f"  {'':<4}in a burst of {len(together):<10}"
            f"{statistics.median(t.to_registered for t in together):>8.2f} s"
            f"{percentile([t.to_registered for t in together], 0.95):>8.2f} s"
            f"{statistics.median(t.to_sealed for t in together):>9.2f} s"
            f"{percentile([t.to_sealed for t in together], 0.95):>9.2f} s{busy}"
        )
    cpu = [run.burst_cpu_s / len(run.burst) for run in runs if run.burst_cpu_s is not None]
    if cpu:
        per_app = statistics.median(cpu)
        cores = os.cpu_count() or 1
        print(
            f"  the workers' CPU per application: {per_app:.2f} s, so at most"
            f" {cores / per_app * 60:.0f} per minute on {cores} cores, however many workers"
        )
    by_count = {run.workers: run for run in runs}
    if 1 in by_count and len(by_count) > 1:
        most = max(by_count)
        ratio = by_count[most].per_minute / by_count[1].per_minute
        print(f"  throughput, {most} worker processes vs 1: {ratio:.2f}x (goal >= 3x)")
    print(
        f"  floor: {trips} registry round trips on the critical path x {latency_ms:.0f} ms"
        f" + the slowest render and seal ({kind}, {render_s:.2f} s) = {floor:.2f} s"
    )
    for run in runs:
        p50 = statistics.median(t.to_sealed for t in run.one_at_a_time)
        goal = "met" if p50 < 2 else "missed"
        print(
            f"  {run.workers} worker process(es): all three sealed p50 {p50:.2f} s ="
            f" {p50 / floor:.2f}x the floor (goal p50 < 2 s: {goal})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1,2,4", help="worker process counts, e.g. 1,2,4")
    parser.add_argument("--one-at-a-time", type=int, default=5)
    parser.add_argument("--burst", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    workdir = setup()
    from django.conf import settings
    from django.core.management import call_command

    from sandbox.world import build_emulator
    from xroad_client.emulator import FaultSpec, serve_in_thread

    call_command("make_seal_key", stdout=io.StringIO())
    emulator = build_emulator()
    for service in emulator.topology.services:
        emulator.inject_fault(service.id, FaultSpec(latency_ms=args.latency_ms))
    runs = []
    with serve_in_thread(emulator) as url:
        env = {
            "XROAD_SECURITY_SERVER_URL": url,
            "VAR_DIR": str(workdir),
            "SEAL_KEY_PATH": str(settings.SEAL_KEY_PATH),
            "SEAL_CERT_PATH": str(settings.SEAL_CERT_PATH),
            "SEAL_TSA_URL": "off",
            "LOG_LEVEL": "warning",
        }
        for count in counts:
            runs.append(
                with_workers(count, env=env, one_at_a_time=args.one_at_a_time, burst=args.burst)
            )
    os.environ["SEAL_TSA_URL"] = "off"
    settings.SEAL_TSA_URL = ""
    ids = [t.application_id for run in runs for t in run.one_at_a_time]
    floor_parts = (round_trips(ids), *slowest_render_and_seal(ids[0]))
    broker = settings.CELERY_BROKER_URL.split(":")[0]
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"clean S.A.S., registries answering in {args.latency_ms:.0f} ms, {database} + {broker},"
        f" solo-pool worker processes, {os.cpu_count()} CPU cores on this machine (one run)"
    )
    report(runs, latency_ms=args.latency_ms, floor_parts=floor_parts)
    sealed = statistics.median(t.to_sealed for t in runs[0].one_at_a_time)
    floor = floor_parts[0] * args.latency_ms / 1000 + floor_parts[2]
    print(f"HEADLINE submit_to_registered {sealed / floor:.2f} x the floor, all three sealed, p50")


if __name__ == "__main__":
    main()
