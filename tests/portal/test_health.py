import pytest
from django.test import Client

from portal.celery import app as celery_app


def test_healthz_says_the_process_is_alive(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_and_broker(client: Client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_broker_cannot_be_reached(client: Client, monkeypatch):
    dead_broker = celery_app.connection_for_write(url="redis://127.0.0.1:9/0")
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: dead_broker)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unreachable"
    assert response.json()["checks"]["database"] == "ok"
