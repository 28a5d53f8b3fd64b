"""Fixtures for the sandbox registries: one fresh app per test, reached through httpx."""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.providers import notaries, payments, population, tax
from sandbox.providers.seed import DEFAULT_DATA_DIR


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, delta: datetime.timedelta) -> None:
        self.now += delta


def client_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def demo() -> dict[str, Any]:
    """The demo identities, as documented in sandbox/data/README.md."""
    demo: dict[str, Any] = json.loads((DEFAULT_DATA_DIR / "demo.json").read_text("utf-8"))
    return demo


@pytest.fixture
async def population_client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(population.create_app()) as client:
        yield client


@pytest.fixture
async def tax_client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(tax.create_app()) as client:
        yield client


@pytest.fixture
async def notaries_client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(notaries.create_app()) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.datetime(2025, 3, 3, 10, 0, tzinfo=payments.MEXICO_CENTRAL))


@pytest.fixture
async def payments_client(clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(payments.create_app(clock=clock)) as client:
        yield client
