"""The transactional outbox: tasks recorded with the change that needs them, sent after commit.

``enqueue`` writes a row in the caller's transaction and asks for a send once it commits. If the
broker is unreachable then, the row stays unsent and ``relay_pending`` (a periodic task) sends it
later. A message may be sent twice (sent, then the mark failed): every task is idempotent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from companies.models import OutboxMessage
from portal.celery import app as celery_app

log = logging.getLogger(__name__)

# One quick retry, then the row waits for the relay: a request that committed does not wait on a
# broker that is down (each attempt also gives up on connecting after BROKER_CONNECT_TIMEOUT).
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def enqueue(*messages: tuple[str, list[Any]]) -> list[int]:
    """Record the messages in the current transaction; send them once it commits."""
    ids = [OutboxMessage.objects.create(task=task, args=args).pk for task, args in messages]
    transaction.on_commit(lambda: relay(ids))
    return ids


def relay(ids: list[int]) -> int:
    sent = 0
    for message in OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).order_by("pk"):
        try:
            celery_app.send_task(message.task, args=message.args, retry_policy=PUBLISH_RETRY_POLICY)
        except (OperationalError, OSError) as error:
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, last_error=repr(error)[:500]
            )
            log.warning("outbox: broker unavailable, will retry", extra={"task": message.task})
            break
        OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
        sent += 1
    return sent


def relay_pending(*, limit: int = 500) -> int:
    ids = list(
        OutboxMessage.objects.filter(sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return relay(ids) if ids else 0


def withdraw(*, application_id: int) -> int:
    """Take back the messages about one application that are not sent yet (every task about an
    application takes its id first); those recorded in the current transaction are never sent.
    Returns how many were taken back."""
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True, args__0=application_id)
    deleted, _by_model = waiting.delete()
    return deleted


def purge_sent(*, keep: timedelta, now: datetime | None = None) -> int:
    """Delete the messages sent longer than ``keep`` ago: the outbox is a queue, not an archive
    (what happened to an application is in its events). Unsent messages are never purged,
    however old. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - keep
    deleted, _by_model = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
