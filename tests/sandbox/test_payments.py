from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from sandbox.providers import payments
from sandbox.providers.payments import VALIDITY, parse_reference

from .conftest import FakeClock, client_for

pytestmark = pytest.mark.anyio

FEE = {"amount": "1450", "concept": "Derechos de inscripción, solicitud 42"}


def seeded_reference(demo: dict[str, Any], status: str) -> str:
    return str(next(r["reference"] for r in demo["payment_references"] if r["status"] == status))


async def test_new_reference_is_pending_for_three_days(
    payments_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    response = await payments_client.post("/v1/referencias", json=FEE)

    assert response.status_code == 201
    reference = response.json()
    assert parse_reference(reference["reference"]) == reference["reference"]
    assert (reference["amount"], reference["currency"]) == ("1450.00", "MXN")
    assert (reference["status"], reference["paid_at"]) == ("pending", None)
    expires_at = datetime.datetime.fromisoformat(reference["expires_at"])
    assert expires_at == clock.now + VALIDITY


async def test_new_reference_status_can_be_read_back(payments_client: httpx.AsyncClient) -> None:
    created = (await payments_client.post("/v1/referencias", json=FEE)).json()

    response = await payments_client.get(f"/v1/referencias/{created['reference']}")

    assert (response.status_code, response.json()) == (200, created)


async def test_same_client_key_returns_the_same_reference(
    payments_client: httpx.AsyncClient,
) -> None:
    body = FEE | {"client_key": "solicitud-42-derechos"}

    first = await payments_client.post("/v1/referencias", json=body)
    again = await payments_client.post("/v1/referencias", json=body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]


async def test_client_key_reused_for_another_amount_is_409(
    payments_client: httpx.AsyncClient,
) -> None:
    await payments_client.post("/v1/referencias", json=FEE | {"client_key": "k-1"})

    response = await payments_client.post(
        "/v1/referencias", json=FEE | {"client_key": "k-1", "amount": "99.00"}
    )

    assert (response.status_code, response.json()["error"]) == (409, "client_key_conflict")


async def test_without_client_key_every_post_is_a_new_reference(
    payments_client: httpx.AsyncClient,
) -> None:
    first = (await payments_client.post("/v1/referencias", json=FEE)).json()
    second = (await payments_client.post("/v1/referencias", json=FEE)).json()

    assert first["reference"] != second["reference"]


@pytest.mark.parametrize("status", ["pending", "paid", "expired"])
async def test_seeded_references_have_each_status(
    payments_client: httpx.AsyncClient, demo: dict[str, Any], status: str
) -> None:
    response = await payments_client.get(f"/v1/referencias/{seeded_reference(demo, status)}")

    assert (response.status_code, response.json()["status"]) == (200, status)
    assert (response.json()["paid_at"] is not None) == (status == "paid")


async def test_bank_payment_marks_the_reference_paid_with_amount_and_date(
    payments_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    reference = (await payments_client.post("/v1/referencias", json=FEE)).json()["reference"]
    clock.advance(datetime.timedelta(hours=5))

    await payments_client.post(f"/v1/referencias/{reference}/pay")
    status = (await payments_client.get(f"/v1/referencias/{reference}")).json()

    assert (status["status"], status["amount"]) == ("paid", "1450.00")
    assert datetime.datetime.fromisoformat(status["paid_at"]) == clock.now


async def test_paying_twice_keeps_the_first_payment(
    payments_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    reference = (await payments_client.post("/v1/referencias", json=FEE)).json()["reference"]
    first = await payments_client.post(f"/v1/referencias/{reference}/pay")
    clock.advance(datetime.timedelta(hours=1))

    again = await payments_client.post(f"/v1/referencias/{reference}/pay")

    assert (again.status_code, again.json()) == (200, first.json())


async def test_unpaid_reference_expires_after_three_days(
    payments_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    reference = (await payments_client.post("/v1/referencias", json=FEE)).json()["reference"]
    clock.advance(VALIDITY)

    response = await payments_client.get(f"/v1/referencias/{reference}")

    assert response.json()["status"] == "expired"


async def test_expired_reference_cannot_be_paid(
    payments_client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    reference = seeded_reference(demo, "expired")

    response = await payments_client.post(f"/v1/referencias/{reference}/pay")

    assert (response.status_code, response.json()["error"]) == (409, "reference_expired")


async def test_new_references_do_not_leak_into_a_fresh_instance(
    payments_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    reference = (await payments_client.post("/v1/referencias", json=FEE)).json()["reference"]
    async with client_for(payments.create_app(clock=clock)) as fresh:
        response = await fresh.get(f"/v1/referencias/{reference}")

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_unissued_reference_is_404(payments_client: httpx.AsyncClient, method: str) -> None:
    path = "/v1/referencias/QRO0000000000" + ("/pay" if method == "POST" else "")

    response = await payments_client.request(method, path)

    assert (response.status_code, response.json()["error"]) == (404, "reference_not_found")


@pytest.mark.parametrize("raw", ["QRO0000000001", "QRO12345", "XYZ0000000000", "QRO00000000000"])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_malformed_reference_is_400(
    payments_client: httpx.AsyncClient, raw: str, method: str
) -> None:
    path = f"/v1/referencias/{raw}" + ("/pay" if method == "POST" else "")

    response = await payments_client.request(method, path)

    assert (response.status_code, response.json()["error"]) == (400, "invalid_reference")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 1450, "concept": "x"}, "amount"),
        ({"amount": "0.00", "concept": "x"}, "amount"),
        ({"amount": "-5", "concept": "x"}, "amount"),
        ({"amount": "10.005", "concept": "x"}, "amount"),
        ({"amount": "10"}, "concept"),
        ({"amount": "10", "concept": "x", "client_key": 7}, "client_key"),
    ],
)
async def test_invalid_new_reference_is_400_naming_the_field(
    payments_client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await payments_client.post("/v1/referencias", json=body)

    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert field in response.json()["message"]
