"""Real Celery worker and beat processes on the real broker, sharing the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = Path("/usr/bin/redis-server")
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


def _environment(extra_env: dict[str, str]) -> dict[str, str]:
    """A worker's or beat's environment: the test's database, seal and storage."""
    return os.environ | {
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "SEAL_KEY_PATH": str(settings.SEAL_KEY_PATH),
        "SEAL_CERT_PATH": str(settings.SEAL_CERT_PATH),
        "STORAGE_ROOT": str(settings.MEDIA_ROOT),
        "SEAL_TSA_URL": "off",
        **extra_env,
    }


def _stop(processes: list[Worker]) -> None:
    """A warm shutdown (the task at hand finishes), all at once; killed after 15 s."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def start_worker(real_services: None, transactional_db: None) -> Iterator[Callable[..., Worker]]:
    """Start `celery worker` processes on the test database; stopped at the end of the test."""
    celery_app.control.purge()
    workers: list[Worker] = []

    def start(**extra_env: str) -> Worker:
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
            env=_environment(extra_env),
        )
        workers.append(worker)
        _wait_for_ping(worker)
        return worker

    yield start
    _stop(workers)


@pytest.fixture
def start_beat(
    real_services: None, transactional_db: None, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Start a `celery beat` process (its schedule file in the test's folder); stopped at the end."""
    beats: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        beat = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel=WARNING",
                "--schedule",
                str(tmp_path / f"celerybeat-schedule-{len(beats)}"),
            ],
            cwd=ROOT,
            env=_environment(extra_env),
        )
        beats.append(beat)
        return beat

    yield start
    _stop(beats)


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
            _stop([self.process])
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
