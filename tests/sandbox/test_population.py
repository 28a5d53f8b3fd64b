from __future__ import annotations

from typing import Any

import httpx
import pytest
from stdnum.mx import curp as stdnum_curp

pytestmark = pytest.mark.anyio

ANA = "RAOA900514MQTMLN01"


def unissued_curp() -> str:
    """Well-formed, right check digit, but nobody has it (Ana's with another differentiator)."""
    body = ANA[:16] + "9"
    return body + stdnum_curp.calc_check_digit(body)


async def test_person_by_curp_gives_names_birth_date_sex_nationality_and_status(
    population_client: httpx.AsyncClient,
) -> None:
    response = await population_client.get(f"/v1/personas/{ANA}")

    assert response.status_code == 200
    assert response.json() == {
        "curp": ANA,
        "given_names": "Ana Sofía",
        "first_surname": "Ramírez",
        "second_surname": "Olvera",
        "birth_date": "1990-05-14",
        "sex": "M",
        "birth_state": "QT",
        "nationality": "MEX",
        "status": "active",
    }


async def test_lower_case_curp_finds_the_same_person(
    population_client: httpx.AsyncClient,
) -> None:
    response = await population_client.get(f"/v1/personas/{ANA.lower()}")

    assert response.status_code == 200
    assert response.json()["curp"] == ANA


async def test_foreigner_has_no_second_surname_and_own_nationality(
    population_client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    michael = next(p for p in demo["people"] if p["name"] == "Michael Anderson")

    person = (await population_client.get(f"/v1/personas/{michael['curp']}")).json()

    assert (person["second_surname"], person["birth_state"], person["nationality"]) == (
        None,
        "NE",
        "USA",
    )


@pytest.mark.parametrize("status", ["deceased", "withdrawn"])
async def test_deceased_and_withdrawn_curps_are_found_with_their_status(
    population_client: httpx.AsyncClient, demo: dict[str, Any], status: str
) -> None:
    curps = [p["curp"] for p in demo["people"] if p["status"] == status]

    for curp in curps:
        response = await population_client.get(f"/v1/personas/{curp}")
        assert (response.status_code, response.json()["status"]) == (200, status)


async def test_well_formed_curp_that_nobody_has_is_404(
    population_client: httpx.AsyncClient,
) -> None:
    response = await population_client.get(f"/v1/personas/{unissued_curp()}")

    assert response.status_code == 404
    assert response.json()["error"] == "person_not_found"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("RAOA900514MQTMLN0", "18 characters"),
        ("RAOA900514MQTMLN02", "check digit"),
        ("RAOA901314MQTMLN01", "birth date"),
        ("RAOA900514MZZMLN01", "state code"),
        ("1AOA900514MQTMLN01", "4 letters"),
        ("RAOA900514MQTMLN0Ñ", "4 letters"),
    ],
)
async def test_malformed_curp_is_400_saying_what_is_wrong(
    population_client: httpx.AsyncClient, raw: str, problem: str
) -> None:
    response = await population_client.get(f"/v1/personas/{raw}")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_curp"
    assert problem in response.json()["message"]


async def test_unknown_path_and_wrong_method_answer_json(
    population_client: httpx.AsyncClient,
) -> None:
    unknown = await population_client.get("/v1/people/RAOA900514MQTMLN01")
    wrong_method = await population_client.delete(f"/v1/personas/{ANA}")

    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (405, "method_not_allowed")
    assert "GET" in wrong_method.headers["allow"]
