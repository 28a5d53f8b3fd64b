"""The Celery application: reliable delivery first.

Late acks with reject-on-worker-lost and a prefetch of one mean a task whose worker dies is
delivered again rather than lost, so every task must be safe to run twice (tasks check what is
already done). Tasks are enqueued only after the surrounding transaction commits
(``delay_on_commit``, Celery's Django task class). JSON only; soft and hard time limits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")

# A broker that does not answer must not hold a request (or a task) for long: the outbox keeps
# what could not be sent and the relay sends it later.
BROKER_CONNECT_TIMEOUT = 3.0


def beat_schedule() -> dict[str, dict[str, Any]]:
    """What beat runs. Names come from the task objects, so a renamed task fails here; built
    when the app is finalised (beat and workers load Django's apps first: the task modules
    need them)."""
    from django.conf import settings

    from companies import tasks as work
    from portal import tasks as shell

    return {
        "worker-heartbeat": {
            "task": shell.record_heartbeat.name,
            "schedule": 60.0,
            "args": ("beat",),
        },
        "clear-expired-sessions": {
            "task": shell.clear_expired_sessions.name,
            "schedule": crontab(hour="3", minute="17"),
        },
        "relay-outbox": {
            "task": work.relay_outbox.name,
            "schedule": float(settings.BEAT_RELAY_OUTBOX_SECONDS),
        },
        "purge-sent-outbox": {
            "task": work.purge_outbox.name,
            "schedule": crontab(hour="3", minute="41"),
        },
        "redrive-stuck-applications": {
            "task": work.redrive_stuck_applications.name,
            "schedule": float(settings.BEAT_REDRIVE_SECONDS),
        },
        "watch-service-level": {
            "task": work.watch_service_level.name,
            "schedule": float(settings.BEAT_SERVICE_LEVEL_SECONDS),
        },
        "expire-name-reservations": {
            "task": work.expire_name_reservations.name,
            "schedule": float(settings.BEAT_EXPIRE_RESERVATIONS_SECONDS),
        },
        "check-waiting-signatures": {
            "task": work.check_waiting_signatures.name,
            "schedule": float(settings.BEAT_CHECK_SIGNATURES_SECONDS),
        },
        # Filings whose effective date has come; each registered once (``lifecycle.filings``).
        "apply-due-filings": {
            "task": work.apply_due_filings.name,
            "schedule": float(settings.BEAT_APPLY_DUE_FILINGS_SECONDS),
        },
        "ingest-agency-request-log": {
            "task": work.ingest_request_log.name,
            "schedule": float(settings.BEAT_INGEST_REQUEST_LOG_SECONDS),
        },
        "push-changes-to-subscribers": {
            "task": work.push_changes.name,
            "schedule": float(settings.BEAT_PUSH_CHANGES_SECONDS),
        },
    }


def broker_transport_options(
    broker_url: str, broker_folder: Path, visibility_timeout: int = 3600
) -> dict[str, Any]:
    if broker_url.startswith("filesystem://"):
        queue = broker_folder / "queue"
        processed = broker_folder / "processed"
        control = broker_folder / "control"
        for folder in (queue, processed, control):
            folder.mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "control_folder": str(control),
            "store_processed": False,
        }
    # Redis: a task held unacknowledged (acks_late, countdowns of retries) must not be
    # redelivered while a worker still holds it; a connection attempt gives up in a few seconds.
    return {
        "visibility_timeout": visibility_timeout,
        "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
    }


def configure(celery_app: Celery) -> None:
    from django.conf import settings

    celery_app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
        task_time_limit=settings.CELERY_TASK_TIME_LIMIT,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=BROKER_CONNECT_TIMEOUT,
        broker_transport_options=broker_transport_options(
            settings.CELERY_BROKER_URL,
            settings.CELERY_BROKER_FOLDER,
            settings.CELERY_VISIBILITY_TIMEOUT,
        ),
        worker_hijack_root_logger=False,
        timezone=settings.TIME_ZONE,
    )


configure(app)
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_periodic_work(sender: Celery, **kwargs: Any) -> None:
    sender.conf.beat_schedule = beat_schedule()


@signals.before_task_publish.connect
def _carry_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    from portal.logging import request_id_var

    if headers is not None and request_id_var.get():
        headers["request_id"] = request_id_var.get()


@signals.task_prerun.connect
def _restore_request_id(task: Any = None, **kwargs: Any) -> None:
    from portal.logging import request_id_var

    request_id_var.set(getattr(task.request, "request_id", None) if task else None)


# Metrics (portal/metrics.py): every task's outcome and duration, and the worker's own endpoint.
@signals.task_prerun.connect
def _time_task(**kwargs: Any) -> None:
    from portal import metrics

    metrics.task_started(**kwargs)


@signals.task_postrun.connect
def _count_task(**kwargs: Any) -> None:
    from portal import metrics

    metrics.task_finished(**kwargs)


@signals.task_failure.connect
def _count_failure(**kwargs: Any) -> None:
    from portal import metrics

    metrics.task_failed(**kwargs)


@signals.task_retry.connect
def _count_retry(**kwargs: Any) -> None:
    from portal import metrics

    metrics.task_retried(**kwargs)


@signals.worker_ready.connect
def _serve_metrics(**kwargs: Any) -> None:
    from django.conf import settings

    from portal import metrics

    if settings.METRICS_WORKER_PORT:
        metrics.serve_worker_metrics(settings.METRICS_WORKER_PORT)
