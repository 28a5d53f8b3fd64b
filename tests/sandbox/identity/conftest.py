"""Fixtures for the sandbox OpenID provider: a fresh provider per test, reached through httpx."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from joserfc.jwk import RSAKey
from starlette.applications import Starlette

from sandbox.identity import SigningKey, create_app

from .flow import CLIENTS, IDENTITIES, ISSUER, FakeClock


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def signing_key_pem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA key for the whole run, as a PEM file (generating keys is the slow part)."""
    path = tmp_path_factory.mktemp("idp") / "signing-key.pem"
    path.write_bytes(RSAKey.generate_key(2048).as_pem(private=True))
    return path


@pytest.fixture(scope="session")
def signing_key(signing_key_pem: Path) -> SigningKey:
    return SigningKey.from_pem_file(signing_key_pem)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.datetime(2025, 3, 3, 16, 0, tzinfo=datetime.UTC))


@pytest.fixture
def app(signing_key: SigningKey, clock: FakeClock) -> Starlette:
    return create_app(
        issuer=ISSUER,
        clients=list(CLIENTS),
        identities=list(IDENTITIES),
        signing_key=signing_key,
        clock=clock,
    )


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A browser and a relying party in one: it keeps the provider's cookie."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as http:
        yield http
