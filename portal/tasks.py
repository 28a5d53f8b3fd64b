from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from portal import services


@shared_task
def record_heartbeat(source: str) -> None:
    services.record_heartbeat(source=source)


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
