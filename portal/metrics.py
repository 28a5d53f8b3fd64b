"""Prometheus metrics: what each process counts, and what /metrics reads at scrape time.

Labels are bounded: a request is counted under its view's name (``companies:dashboard``), never
its path; a task under its registered name; a registry call under the service's short name
(``population``, ``tax``...) and ``ok`` (2xx/3xx), ``client_error`` (4xx, such as a CURP not
found) or ``unavailable`` (transport error, X-Road fault, 5xx).

A process counts in its own memory. Gunicorn and Celery's prefork pool run several processes,
so in production ``PROMETHEUS_MULTIPROC_DIR`` names an empty folder per host (the systemd units
in deploy/ create it at start): each process writes its samples there and a scrape adds them up.
The backlog (outbox, applications per status, the oldest unregistered application) is read from
the database when scraped, by ``Backlog``: two small queries, whichever process answers.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"

REQUESTS = Counter(
    "empresa24_http_requests",
    "HTTP requests answered, by view name, method and status code.",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "empresa24_http_request_duration_seconds",
    "Time to answer a request, by view name.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = Counter(
    "empresa24_celery_tasks",
    "Celery tasks finished, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "empresa24_celery_task_duration_seconds",
    "Time a task ran, by task name.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)
REGISTRY_CALLS = Counter(
    "empresa24_registry_calls",
    "Registry calls over X-Road, by service and outcome (ok, client_error, unavailable).",
    ["service", "outcome"],
)


# -- web requests ---------------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Counts each request under its resolved view name, with its latency."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match is not None else "") or UNMATCHED
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(view).observe(time.perf_counter() - started)
        return response


# -- Celery (connected in portal/celery.py) ---------------------------------------------------

_started: dict[str, float] = {}


def task_started(task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    started = _started.pop(task_id or "", None)
    name = getattr(task, "name", None) or "unknown"
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)
    if state == "SUCCESS":
        TASKS.labels(name, "success").inc()


def task_failed(sender: Any = None, **kwargs: Any) -> None:
    TASKS.labels(getattr(sender, "name", None) or "unknown", "failure").inc()


def task_retried(sender: Any = None, **kwargs: Any) -> None:
    TASKS.labels(getattr(sender, "name", None) or "unknown", "retry").inc()


def serve_worker_metrics(port: int) -> None:
    """A small HTTP server in the worker's main process (METRICS_WORKER_PORT), reading the
    samples of its pool processes when PROMETHEUS_MULTIPROC_DIR is set."""
    start_http_server(port, registry=process_registry())


# -- registry calls (counted in companies/registries.py) --------------------------------------


def registry_call(service: str, outcome: str) -> None:
    REGISTRY_CALLS.labels(service, outcome).inc()


# -- read at scrape time ----------------------------------------------------------------------


class Backlog(Collector):
    """The work waiting, read from the database when scraped: outbox messages not yet sent
    (its ``sent_at, created_at`` index), applications per open status (the running tallies,
    ``companies.counters``), and the age of the oldest application waiting on the registry."""

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Sum

        from companies.models import ApplicationTally, OutboxMessage

        outbox = GaugeMetricFamily(
            "empresa24_outbox_unsent", "Outbox messages the broker has not taken yet."
        )
        outbox.add_metric([], OutboxMessage.objects.filter(sent_at__isnull=True).count())
        yield outbox
        waiting = GaugeMetricFamily(
            "empresa24_applications_waiting", "Open applications per status.", labels=["status"]
        )
        per_status = ApplicationTally.objects.values("status").annotate(n=Sum("count"))
        for row in per_status.order_by("status"):
            waiting.add_metric([row["status"]], row["n"] or 0)
        yield waiting
        oldest = _oldest_waiting_on_the_registry()
        age = GaugeMetricFamily(
            "empresa24_oldest_unregistered_application_seconds",
            "Seconds since the oldest application waiting on the registry (in the clerks' queue "
            "or approved) was first submitted (0: none).",
        )
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield age


def _oldest_waiting_on_the_registry() -> datetime | None:
    """The first submission of the oldest application in the clerks' queue or approved and not
    yet registered: the first row of the queue's partial index (``application_queue_order``),
    and the few approved ones through the status index, never the registered history. Drafts
    and applications awaiting signatures are the applicant's time, not the registry's."""
    from django.db.models import Min

    from companies.models import QUEUE_STATUSES, Application, ApplicationStatus

    queued = (
        Application.objects.filter(status__in=QUEUE_STATUSES, first_submitted_at__isnull=False)
        .order_by("first_submitted_at", "id")
        .values_list("first_submitted_at", flat=True)
        .first()
    )
    approved = Application.objects.filter(status=ApplicationStatus.APPROVED).aggregate(
        at=Min("first_submitted_at")
    )["at"]
    found = [moment for moment in (queued, approved) if moment is not None]
    return min(found) if found else None


_backlog = CollectorRegistry(auto_describe=False)
_backlog.register(Backlog())


def process_registry() -> CollectorRegistry:
    """This process's metrics, or every process's on this host in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _authorized(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """/metrics: only with ``Authorization: Bearer $METRICS_TOKEN``; without a token configured
    the page does not exist (404), nor for a caller with the wrong one."""
    if not _authorized(request):
        raise Http404
    body = generate_latest(process_registry()) + generate_latest(_backlog)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
