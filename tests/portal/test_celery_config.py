import pytest
from django.db import transaction

from portal import tasks
from portal.celery import BEAT_SCHEDULE
from portal.celery import app as celery_app
from portal.models import WorkerHeartbeat


def test_delivery_is_reliable_and_json_only():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


def test_beat_schedule_is_in_code_and_names_real_tasks():
    celery_app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks


@pytest.mark.django_db(transaction=True)
def test_tasks_are_sent_only_after_the_transaction_commits(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.record_heartbeat, "apply_async", lambda *a, **k: sent.append(a))
    with transaction.atomic():
        tasks.record_heartbeat.delay_on_commit("test")
        assert sent == []
    assert sent == [(("test",), {})]
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.record_heartbeat.delay_on_commit("rolled-back")
        raise RuntimeError
    assert len(sent) == 1


@pytest.mark.django_db
def test_heartbeat_task_is_idempotent_per_source():
    tasks.record_heartbeat("beat")
    tasks.record_heartbeat("beat")
    assert WorkerHeartbeat.objects.get(source="beat").runs == 2
