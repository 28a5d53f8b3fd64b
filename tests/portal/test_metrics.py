"""Prometheus metrics: counters that move, a protected /metrics, gauges read when scraped."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client import REGISTRY

from companies import registries
from companies.models import OutboxMessage
from portal import tasks
from tests.factories import ApplicationFactory, in_review
from xroad_client.emulator import FaultSpec

TOKEN = "scrape-token-for-tests"
POPULATION = "MX-DEV/GOV/RENAPO/poblacion/personas"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: Client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_a_request_is_counted_under_its_view_name_not_its_path(client: Client):
    labels = {"view": "healthz", "method": "GET", "status": "200"}
    before = sample("empresa24_http_requests_total", **labels)
    timed = sample("empresa24_http_request_duration_seconds_count", view="healthz")
    client.get("/healthz")
    assert sample("empresa24_http_requests_total", **labels) == before + 1
    assert sample("empresa24_http_request_duration_seconds_count", view="healthz") == timed + 1


def test_an_unknown_path_is_counted_as_unmatched(client: Client):
    labels = {"view": "<unmatched>", "method": "GET", "status": "404"}
    before = sample("empresa24_http_requests_total", **labels)
    client.get("/no-such-page-123")
    client.get("/another-missing-page")
    assert sample("empresa24_http_requests_total", **labels) == before + 2


@pytest.mark.django_db
def test_metrics_is_not_found_without_a_configured_token(client: Client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.django_db
def test_metrics_refuses_a_missing_or_wrong_token(client: Client, token):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert "empresa24_http_requests_total" in scrape(client)


def test_production_without_a_token_has_no_metrics_page():
    from tests.portal.test_settings_startup import PRODUCTION, _manage

    ask = (
        "from django.http import Http404\n"
        "from django.test import RequestFactory\n"
        "from portal.metrics import metrics_view\n"
        "try:\n"
        "    metrics_view(RequestFactory().get('/metrics', HTTP_AUTHORIZATION='Bearer '))\n"
        "    print('open')\n"
        "except Http404:\n"
        "    print('404')\n"
    )
    result = _manage("shell", "-c", ask, **PRODUCTION, METRICS_TOKEN="")
    assert result.stdout.strip().splitlines()[-1] == "404", result.stderr[-2000:]


@pytest.mark.django_db
def test_a_task_is_counted_with_its_outcome():
    name = tasks.record_heartbeat.name
    before = sample("empresa24_celery_tasks_total", task=name, outcome="success")
    tasks.record_heartbeat.apply(args=("metrics-test",))
    assert sample("empresa24_celery_tasks_total", task=name, outcome="success") == before + 1
    assert sample("empresa24_celery_task_duration_seconds_count", task=name) >= 1


@pytest.mark.django_db
def test_registry_calls_are_counted_per_service_and_outcome(xroad_sandbox):
    ok = sample("empresa24_registry_calls_total", service="population", outcome="ok")
    down = sample("empresa24_registry_calls_total", service="population", outcome="unavailable")
    registries.check_person("RAOA900514MQTMLN01")
    xroad_sandbox.inject_fault(POPULATION, FaultSpec(down=True))
    registries.check_person("RAOA900514MQTMLN01")
    assert sample("empresa24_registry_calls_total", service="population", outcome="ok") == ok + 1
    assert (
        sample("empresa24_registry_calls_total", service="population", outcome="unavailable")
        == down + 1
    )


@pytest.mark.django_db
def test_the_backlog_gauges_read_the_database_when_scraped(client: Client, token, applicant):
    text = scrape(client)
    assert "empresa24_outbox_unsent 0.0" in text
    assert "empresa24_oldest_unregistered_application_seconds 0.0" in text
    OutboxMessage.objects.create(task="companies.tasks.process_application", args=[1])
    OutboxMessage.objects.create(task="x", args=[], sent_at=timezone.now())
    waiting = in_review(applicant)
    waiting.__class__.objects.filter(pk=waiting.pk).update(
        first_submitted_at=timezone.now() - timedelta(hours=3)
    )
    ApplicationFactory(status="registered", first_submitted_at=timezone.now() - timedelta(days=9))
    # Back with the applicant after changes: their time, not the registry's.
    ApplicationFactory(status="draft", first_submitted_at=timezone.now() - timedelta(days=5))
    text = scrape(client)
    assert "empresa24_outbox_unsent 1.0" in text
    assert 'empresa24_applications_waiting{status="in_review"} 1.0' in text
    line = next(row for row in text.splitlines() if row.startswith("empresa24_oldest_unregistered"))
    assert 3 * 3600 <= float(line.split()[1]) < 3 * 3600 + 60


@pytest.mark.django_db
def test_in_multiprocess_mode_a_scrape_reads_the_hosts_sample_files(
    client: Client, token, monkeypatch, tmp_path
):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    from prometheus_client import values
    from prometheus_client.core import Counter as FileCounter

    # What another gunicorn process of the host wrote to the shared folder.
    monkeypatch.setattr(
        values, "ValueClass", values.MultiProcessValue(process_identifier=lambda: 4242)
    )
    other = FileCounter("empresa24_test_other_process", "x", registry=None)
    other.inc(3)
    text = scrape(client)
    assert "empresa24_test_other_process_total 3.0" in text
    assert "empresa24_outbox_unsent" in text


@pytest.mark.django_db
def test_an_approved_application_not_yet_registered_counts_as_waiting(client: Client, token):
    ApplicationFactory(status="approved", first_submitted_at=timezone.now() - timedelta(hours=30))
    line = next(
        row
        for row in scrape(client).splitlines()
        if row.startswith("empresa24_oldest_unregistered")
    )
    assert 30 * 3600 <= float(line.split()[1]) < 30 * 3600 + 60
