"""The agency API's request log on the real stack: a gunicorn worker killed after answering
loses no entry, and beat ingests what a web process left in its spool."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from companies.api import spool
from companies.models import AgencyAccess, AgencyRequest
from tests.companies.api.test_api import register_company
from tests.integration.conftest import _database_url
from tests.workers import ROOT, wait_until

AGENCY = "MX-DEV/GOV/SAT/padron"
NUMBER = "QRO-2026-000001"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _spooled_lines() -> int:
    folder = Path(settings.AGENCY_API_LOG_SPOOL)
    return sum(len(f.read_bytes().splitlines()) for f in folder.glob("*.log"))


@pytest.fixture
def gunicorn(real_services, transactional_db):
    """``gunicorn portal.wsgi`` (one sync worker) on the test database, spooling the request
    log to the test's folder and never ingesting it by itself; its URL, and a way to kill it."""
    port = _free_port()
    environment = os.environ | {
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "warning",
        "AGENCY_API_LOG_SPOOL": str(settings.AGENCY_API_LOG_SPOOL),
        "AGENCY_API_LOG_BATCH": "1000000",
        "AGENCY_API_LOG_SECONDS": "3600",
    }
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "portal.wsgi:application"], cwd=ROOT, env=environment, start_new_session=True
    )

    def kill() -> None:  # master and worker at once, as an out-of-memory killer or a power cut
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)

    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, "gunicorn stopped during startup"
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.1)
    yield url, kill
    if server.poll() is None:
        kill()


def test_a_worker_killed_after_answering_loses_no_entry(gunicorn, legal_forms, applicant):
    url, kill = gunicorn
    AgencyAccess.objects.create(client=AGENCY, service="empresas")
    register_company(applicant, number=NUMBER, name="Tortillería La Esperanza, S.A.S.")
    headers = {"X-Road-Client": AGENCY}
    with httpx.Client(base_url=url, headers=headers) as client:
        answers = [client.get(f"/api/v1/empresas/{NUMBER}").status_code for _ in range(25)]
    assert answers == [200] * 25
    kill()
    assert not AgencyRequest.objects.exists()  # nothing was ingested before the kill
    assert _spooled_lines() == 25
    assert spool.ingest() == 25
    assert AgencyRequest.objects.filter(path=f"/api/v1/empresas/{NUMBER}", status=200).count() == 25


def test_beat_ingests_what_a_web_process_left_spooled(start_worker, start_beat):
    for n in range(7):
        spool.spool.append(
            x_road_id=f"MX-DEV-idle-{n}",
            client=AGENCY,
            service="empresas",
            user_id="",
            method="GET",
            path=f"/api/v1/empresas/{NUMBER}",
            status=200,
            duration_ms=1.0,
        )
    folder = str(settings.AGENCY_API_LOG_SPOOL)
    start_worker(AGENCY_API_LOG_SPOOL=folder)
    start_beat(AGENCY_API_LOG_SPOOL=folder, BEAT_INGEST_REQUEST_LOG_SECONDS="1")
    assert wait_until(lambda: AgencyRequest.objects.count() == 7, timeout_s=60)
    assert _spooled_lines() == 0
