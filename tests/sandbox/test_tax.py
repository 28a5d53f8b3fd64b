from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from stdnum.mx import rfc as stdnum_rfc

from sandbox.providers import tax
from sandbox.providers.rfc_keys import company_name_key, complete_rfc
from sandbox.providers.seed import load_records

from .conftest import client_for

pytestmark = pytest.mark.anyio

REGISTER = "/v1/contribuyentes/personas-morales"


def registration(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "company_name": "Tostadas Doña Chela",
        "legal_form": "sas",
        "registration_number": "E24-2025-000042",
        "incorporated_on": "2025-03-14",
        "registered_office": {
            "street": "Av. Universidad 120, Centro",
            "municipality": "Querétaro",
            "postal_code": "76000",
        },
    }
    return body | changes


def seed_taxpayers() -> list[dict[str, Any]]:
    return load_records(None, "taxpayers.json")


async def test_natural_person_rfc_gives_status_opinion_and_curp(
    tax_client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    ana = demo["people"][0]

    response = await tax_client.get(f"/v1/contribuyentes/{ana['rfc']}")

    assert response.status_code == 200
    taxpayer = response.json()
    assert taxpayer["person_type"] == "natural"
    assert (taxpayer["curp"], taxpayer["name"]) == (ana["curp"], ana["name"])
    assert (taxpayer["status"], taxpayer["compliance_opinion"]) == ("active", "positive")


@pytest.mark.parametrize("status", tax.TAXPAYER_STATUSES)
@pytest.mark.parametrize("person_type", ["natural", "legal"])
async def test_taxpayers_of_every_status_are_found(
    tax_client: httpx.AsyncClient, status: str, person_type: str
) -> None:
    seeded = next(
        t for t in seed_taxpayers() if (t["status"], t["person_type"]) == (status, person_type)
    )

    response = await tax_client.get(f"/v1/contribuyentes/{seeded['rfc']}")

    assert response.status_code == 200
    assert response.json()["status"] == status


async def test_rfc_with_enye_is_found_when_percent_encoded(
    tax_client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    company = next(c for c in demo["companies"] if c["rfc"].startswith("Ñ"))

    response = await tax_client.get(f"/v1/contribuyentes/{quote(company['rfc'])}")

    assert (response.status_code, response.json()["name"]) == (200, company["name"])


async def test_well_formed_rfc_of_nobody_is_404(tax_client: httpx.AsyncClient) -> None:
    rfc = complete_rfc("ZZZ", datetime.date(2001, 1, 1), "nobody")

    response = await tax_client.get(f"/v1/contribuyentes/{rfc}")

    assert response.status_code == 404
    assert response.json()["error"] == "taxpayer_not_found"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("RAOA900514", "homoclave"),
        ("RAOA9005149F7", "check digit"),
        ("CJU151310I85", "date"),
        ("CJU150610I8", "12 characters"),
        ("CJ1150610I85", "letters"),
        ("personas-moral", "letters"),
    ],
)
async def test_malformed_rfc_is_400_saying_what_is_wrong(
    tax_client: httpx.AsyncClient, raw: str, problem: str
) -> None:
    response = await tax_client.get(f"/v1/contribuyentes/{raw}")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_rfc"
    assert problem in response.json()["message"]


async def test_registering_a_company_issues_a_valid_12_character_rfc(
    tax_client: httpx.AsyncClient,
) -> None:
    response = await tax_client.post(REGISTER, json=registration())

    assert response.status_code == 201
    taxpayer = response.json()
    rfc = taxpayer["rfc"]
    assert len(rfc) == 12
    assert stdnum_rfc.is_valid(rfc, validate_check_digits=True)
    assert rfc.startswith(company_name_key("Tostadas Doña Chela") + "250314")
    assert taxpayer["person_type"] == "legal"
    assert (taxpayer["status"], taxpayer["compliance_opinion"]) == ("active", "none")
    assert taxpayer["registration_number"] == "E24-2025-000042"


async def test_registered_company_is_then_found_by_its_rfc(
    tax_client: httpx.AsyncClient,
) -> None:
    rfc = (await tax_client.post(REGISTER, json=registration())).json()["rfc"]

    response = await tax_client.get(f"/v1/contribuyentes/{rfc}")

    assert (response.status_code, response.json()["name"]) == (200, "Tostadas Doña Chela")


async def test_reposting_a_registration_returns_the_same_rfc(
    tax_client: httpx.AsyncClient,
) -> None:
    first = await tax_client.post(REGISTER, json=registration())
    again = await tax_client.post(REGISTER, json=registration())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()


async def test_same_registration_gives_the_same_rfc_in_a_fresh_instance(
    tax_client: httpx.AsyncClient,
) -> None:
    first = (await tax_client.post(REGISTER, json=registration())).json()
    async with client_for(tax.create_app()) as fresh:
        second = (await fresh.post(REGISTER, json=registration())).json()

    assert second["rfc"] == first["rfc"]


async def test_other_registration_numbers_get_other_rfcs(tax_client: httpx.AsyncClient) -> None:
    rfcs = set()
    for serial in range(20):
        body = registration(registration_number=f"E24-2025-{serial:06d}")
        rfcs.add((await tax_client.post(REGISTER, json=body)).json()["rfc"])

    assert len(rfcs) == 20
    assert all(stdnum_rfc.is_valid(rfc, validate_check_digits=True) for rfc in rfcs)


async def test_registration_number_reused_with_other_data_is_409(
    tax_client: httpx.AsyncClient,
) -> None:
    await tax_client.post(REGISTER, json=registration())

    response = await tax_client.post(REGISTER, json=registration(company_name="Otra Empresa"))

    assert response.status_code == 409
    assert response.json()["error"] == "registration_conflict"


async def test_reposting_a_seeded_company_returns_its_seeded_rfc(
    tax_client: httpx.AsyncClient,
) -> None:
    seeded = next(t for t in seed_taxpayers() if t["person_type"] == "legal")
    body = {
        "company_name": seeded["name"],
        "legal_form": seeded["legal_form"],
        "registration_number": seeded["registration_number"],
        "incorporated_on": seeded["incorporated_on"],
        "registered_office": seeded["registered_office"],
    }

    response = await tax_client.post(REGISTER, json=body)

    assert (response.status_code, response.json()["rfc"]) == (200, seeded["rfc"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (registration(company_name=""), "company_name"),
        (registration(legal_form="sociedad anónima"), "legal_form"),
        (registration(incorporated_on="14/03/2025"), "incorporated_on"),
        (registration(registration_number=None), "registration_number"),
        (registration(registered_office="Querétaro"), "registered_office"),
        (
            registration(
                registered_office={"street": "X 1", "municipality": "Colón", "postal_code": "7600"}
            ),
            "postal_code",
        ),
    ],
)
async def test_invalid_registration_is_400_naming_the_field(
    tax_client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await tax_client.post(REGISTER, json=body)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert field in response.json()["message"]


@pytest.mark.parametrize("content", [b"", b"{", b"[1, 2]", b"\xff\xfe"])
async def test_registration_body_that_is_not_a_json_object_is_400(
    tax_client: httpx.AsyncClient, content: bytes
) -> None:
    response = await tax_client.post(REGISTER, content=content)

    assert (response.status_code, response.json()["error"]) == (400, "invalid_json")


def test_company_name_key_follows_the_word_rules() -> None:
    assert company_name_key("Teléfonos de México, S.A.B. de C.V.") == "TME"
    assert company_name_key("Constructora Jurica, S.A. de C.V.") == "CJU"
    assert company_name_key("Comercializadora Agrícola del Bajío") == "CAB"
    assert company_name_key("Bimbo") == "BIM"
    assert company_name_key("Ñandutí Artesanías S.A.S.") == "ÑAR"
    assert company_name_key("Yo") == "YOX"
