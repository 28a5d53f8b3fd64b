"""N clean S.A.S. applications through a real Celery worker, with every registry answering in
200 ms: p50 and p95 seconds from submission to registered, and applications per minute.

    python benchmarks/submit_to_registered.py [--applications 10] [--latency-ms 200]

Uses CELERY_BROKER_URL and DATABASE_URL when set (Redis, PostgreSQL); otherwise the zero-setup
defaults (filesystem broker, SQLite in a temporary folder).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from _django import setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    args = parser.parse_args()
    workdir = setup()
    from companies.models import Application, ApplicationEvent
    from sandbox.world import build_emulator
    from tests import workers
    from tests.factories import EntrepreneurFactory, complete_application, submit_for_processing
    from xroad_client.emulator import FaultSpec, serve_in_thread

    emulator = build_emulator()
    for service in emulator.topology.services:
        emulator.inject_fault(service.id, FaultSpec(latency_ms=args.latency_ms))
    with serve_in_thread(emulator) as url:
        env = {"XROAD_SECURITY_SERVER_URL": url, "VAR_DIR": str(workdir)}
        # No ping: the default filesystem broker cannot broadcast; the first task waits for it.
        worker = workers.start_worker(env=env, output=subprocess.DEVNULL)
        try:
            filer = EntrepreneurFactory()
            applications = [complete_application(filer) for _ in range(args.applications)]
            started = time.perf_counter()
            for application in applications:
                submit_for_processing(application)
            ids = [a.pk for a in applications]
            deadline = 60 + args.applications * 10
            if not workers.wait_until(
                lambda: (
                    Application.objects.filter(pk__in=ids, status="registered").count() == len(ids)
                ),
                timeout_s=deadline,
            ):
                raise SystemExit("not every application was registered in time")
            wall = time.perf_counter() - started
        finally:
            workers.stop([worker], timeout_s=20)
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
    print(f"HEADLINE submit_to_registered {statistics.median(durations):.2f} s to registered, p50")


if __name__ == "__main__":
    main()
