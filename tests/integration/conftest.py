"""Real Celery worker processes on the real broker, sharing the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
Worker = subprocess.Popen[bytes]


def _database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def real_services() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("integration tests need PostgreSQL: set DATABASE_URL=postgres://...")
    if not celery_app.conf.broker_url.startswith(("redis://", "amqp://", "pyamqp://")):
        skip_or_fail("integration tests need Redis or RabbitMQ: set CELERY_BROKER_URL")


@pytest.fixture
def start_worker(real_services: None, transactional_db: None) -> Iterator[Callable[..., Worker]]:
    """Start `celery worker` processes on the test database; stopped at the end of the test."""
    celery_app.control.purge()
    workers: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        environment = os.environ | {
            "DATABASE_URL": _database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "SEAL_KEY_PATH": str(settings.SEAL_KEY_PATH),
            "SEAL_CERT_PATH": str(settings.SEAL_CERT_PATH),
            "STORAGE_ROOT": str(settings.MEDIA_ROOT),
            "SEAL_TSA_URL": "off",
            **extra_env,
        }
        name = f"test-{os.getpid()}-{len(workers)}@%h"
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
                "-n",
                name,
            ],
            cwd=ROOT,
            env=environment,
        )
        workers.append(worker)
        _wait_for_ping(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


@pytest.fixture
def celery_worker(start_worker: Callable[..., Worker]) -> Worker:
    return start_worker()


def _wait_for_ping(worker: Worker, deadline_s: float = 60.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited with code {worker.returncode}")
        if celery_app.control.ping(timeout=0.5):
            return
    pytest.fail("the Celery worker did not answer within a minute")


def wait_until(predicate, timeout_s: float = 30.0, interval_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return False
