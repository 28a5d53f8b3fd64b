import inspect

import pytest
from celery import Task
from django.db import transaction

from companies import tasks as company_tasks
from portal import tasks
from portal.celery import app as celery_app
from portal.celery import beat_schedule, broker_transport_options
from portal.models import WorkerHeartbeat

PERIODIC_SECTION = "# -- periodic"


def test_delivery_is_reliable_and_json_only():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


def test_a_broker_that_does_not_answer_is_given_up_on_within_seconds(tmp_path):
    # Otherwise the request that committed waits minutes for the operating system's timeout.
    options = broker_transport_options("redis://broker.invalid:6379/0", tmp_path)
    assert 0 < options["socket_connect_timeout"] <= 5
    assert 0 < celery_app.conf.broker_connection_timeout <= 5


def test_beat_schedule_is_in_code_and_names_real_tasks():
    celery_app.loader.import_default_modules()
    assert celery_app.conf.beat_schedule == beat_schedule()
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks


def _company_tasks_by_line() -> list[tuple[int, Task]]:
    found = [
        (inspect.getsourcelines(task.__wrapped__)[1], task)
        for task in vars(company_tasks).values()
        if isinstance(task, Task)
    ]
    assert found, "companies.tasks defines Celery tasks"
    return sorted(found, key=lambda pair: pair[0])


def test_every_periodic_task_of_companies_is_in_the_beat_schedule():
    lines = inspect.getsource(company_tasks).splitlines()
    section = next(n for n, line in enumerate(lines, 1) if line.startswith(PERIODIC_SECTION))
    periodic = [task.name for line, task in _company_tasks_by_line() if line > section]
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert len(periodic) >= 6
    assert set(periodic) <= scheduled, f"not in the beat schedule: {set(periodic) - scheduled}"


def test_a_task_that_takes_nothing_is_in_the_periodic_section():
    # Only beat starts a task with no arguments; one above the section would escape the test above.
    lines = inspect.getsource(company_tasks).splitlines()
    section = next(n for n, line in enumerate(lines, 1) if line.startswith(PERIODIC_SECTION))
    for line, task in _company_tasks_by_line():
        parameters = set(inspect.signature(task.__wrapped__).parameters) - {"self"}
        assert parameters or line > section, f"{task.name} takes nothing: is it periodic?"


def test_beat_intervals_are_the_settings(settings):
    settings.BEAT_RELAY_OUTBOX_SECONDS = 7
    settings.BEAT_REDRIVE_SECONDS = 120
    settings.BEAT_SERVICE_LEVEL_SECONDS = 45
    settings.BEAT_EXPIRE_RESERVATIONS_SECONDS = 1800
    settings.BEAT_CHECK_SIGNATURES_SECONDS = 90
    settings.BEAT_INGEST_REQUEST_LOG_SECONDS = 4
    settings.BEAT_PUSH_CHANGES_SECONDS = 12
    settings.BEAT_APPLY_DUE_FILINGS_SECONDS = 600
    every = {key: entry["schedule"] for key, entry in beat_schedule().items()}
    assert every["relay-outbox"] == 7.0
    assert every["redrive-stuck-applications"] == 120.0
    assert every["watch-service-level"] == 45.0
    assert every["expire-name-reservations"] == 1800.0
    assert every["check-waiting-signatures"] == 90.0
    assert every["ingest-agency-request-log"] == 4.0
    assert every["push-changes-to-subscribers"] == 12.0
    assert every["apply-due-filings"] == 600.0


def test_beat_ingests_the_agency_request_log():
    entry = beat_schedule()["ingest-agency-request-log"]
    assert (
        entry["task"]
        == company_tasks.ingest_request_log.name
        == "companies.tasks.ingest_request_log"
    )


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
