from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("number", "licence_status"), [(5, "active"), (12, "suspended"), (31, "revoked")]
)
async def test_notary_by_state_and_number_gives_licence_status(
    notaries_client: httpx.AsyncClient, number: int, licence_status: str
) -> None:
    response = await notaries_client.get(f"/v1/notarios/22/{number}")

    assert response.status_code == 200
    notary = response.json()
    assert (notary["state"], notary["number"]) == ("22", number)
    assert notary["licence_status"] == licence_status
    assert (notary["status_changed_on"] is None) == (licence_status == "active")


async def test_deed_gives_date_company_and_parties(
    notaries_client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    ana, carlos, luz = demo["people"][:3]

    response = await notaries_client.get("/v1/notarios/22/5/escrituras/18250")

    assert response.status_code == 200
    deed = response.json()
    assert deed["executed_on"] == "2015-06-10"
    assert deed["act"] == "incorporation"
    assert deed["company_name"] == "Constructora Jurica, S.A. de C.V."
    assert [(p["curp"], p["roles"]) for p in deed["parties"]] == [
        (ana["curp"], ["shareholder", "administrator"]),
        (carlos["curp"], ["shareholder"]),
        (luz["curp"], ["comisario"]),
    ]


async def test_a_company_party_is_named_with_its_rfc_and_no_curp(
    notaries_client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    constructora_jurica = demo["companies"][0]

    response = await notaries_client.get("/v1/notarios/22/5/escrituras/51207")

    deed = response.json()
    assert (deed["company_name"], deed["executed_on"]) == (
        "Viñedos de Tequisquiapan, S.A. de C.V.",
        "2025-02-26",
    )
    company = [p for p in deed["parties"] if p["rfc"] == constructora_jurica["rfc"]]
    assert company == [
        {
            "name": "Constructora Jurica, S.A. de C.V.",
            "curp": None,
            "rfc": constructora_jurica["rfc"],
            "roles": ["shareholder"],
        }
    ]


async def test_deeds_of_a_revoked_notary_are_still_found(
    notaries_client: httpx.AsyncClient,
) -> None:
    response = await notaries_client.get("/v1/notarios/22/31/escrituras/27611")

    assert (response.status_code, response.json()["notary_number"]) == (200, 31)


@pytest.mark.parametrize("path", ["/v1/notarios/22/36", "/v1/notarios/09/5"])
async def test_unknown_notary_is_404(notaries_client: httpx.AsyncClient, path: str) -> None:
    response = await notaries_client.get(path)

    assert (response.status_code, response.json()["error"]) == (404, "notary_not_found")


async def test_deed_of_unknown_notary_is_404_for_the_notary(
    notaries_client: httpx.AsyncClient,
) -> None:
    response = await notaries_client.get("/v1/notarios/22/36/escrituras/18250")

    assert (response.status_code, response.json()["error"]) == (404, "notary_not_found")


async def test_unknown_deed_of_known_notary_is_404(notaries_client: httpx.AsyncClient) -> None:
    response = await notaries_client.get("/v1/notarios/22/5/escrituras/99999999")

    assert (response.status_code, response.json()["error"]) == (404, "deed_not_found")


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/v1/notarios/QRO/5", "invalid_state"),
        ("/v1/notarios/33/5", "invalid_state"),
        ("/v1/notarios/00/5", "invalid_state"),
        ("/v1/notarios/22/0", "invalid_notary_number"),
        ("/v1/notarios/22/-5", "invalid_notary_number"),
        ("/v1/notarios/22/cinco", "invalid_notary_number"),
        ("/v1/notarios/22/5/escrituras/18250a", "invalid_deed_number"),
        ("/v1/notarios/22/5/escrituras/123456789012345678901234567890", "invalid_deed_number"),
    ],
)
async def test_malformed_state_or_number_is_400(
    notaries_client: httpx.AsyncClient, path: str, error: str
) -> None:
    response = await notaries_client.get(path)

    assert (response.status_code, response.json()["error"]) == (400, error)
