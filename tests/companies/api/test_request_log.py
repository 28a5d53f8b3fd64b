"""The agency API's request log: spooled by the process that served the request, ingested in
batches, every entry once (companies/api/spool.py)."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from companies import tasks
from companies.api import spool
from companies.models import AgencyRequest
from tests.companies.api.test_api import register_company

pytestmark = pytest.mark.django_db

NUMBER = "QRO-2026-000001"


@pytest.fixture
def company(applicant):
    return register_company(applicant, number=NUMBER, name="Tortillería La Esperanza, S.A.S.")


def get(client, agency, path=f"empresas/{NUMBER}", **headers):
    return client.get(f"/api/v1/{path}", HTTP_X_ROAD_CLIENT=agency, **headers)


def spooled_lines() -> int:
    return sum(
        len(f.read_bytes().splitlines()) for f in Path(settings.AGENCY_API_LOG_SPOOL).iterdir()
    )


def entry(n: int) -> dict[str, object]:
    return {
        "x_road_id": f"MX-DEV-{n}",
        "client": "MX-DEV/GOV/SAT/padron",
        "service": "empresas",
        "user_id": "",
        "method": "GET",
        "path": f"/api/v1/empresas/QRO-2026-{n:06d}",
        "status": 200,
        "duration_ms": 1.5,
    }


def test_every_request_of_a_burst_is_in_the_table_after_ingestion(
    client, agency, company, monkeypatch
):
    monkeypatch.setattr(spool, "INSERT_BATCH", 7)  # a batch file in several INSERTs
    for n in range(40):
        assert get(client, agency, HTTP_X_ROAD_ID=f"MX-DEV-burst-{n}").status_code == 200
    assert client.get("/api/v1/cambios?after=0").status_code == 400  # refused ones too
    assert spooled_lines() == 41 and not AgencyRequest.objects.exists()
    assert spool.ingest() == 41
    logged = AgencyRequest.objects.filter(x_road_id__startswith="MX-DEV-burst-")
    assert sorted(logged.values_list("x_road_id", flat=True)) == sorted(
        f"MX-DEV-burst-{n}" for n in range(40)
    )
    assert (
        AgencyRequest.objects.count()
        == 41
        == len(set(AgencyRequest.objects.values_list("entry_id")))
    )
    assert spooled_lines() == 0


def test_an_entry_keeps_the_time_it_was_served_not_the_time_it_was_ingested(
    client, agency, company
):
    from django.utils import timezone

    get(client, agency)
    served_before = timezone.now()
    spool.ingest()
    assert AgencyRequest.objects.get().created_at <= served_before


def test_ingesting_again_after_a_crash_before_the_file_was_deleted_inserts_nothing_twice(
    monkeypatch,
):
    for n in range(5):
        spool.spool.append(**entry(n))
    left: list[Path] = []
    real_unlink = Path.unlink

    def crash(path: Path, *args, **kwargs):  # committed, then the process died
        left.append(path)
        raise SystemExit

    monkeypatch.setattr(Path, "unlink", crash)
    with pytest.raises(SystemExit):
        spool.ingest()
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert AgencyRequest.objects.count() == 5 and left[0].exists()
    spool.spool.append(**entry(5))
    assert spool.ingest() == 6  # the batch left behind, read again, and the new entry
    assert AgencyRequest.objects.count() == 6
    assert spool.ingest() == 0
    assert AgencyRequest.objects.count() == 6


def _append_from_a_child(count: int, start: int) -> None:
    for n in range(start, start + count):
        spool.spool.append(**entry(n))
        time.sleep(0.001)  # long enough for the parent to rotate its file many times
    os._exit(0)


def test_files_rotated_while_other_processes_append_lose_no_entry():
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(target=_append_from_a_child, args=(300, 1000 * i)) for i in range(3)
    ]
    for child in children:
        child.start()
    ingested, rotations_while_appending = 0, 0
    while any(child.is_alive() for child in children):
        read = spool.ingest()
        ingested += read
        rotations_while_appending += bool(read)
    for child in children:
        child.join()
        assert child.exitcode == 0
    ingested += spool.ingest()
    assert ingested == 900
    assert rotations_while_appending >= 3
    assert AgencyRequest.objects.count() == 900


def test_a_process_ingests_by_itself_every_batch_of_entries(client, agency, company, settings):
    settings.AGENCY_API_LOG_BATCH = 3
    get(client, agency)
    get(client, agency)
    assert not AgencyRequest.objects.exists()
    get(client, agency)
    assert AgencyRequest.objects.count() == 3


def test_a_process_ingests_by_itself_what_waited_long_enough(client, agency, company, settings):
    settings.AGENCY_API_LOG_SECONDS = 0.0
    get(client, agency)
    assert AgencyRequest.objects.count() == 1


def test_beats_task_ingests_the_spool(client, agency, company):
    get(client, agency)
    get(client, agency)
    assert tasks.ingest_request_log() == 2
    assert AgencyRequest.objects.count() == 2


def test_a_spool_that_refuses_the_entry_puts_it_straight_in_the_table(
    client, agency, company, settings, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.AGENCY_API_LOG_SPOOL = blocked / "agency-log"
    assert get(client, agency).status_code == 200
    assert AgencyRequest.objects.get().path == f"/api/v1/empresas/{NUMBER}"


def test_a_line_cut_short_is_kept_for_a_human_and_the_rest_ingested():
    spool.spool.append(**entry(1))
    folder = Path(settings.AGENCY_API_LOG_SPOOL)
    (active,) = folder.glob("*.log")
    with open(active, "ab") as file:
        file.write(b'{"entry_id": "5f0')  # a machine crash in the middle of a write
    assert spool.ingest() == 1
    (rejected,) = folder.glob("*.rejected")
    assert rejected.read_bytes() == b'{"entry_id": "5f0\n'
    assert AgencyRequest.objects.count() == 1


def test_an_entry_the_table_refuses_is_kept_for_a_human_and_the_rest_ingested():
    spool.spool.append(**entry(1))
    spool.spool.append(**{**entry(2), "status": "many"})
    spool.spool.append(**entry(3))
    assert spool.ingest() == 2
    assert sorted(AgencyRequest.objects.values_list("x_road_id", flat=True)) == [
        "MX-DEV-1",
        "MX-DEV-3",
    ]
    (rejected,) = Path(settings.AGENCY_API_LOG_SPOOL).glob("*.rejected")
    assert b'"status":"many"' in rejected.read_bytes()


def test_an_entry_is_stored_exactly_as_it_was_served():
    tricky = {
        **entry(1),
        "path": '/api/v1/empresas?nombre=o\'brien \\ "Ñandú" 漢字 %00',
        "user_id": "\\x",
    }
    spool.spool.append(**tricky)
    spool.ingest()
    stored = AgencyRequest.objects.values(*tricky).get()
    assert stored == tricky
