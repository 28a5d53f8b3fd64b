"""The sandbox's subscribed agency: keeps each idempotency key once, and fails when told."""

from __future__ import annotations

import pytest

from sandbox.subscriber import create_app

from .conftest import client_for

pytestmark = pytest.mark.anyio


@pytest.fixture
async def agency():
    app = create_app()
    async with client_for(app) as http:
        yield app.state.subscriber, http


def change(key: str, cursor: int) -> dict[str, object]:
    return {"clave": key, "cursor": cursor, "tipo": "inscripcion", "empresa": {"numero": "QRO-1"}}


async def post(http, key: str, cursor: int, *, header: str | None = None):
    return await http.post(
        "/v1/cambios", json=change(key, cursor), headers={"Idempotency-Key": header or key}
    )


async def test_a_key_sent_twice_is_kept_once(agency):
    subscriber, http = agency
    assert (await post(http, "k1", 1)).json() == {"clave": "k1", "duplicado": False}
    assert (await post(http, "k1", 1)).json() == {"clave": "k1", "duplicado": True}
    assert (await post(http, "k2", 2)).status_code == 200
    assert [r.key for r in subscriber.changes] == ["k1", "k2"]
    assert len(subscriber.receipts) == 3


async def test_a_change_without_its_key_is_refused(agency):
    subscriber, http = agency
    assert (await post(http, "k1", 1, header="other")).status_code == 400
    assert subscriber.receipts == []


async def test_it_fails_when_told_and_keeps_a_lost_answers_change(agency):
    subscriber, http = agency
    await http.post("/control", json={"down": True})
    assert (await post(http, "k1", 1)).status_code == 503
    await http.post("/control", json={"down": False, "fail_next": 1})
    assert (await post(http, "k1", 1)).status_code == 500
    assert subscriber.changes == []
    await http.post("/control", json={"lose_next": 1})
    assert (await post(http, "k1", 1)).status_code == 500  # kept, but the answer is "lost"
    assert (await post(http, "k1", 1)).json()["duplicado"] is True
    assert (await http.get("/control")).json()["receipts"] == 2
    await http.delete("/control")
    assert subscriber.changes == [] and subscriber.receipts == []
