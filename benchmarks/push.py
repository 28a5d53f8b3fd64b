"""Changes pushed to a subscribed agency over X-Road, against the agency reading the pull feed,
in one run: changes per second delivered, and the lag from a company's registration to the
agency having it, p50 and p99.

    python benchmarks/push.py [--changes 200] [--rate 20] [--backlog 500] [--poll 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/e24_bench CELERY_BROKER_URL=redis://... \
        python benchmarks/push.py

The sandbox's X-Road emulator serves the subscriber (``sandbox/subscriber.py``) and, as the
provider ``MX-DEV/GOV/QRO-SEDESU/registro``, the portal's agency API, which this process
serves over HTTP on a loopback port. One real Celery worker (``tests/workers.py``) pushes.

1. Live: ``--changes`` companies are registered at ``--rate`` a second (each its entry and its
   change, one transaction, as registration writes them). The push goes outbox → broker →
   worker → X-Road → subscriber; meanwhile an agency polls the feed over X-Road every
   ``--poll`` seconds. Lag = when the agency has the change − when the change was written.
2. Backlog: ``--backlog`` changes written while the subscription is off, then turned on: how
   many a second one worker pushes, one at a time and in order; and how many a second the
   agency reads from the feed, 500 a page.

Without DATABASE_URL it runs on a throw-away SQLite file and the filesystem broker (the
figures meant are PostgreSQL's and Redis's). Use a database you can throw away.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from itertools import count
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from _django import ROOT, setup

AGENCY = "MX-DEV/GOV/SAT/padron"
FEED = "MX-DEV/GOV/QRO-SEDESU/registro/cambios"
numbers = count(1)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        threading.Thread(target=self._serve, args=(request, client_address), daemon=True).start()

    def _serve(self, request, client_address):  # type: ignore[no-untyped-def]
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def serve_portal() -> str:
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        0,
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def register_one(legal_form: object, prefix: str) -> None:
    from django.db import transaction
    from django.utils import timezone

    from companies.models import Company
    from companies.register.changes import record_change

    n = next(numbers)
    with transaction.atomic():
        company = Company.objects.create(
            registration_number=f"{prefix}-{n:06d}",
            name=f"Empresa de prueba {n}, S.A.S.",
            normalised_name=f"EMPRESA DE PRUEBA {n}",
            legal_form=legal_form,
            registered_at=timezone.now(),
        )
        record_change(company, "registered")


@dataclass
class Poller:
    """An agency reading the pull feed over X-Road every ``every`` seconds."""

    client: object
    after: int
    every: float
    seen: dict[int, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def read_all(self, *, limit: int = 100) -> int:
        read = 0
        while True:
            response = self.client.get(FEED, params={"after": self.after, "limit": limit})  # type: ignore[attr-defined]
            page = response.json()
            now = time.time()
            for item in page["items"]:
                self.seen.setdefault(item["cursor"], now)
            read += len(page["items"])
            self.after = page["next"]
            if not page["has_more"]:
                return read

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.read_all()


def quantile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--backlog", type=int, default=500)
    parser.add_argument("--poll", type=float, default=5.0)
    args = parser.parse_args()
    workdir = setup()
    sys.path.insert(0, str(ROOT))
    from django.conf import settings
    from django.db import transaction

    from companies import jobs, outbox
    from companies.models import AgencyAccess, AgencySubscription, LegalForm, RegisterChange
    from sandbox.catalogue import SUBSCRIBER
    from sandbox.register_api import register_in_emulator
    from sandbox.subscriber import subscriber_in
    from sandbox.world import build_emulator
    from tests.workers import start_worker, wait_for_ping
    from xroad_client import XRoadClient
    from xroad_client.emulator import serve_in_thread

    AgencyAccess.objects.get_or_create(client=AGENCY, service="cambios")
    latest = RegisterChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    AgencySubscription.objects.filter(client=AGENCY, service=SUBSCRIBER.service_id).delete()
    subscription = AgencySubscription.objects.create(
        client=AGENCY, service=SUBSCRIBER.service_id, path="/v1/cambios", cursor=latest
    )
    legal_form = LegalForm.objects.get(code="sas")
    prefix = f"B{int(time.time()) % 100000:05d}"
    portal = serve_portal()
    emulator = build_emulator()
    register_in_emulator(emulator.topology, f"{portal}/api/v1")
    subscriber = subscriber_in(emulator.topology, SUBSCRIBER.service_id)
    with serve_in_thread(emulator) as url:
        env = {"XROAD_SECURITY_SERVER_URL": url, "VAR_DIR": str(workdir), "LOG_LEVEL": "warning"}
        worker = start_worker(env=env)
        try:
            if not settings.CELERY_BROKER_URL.startswith("filesystem"):
                wait_for_ping(worker)
            else:
                time.sleep(8)
            agency = XRoadClient(url, AGENCY)
            poller = Poller(agency, after=latest, every=args.poll)
            poller.read_all()  # the portal's first request loads its URLs and the API
            # 1. live
            polling = threading.Thread(target=poller.run, daemon=True)
            polling.start()
            started = time.monotonic()
            for i in range(args.changes):
                time.sleep(max(0.0, started + i / args.rate - time.monotonic()))
                register_one(legal_form, prefix)
            live = list(
                RegisterChange.objects.filter(pk__gt=latest).values_list("pk", "created_at")
            )
            deadline = time.monotonic() + 120
            while len(subscriber.changes) < len(live) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(args.poll + 1)
            poller.stop.set()
            polling.join()
            received = {r.cursor: r.received_at for r in subscriber.changes}
            push_lag = [received[pk] - at.timestamp() for pk, at in live if pk in received]
            pull_lag = [poller.seen[pk] - at.timestamp() for pk, at in live if pk in poller.seen]
            in_order = [r.cursor for r in subscriber.changes] == sorted(received)
            # 2. backlog
            AgencySubscription.objects.filter(pk=subscription.pk).update(active=False)
            before = max(pk for pk, _at in live)
            for _ in range(args.backlog):
                register_one(legal_form, prefix)
            subscriber.reset()
            AgencySubscription.objects.filter(pk=subscription.pk).update(active=True)
            pushed_from = time.monotonic()
            with transaction.atomic():
                outbox.enqueue(jobs.push_to_subscriber(subscription.pk))
            deadline = time.monotonic() + 600
            while len(subscriber.changes) < args.backlog and time.monotonic() < deadline:
                time.sleep(0.02)
            push_seconds = time.monotonic() - pushed_from
            pushed = len(subscriber.changes)
            reader = Poller(agency, after=before, every=0)
            read_from = time.monotonic()
            pulled = reader.read_all(limit=500)
            pull_seconds = time.monotonic() - read_from
        finally:
            worker.terminate()
            worker.wait(30)
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split(":")[0]
    print(
        f"{vendor} + {broker}, one worker; {args.changes} companies at {args.rate:g}/s, "
        f"feed polled every {args.poll:g} s"
    )
    print(
        f"live, push: {len(push_lag)}/{len(live)} delivered, in order: {in_order}, "
        f"lag p50 {quantile(push_lag, 50) * 1000:.0f} ms, p99 {quantile(push_lag, 99) * 1000:.0f} ms"
    )
    print(
        f"live, pull: {len(pull_lag)}/{len(live)} read, "
        f"lag p50 {quantile(pull_lag, 50) * 1000:.0f} ms, p99 {quantile(pull_lag, 99) * 1000:.0f} ms"
    )
    push_rate, pull_rate = pushed / push_seconds, pulled / pull_seconds
    print(
        f"backlog of {args.backlog}: pushed {pushed} in {push_seconds:.1f} s ({push_rate:.0f}/s), "
        f"read from the feed {pulled} in {pull_seconds:.2f} s ({pull_rate:.0f}/s)"
    )
    ratio = quantile(pull_lag, 50) / quantile(push_lag, 50)
    print(
        f"HEADLINE push_lag {ratio:.1f} x lower p50 lag than polling the feed every {args.poll:g} s "
        f"(push p50 {quantile(push_lag, 50) * 1000:.0f} ms)"
    )
    print(
        f"HEADLINE push_rate {push_rate / pull_rate:.2f} x the feed's read rate, changes/s "
        f"({push_rate:.0f}/s pushed one at a time)"
    )
    os.environ.pop("XROAD_SECURITY_SERVER_URL", None)


if __name__ == "__main__":
    main()
