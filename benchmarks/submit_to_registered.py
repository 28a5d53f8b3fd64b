"""N clean S.A.S. applications through a real Celery worker, with every registry answering in
200 ms: p50 and p95 seconds from submission to registered, and applications per minute.

    python benchmarks/submit_to_registered.py [--applications 10] [--latency-ms 200]

Uses CELERY_BROKER_URL and DATABASE_URL when set (Redis, PostgreSQL); otherwise the zero-setup
defaults (filesystem broker, SQLite in a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from _django import ROOT, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    args = parser.parse_args()
    workdir = setup()
    from django.utils import timezone

    from companies import tasks, workflow
    from companies.models import Application, ApplicationEvent
    from sandbox.world import build_emulator
    from tests.factories import EntrepreneurFactory, complete_application
    from xroad_client.emulator import FaultSpec, serve_in_thread

    emulator = build_emulator()
    for service in emulator.topology.services:
        emulator.inject_fault(service.id, FaultSpec(latency_ms=args.latency_ms))
    with serve_in_thread(emulator) as url:
        env = os.environ | {"XROAD_SECURITY_SERVER_URL": url, "VAR_DIR": str(workdir)}
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            filer = EntrepreneurFactory()
            applications = [complete_application(filer) for _ in range(args.applications)]
            started = time.perf_counter()
            for application in applications:
                workflow._transition(application.pk, "send_for_signatures")
                workflow._transition(
                    application.pk,
                    "submit",
                    fields={"submitted_at": timezone.now()},
                    after_commit=lambda a: tasks.process_application.delay(a.pk),
                )
            ids = [a.pk for a in applications]
            deadline = time.monotonic() + 60 + args.applications * 10
            while Application.objects.filter(pk__in=ids, status="registered").count() < len(ids):
                if time.monotonic() > deadline:
                    raise SystemExit("not every application was registered in time")
                time.sleep(0.2)
            wall = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    durations = []
    for application in Application.objects.filter(pk__in=ids):
        registered = ApplicationEvent.objects.get(
            application=application, verb="register"
        ).created_at
        durations.append((registered - application.submitted_at).total_seconds())
    durations.sort()
    p95 = durations[min(len(durations) - 1, round(0.95 * (len(durations) - 1)))]
    print(
        f"{len(ids)} clean S.A.S., registries answering in {args.latency_ms:.0f} ms, one worker (solo pool)"
    )
    print(
        f"  submission -> registered   p50 {statistics.median(durations):6.2f} s   p95 {p95:6.2f} s"
    )
    print(f"  throughput                 {len(ids) / wall * 60:6.1f} applications per minute")


if __name__ == "__main__":
    main()
