"""The outbox is a queue, not an archive: sent messages are purged after OUTBOX_KEEP_DAYS, never
the ones still waiting for the broker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from companies import jobs, outbox, tasks
from companies.models import OutboxMessage
from portal.celery import beat_schedule

pytestmark = pytest.mark.django_db


def message(*, sent_days_ago: float | None, created_days_ago: float = 30) -> OutboxMessage:
    now = timezone.now()
    row = OutboxMessage.objects.create(task=jobs.PROCESS_APPLICATION, args=[1])
    sent = None if sent_days_ago is None else now - timedelta(days=sent_days_ago)
    OutboxMessage.objects.filter(pk=row.pk).update(
        sent_at=sent, created_at=now - timedelta(days=created_days_ago)
    )
    return row


def test_sent_messages_older_than_the_setting_are_purged_and_waiting_ones_never(settings):
    settings.OUTBOX_KEEP_DAYS = 7
    old_sent = message(sent_days_ago=8)
    recent_sent = message(sent_days_ago=6)
    never_sent = message(sent_days_ago=None, created_days_ago=400)
    assert tasks.purge_outbox() == 1
    remaining = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert remaining == {recent_sent.pk, never_sent.pk}
    assert old_sent.pk not in remaining


def test_the_keep_period_is_the_setting(settings):
    message(sent_days_ago=2)
    settings.OUTBOX_KEEP_DAYS = 3
    assert tasks.purge_outbox() == 0
    settings.OUTBOX_KEEP_DAYS = 1
    assert tasks.purge_outbox() == 1


def test_the_purge_runs_every_night():
    entry = beat_schedule()["purge-sent-outbox"]
    assert entry["task"] == jobs.PURGE_OUTBOX
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {41})


def test_purging_an_empty_outbox_is_harmless():
    assert outbox.purge_sent(keep=timedelta(days=7)) == 0
