"""Client settings: timeouts and TLS towards our own Security Server."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

__all__ = ["DEFAULT_TIMEOUTS", "TLSConfig", "Timeouts"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Explicit timeouts, in seconds, for each phase of one HTTP attempt."""

    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 5.0

    def capped(self, remaining: float) -> httpx.Timeout:
        """These timeouts, none longer than ``remaining`` (the retry deadline's rest)."""
        limit = max(remaining, 0.001)
        return httpx.Timeout(
            connect=min(self.connect, limit),
            read=min(self.read, limit),
            write=min(self.write, limit),
            pool=min(self.pool, limit),
        )


@dataclass(frozen=True, slots=True)
class TLSConfig:
    """TLS towards the Security Server: CA bundle and, for mTLS, our certificate and key.

    X-Road's default connection type for a new client subsystem is HTTPS with a client
    certificate (the "Information System TLS certificate" uploaded to the Security Server).
    """

    ca_bundle: str | Path | None = None
    client_cert: str | Path | None = None
    client_key: str | Path | None = None
    key_password: str | None = None

    def ssl_context(self) -> ssl.SSLContext:
        cafile = str(self.ca_bundle) if self.ca_bundle is not None else None
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
        if self.client_cert is not None:
            keyfile = str(self.client_key) if self.client_key is not None else None
            context.load_cert_chain(str(self.client_cert), keyfile, self.key_password)
        return context


DEFAULT_TIMEOUTS: Final = Timeouts()
