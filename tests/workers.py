"""Real Celery processes for the integration tests and the benchmarks: a `celery worker` or
`celery beat` of the portal started as a subprocess of the checkout, told when it answers, and
stopped warm. No pytest and no Django settings here: the caller gives the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
Process = subprocess.Popen[bytes]


class WorkerDidNotStart(RuntimeError):
    """The worker exited, or did not answer a ping in time."""


def celery(*arguments: str, env: Mapping[str, str], output: int | None = None) -> Process:
    """``celery -A portal <arguments>`` in the checkout, with ``env`` added to this process's
    environment; its output to ours, or to ``output`` (``subprocess.DEVNULL``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", *arguments],
        cwd=ROOT,
        env=os.environ | dict(env),
        stdout=output,
        stderr=output,
    )


def start_worker(
    *, env: Mapping[str, str], name: str | None = None, output: int | None = None
) -> Process:
    """A worker of one process (solo pool) that neither gossips nor waits for peers."""
    arguments = ["worker", "--pool=solo", "--without-gossip", "--without-mingle"]
    arguments += ["--loglevel=WARNING", *(["-n", name] if name else [])]
    return celery(*arguments, env=env, output=output)


def start_beat(*, env: Mapping[str, str], schedule: Path) -> Process:
    """`celery beat`, its schedule file at ``schedule``."""
    return celery("beat", "--loglevel=WARNING", "--schedule", str(schedule), env=env)


def wait_for_ping(worker: Process, *, deadline_s: float = 60.0) -> None:
    """Until a worker answers a ping over the broker (one with broadcast: Redis, RabbitMQ);
    ``WorkerDidNotStart`` when ``worker`` exits or nobody answers in time."""
    from portal.celery import app as celery_app

    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise WorkerDidNotStart(f"the Celery worker exited with code {worker.returncode}")
        if celery_app.control.ping(timeout=0.5):
            return
    raise WorkerDidNotStart(f"the Celery worker did not answer within {deadline_s:.0f} s")


def stop(processes: Iterable[Process], *, timeout_s: float = 15.0) -> None:
    """A warm shutdown (the task at hand finishes), all at once; killed after ``timeout_s``."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(
    predicate: Callable[[], object], timeout_s: float = 30.0, interval_s: float = 0.2
) -> bool:
    """Whether ``predicate`` came true within ``timeout_s`` (asked every ``interval_s``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return False
