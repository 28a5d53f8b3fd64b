"""The agency API and the filings on a company: its history of registered filings, the data
schemas of each type, the change feed's entries, and the entry that shows the current data."""

from __future__ import annotations

import pytest

from companies.lifecycle import filings
from tests.factories import submitted_filing

pytestmark = pytest.mark.django_db


def get(client, agency: str, path: str, **extra):
    return client.get(f"/api/v1/{path}", HTTP_X_ROAD_CLIENT=agency, **extra)


@pytest.fixture
def moved(registered_company, applicant):
    """The company's office moved to San Juan del Río by a registered filing."""
    return filings.process(submitted_filing(registered_company, applicant).pk)


def test_the_filing_history_lists_each_registered_filing_with_before_and_after(
    client, agency, registered_company, moved
):
    number = registered_company.registration_number
    response = get(client, agency, f"empresas/{number}/tramites")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == str(moved.public_id)
    assert item["tipo"] == "office_change"
    assert item["version_esquema"] == 1
    assert item["datos"]["municipality"] == "016"
    [change] = item["cambios"]
    assert change["campo"] == "office"
    assert change["antes"]["municipality"] == "014"
    assert change["despues"]["municipality"] == "016"


def test_the_entry_and_its_cache_show_the_data_after_the_filing(
    client, agency, registered_company, applicant
):
    number = registered_company.registration_number
    before = get(client, agency, f"empresas/{number}").json()
    assert before["domicilio"]["municipio"]["clave"] == "014"
    assert get(client, agency, f"empresas/{number}/tramites").json()["items"] == []
    filings.process(submitted_filing(registered_company, applicant).pk)
    after = get(client, agency, f"empresas/{number}").json()
    assert after["domicilio"]["municipio"] == {"clave": "016", "nombre": "San Juan del Río"}
    assert after["domicilio"]["calle"] == "Calle Madero"
    assert len(get(client, agency, f"empresas/{number}/tramites").json()["items"]) == 1


def test_the_feed_says_which_fields_a_filing_touched(client, agency, registered_company, moved):
    items = get(client, agency, "cambios?after=0").json()["items"]
    assert [(i["tipo"], i["campos"]) for i in items] == [
        ("inscripcion", []),
        ("actualizacion", ["office"]),
    ]


@pytest.mark.parametrize("filing_type", ["office_change", "administrators"])
def test_each_type_publishes_its_schema(client, agency, filing_type):
    response = get(client, agency, f"esquemas/tramites/{filing_type}/v1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert response.json()["$id"] == f"/api/v1/esquemas/tramites/{filing_type}/v1"
    again = get(
        client, agency, f"esquemas/tramites/{filing_type}/v1", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["esquemas/tramites/office_change/v2", "esquemas/tramites/x/v1"])
def test_an_unknown_schema_is_not_found(client, agency, path):
    response = get(client, agency, path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_schemas_need_the_agency_to_be_allowed(client):
    assert (
        get(client, "MX-DEV/GOV/OTHER/x", "esquemas/tramites/office_change/v1").status_code == 403
    )
