"""The agencies of the pieces after registration (SIGER, IMSS, Querétaro's SARE): one answer per
request id, deterministic outcomes, and the same answer again for a request filed twice."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.providers import procedures

from .conftest import client_for

pytestmark = pytest.mark.anyio


def filing(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "request_id": "5f0c3c1e-8d1b-4b0e-9a53-6f1f8f0d2a11",
        "registration_number": "QRO-2026-000042",
        "company_name": "Tortillería La Esperanza S.A.S.",
        "legal_form": "sas",
        "rfc": "TES261126AB1",
        "registered_office": {
            "street": "Av. Zaragoza 10",
            "municipality": "Querétaro",
            "postal_code": "76000",
        },
        "activity_codes": ["311830"],
    }
    return body | changes


async def test_siger_answers_with_a_folio_and_a_repeat_files_nothing_new() -> None:
    app = procedures.create_siger_app()
    async with client_for(app) as client:
        first = await client.post(procedures.SIGER_PATH, json=filing())
        again = await client.post(procedures.SIGER_PATH, json=filing())
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["status"] == "answered"
    assert first.json()["number"] == "N-2026000001" == again.json()["number"]
    agency = app.state.agency
    assert agency.numbers_issued == ["N-2026000001"]
    assert agency.filings[filing()["request_id"]].received == 2


async def test_the_same_request_id_with_other_data_is_a_conflict() -> None:
    async with client_for(procedures.create_siger_app()) as client:
        await client.post(procedures.SIGER_PATH, json=filing())
        other = await client.post(procedures.SIGER_PATH, json=filing(company_name="Otra S.A.S."))
    assert other.status_code == 409
    assert other.json()["error"] == "request_conflict"


async def test_siger_refuses_a_denomination_already_inscribed_federally() -> None:
    async with client_for(procedures.create_siger_app()) as client:
        answer = await client.post(
            procedures.SIGER_PATH, json=filing(company_name="Comercializadora del Bajío S.A.S.")
        )
    assert answer.status_code == 201
    assert answer.json()["status"] == "refused" and answer.json()["number"] is None
    assert "ya está inscrita" in answer.json()["reason"]


async def test_imss_gives_a_registro_patronal_and_refuses_farming() -> None:
    async with client_for(procedures.create_imss_app()) as client:
        employer = await client.post(procedures.IMSS_PATH, json=filing())
        farm = await client.post(
            procedures.IMSS_PATH,
            json=filing(request_id="farm-0000-0001", activity_codes=["111110"]),
        )
    number = employer.json()["number"]
    assert employer.json()["status"] == "answered" and len(number) == 11
    assert number.startswith("E54")
    assert farm.json()["status"] == "refused" and "trabajadores del campo" in farm.json()["reason"]


@pytest.mark.parametrize(
    ("codes", "status"),
    [
        (["311830"], "answered"),
        (["722412"], "refused"),
        (["236110"], "needs_founder"),
    ],
)
async def test_queretaro_licenses_low_risk_at_once_and_not_the_rest(
    codes: list[str], status: str
) -> None:
    async with client_for(procedures.create_queretaro_app()) as client:
        answer = await client.post(procedures.QUERETARO_PATH, json=filing(activity_codes=codes))
    assert answer.json()["status"] == status
    if status == "answered":
        assert answer.json()["number"] == "SARE-QRO-2026-00001"
    else:
        assert answer.json()["reason"]


async def test_a_filing_without_a_request_id_is_refused_with_the_field_named() -> None:
    async with client_for(procedures.create_siger_app()) as client:
        answer = await client.post(procedures.SIGER_PATH, json=filing(request_id=""))
    assert answer.status_code == 400
    assert "request_id" in answer.json()["message"]
