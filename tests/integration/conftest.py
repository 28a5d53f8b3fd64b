"""Real Celery worker and beat processes on the real broker, sharing the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from tests import workers
from tests.conftest import skip_or_fail

REDIS_SERVER = Path("/usr/bin/redis-server")
Worker = workers.Process


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


def _environment(extra_env: dict[str, str]) -> dict[str, str]:
    """A worker's or beat's environment: the test's database, seal and storage."""
    return {
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "SEAL_KEY_PATH": str(settings.SEAL_KEY_PATH),
        "SEAL_CERT_PATH": str(settings.SEAL_CERT_PATH),
        "STORAGE_ROOT": str(settings.MEDIA_ROOT),
        "SEAL_TSA_URL": "off",
        **extra_env,
    }


@pytest.fixture
def start_worker(real_services: None, transactional_db: None) -> Iterator[Callable[..., Worker]]:
    """Start `celery worker` processes on the test database; stopped at the end of the test."""
    celery_app.control.purge()
    started: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        name = f"test-{os.getpid()}-{len(started)}@%h"
        worker = workers.start_worker(env=_environment(extra_env), name=name)
        started.append(worker)
        try:
            workers.wait_for_ping(worker)
        except workers.WorkerDidNotStart as problem:
            pytest.fail(str(problem))
        return worker

    yield start
    workers.stop(started)


@pytest.fixture
def start_beat(
    real_services: None, transactional_db: None, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Start a `celery beat` process (its schedule file in the test's folder); stopped at the end."""
    beats: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        schedule = tmp_path / f"celerybeat-schedule-{len(beats)}"
        beat = workers.start_beat(env=_environment(extra_env), schedule=schedule)
        beats.append(beat)
        return beat

    yield start
    workers.stop(beats)


class OwnBroker:
    """A redis-server of the test's own on a free port, which the test can stop and start again."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Worker | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(REDIS_SERVER),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"redis-server on port {self.port} exited with {self.process.returncode}"
                )
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail(f"redis-server on port {self.port} did not answer within 10 s")

    def in_flight(self) -> int:
        """Messages waiting in the default queue or taken by a worker and not yet acknowledged."""
        client = redis.Redis.from_url(self.url)
        return int(client.llen("celery")) + int(client.hlen("unacked"))

    def stop(self) -> None:
        if self.process is not None:
            workers.stop([self.process])
            self.process = None


@pytest.fixture
def own_broker(
    real_services: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OwnBroker]:
    """Point this process, and the workers and beat started after it, at a broker of the test's
    own, so that stopping it disturbs nobody else. Request it before `start_worker`."""
    if not REDIS_SERVER.exists():
        skip_or_fail(f"this test starts its own broker: {REDIS_SERVER} is not installed")
    broker = OwnBroker(tmp_path)
    broker.start()
    monkeypatch.setenv("CELERY_BROKER_URL", broker.url)  # Celery reads it before its settings
    _forget_pooled_connections()  # they go to the shared broker
    try:
        yield broker
    finally:
        broker.stop()
        _forget_pooled_connections()


def _forget_pooled_connections() -> None:
    """Drop this process's pooled broker connections, so the next publish connects to the
    broker the environment names now. ``app.close()`` forgets the connection pool but not the
    producer pool that publishing and control messages (the workers' ping) go through, which
    stays bound to the broker of the first publish in the run."""
    celery_app.close()
    celery_app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(start_worker: Callable[..., Worker]) -> Worker:
    return start_worker()


@pytest.fixture
def stack(start_worker, sandbox_server, legal_forms, applicant_factory):
    """The sandbox registries over HTTP (faults cleared before and after) and a function that
    starts a worker on them, quick to retry (environment variables as keyword arguments)."""
    emulator, url = sandbox_server
    emulator.clear_faults()

    def worker(**env):
        return start_worker(
            XROAD_SECURITY_SERVER_URL=url,
            XROAD_TIMEOUT="2",
            PROCESSING_RETRY_SECONDS="1",
            CELERY_VISIBILITY_TIMEOUT="6",
            **env,
        )

    yield emulator, worker
    emulator.clear_faults()


@pytest.fixture
def applicant_factory(transactional_db):
    from tests.factories import EntrepreneurFactory

    return EntrepreneurFactory
