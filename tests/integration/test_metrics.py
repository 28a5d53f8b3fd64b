"""A real worker serves its metrics on METRICS_WORKER_PORT, summing its processes' samples."""

import re

import httpx

from portal import tasks
from portal.models import WorkerHeartbeat
from tests.conftest import free_port
from tests.workers import wait_until


def test_a_worker_serves_the_count_of_the_tasks_it_ran(start_worker, tmp_path):
    port = free_port()
    start_worker(METRICS_WORKER_PORT=str(port), PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    tasks.record_heartbeat.delay("metrics")
    assert wait_until(lambda: WorkerHeartbeat.objects.filter(source="metrics").exists())
    line = re.compile(
        r'empresa24_celery_tasks_total\{outcome="success",task="portal\.tasks\.record_heartbeat"\} 1\.0'
    )
    assert wait_until(lambda: line.search(scrape(port)), 10)


def scrape(port: int) -> str:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/").text
    except httpx.TransportError:
        return ""
