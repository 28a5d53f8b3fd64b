"""Whatever arrives in a path, every registry answers 4xx with a JSON error, never 500."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from starlette.applications import Starlette

from sandbox.providers import notaries, payments, population, tax

from .conftest import client_for

pytestmark = pytest.mark.anyio

ENDPOINTS: list[tuple[Callable[[], Starlette], str, str]] = [
    (population.create_app, "GET", "/v1/personas/{}"),
    (tax.create_app, "GET", "/v1/contribuyentes/{}"),
    (notaries.create_app, "GET", "/v1/notarios/{}/5"),
    (notaries.create_app, "GET", "/v1/notarios/22/{}"),
    (notaries.create_app, "GET", "/v1/notarios/22/5/escrituras/{}"),
    (payments.create_app, "GET", "/v1/referencias/{}"),
    (payments.create_app, "POST", "/v1/referencias/{}/pay"),
]

GARBAGE = [
    "",
    " ",
    "A" * 500,
    "ÑÑÑÑ000000ÑÑÑ",
    "...",
    "<script>",
    "%00",
    "1e5",
    "٣٣",
    "RAOA900514MQTMLN01'--",
    "🙂",
]


@pytest.mark.parametrize("raw", GARBAGE)
@pytest.mark.parametrize(
    ("factory", "method", "template"), ENDPOINTS, ids=[e[2] for e in ENDPOINTS]
)
async def test_garbage_identifier_is_a_json_4xx(
    factory: Callable[[], Starlette], method: str, template: str, raw: str
) -> None:
    async with client_for(factory()) as client:
        response = await client.request(method, template.format(quote(raw, safe="")))

    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"error", "message"}
