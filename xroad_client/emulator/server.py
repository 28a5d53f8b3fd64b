"""Serve an ASGI app (the emulator, or a stand-in provider) on a port with uvicorn.

``serve`` blocks (for a sandbox process); ``serve_in_thread`` runs the server on a background
thread on a free loopback port and yields its base URL (for tests). With :class:`ServerTLS`
the server speaks HTTPS; with ``client_ca`` it also requires a client certificate issued by
that CA, or, with ``client_certificate="optional"``, verifies one when the client offers it
and lets the emulator's per-client connection type decide (as a Security Server does).
The certificate a client presented reaches the app through the ASGI TLS extension.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from xroad_client.emulator._asgi import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:  # uvicorn is imported only when a server is started
    import uvicorn

__all__ = ["ServerTLS", "serve", "serve_in_thread", "uvicorn_config"]


@dataclass(frozen=True, slots=True)
class ServerTLS:
    """Server certificate and key; ``client_ca`` set = client certificates checked.

    ``client_certificate``: ``"required"`` refuses a TLS handshake without a certificate
    from ``client_ca``; ``"optional"`` accepts one without, and verifies one that is given.
    """

    certfile: str | Path
    keyfile: str | Path | None = None
    client_ca: str | Path | None = None
    client_certificate: Literal["required", "optional"] = "required"

    def __post_init__(self) -> None:
        if self.client_certificate not in ("required", "optional"):
            raise ValueError(
                f"client_certificate must be 'required' or 'optional', not"
                f" {self.client_certificate!r}"
            )
        if self.client_certificate == "optional" and self.client_ca is None:
            raise ValueError("client_certificate='optional' needs a client_ca to verify with")

    @property
    def cert_reqs(self) -> ssl.VerifyMode:
        if self.client_ca is None:
            return ssl.CERT_NONE
        return ssl.CERT_REQUIRED if self.client_certificate == "required" else ssl.CERT_OPTIONAL


def _with_client_certificate(app: ASGIApp, certificate: bytes) -> ASGIApp:
    """``app`` told, per the ASGI TLS extension, which certificate this connection's client gave."""
    tls = {
        "server_cert": None,
        "client_cert_chain": [ssl.DER_cert_to_PEM_cert(certificate)],
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": None,
        "cipher_suite": None,
    }

    async def with_tls(scope: Scope, receive: Receive, send: Send) -> None:
        extended = dict(scope)
        extended["extensions"] = {**(scope.get("extensions") or {}), "tls": tls}
        await app(extended, receive, send)

    return with_tls


@cache
def _h11_with_client_certificates() -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, passing each TLS connection's client certificate to the app."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class ClientCertificateH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            ssl_object = transport.get_extra_info("ssl_object")
            certificate = None if ssl_object is None else ssl_object.getpeercert(binary_form=True)
            if certificate:
                self.app = _with_client_certificate(self.app, certificate)

    return ClientCertificateH11Protocol


def uvicorn_config(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    tls: ServerTLS | None = None,
    log_level: str = "warning",
) -> uvicorn.Config:
    """A uvicorn configuration for ``app`` (HTTP/1.1 via h11, no lifespan, no access log)."""
    import uvicorn

    certfile = None if tls is None else str(tls.certfile)
    keyfile = None if tls is None or tls.keyfile is None else str(tls.keyfile)
    client_ca = None if tls is None or tls.client_ca is None else str(tls.client_ca)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11" if tls is None else _h11_with_client_certificates(),
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level=log_level,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        ssl_ca_certs=client_ca,
        ssl_cert_reqs=ssl.CERT_NONE if tls is None else tls.cert_reqs,
    )


def serve(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int = 8080, tls: ServerTLS | None = None
) -> None:
    """Serve ``app`` until interrupted (Ctrl-C)."""
    import uvicorn

    uvicorn.Server(uvicorn_config(app, host=host, port=port, tls=tls, log_level="info")).run()


def _bound_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it each response pays Nagle's algorithm plus a delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _wait_started(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server thread stopped during startup")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start within {timeout} s")
        time.sleep(0.005)


@contextmanager
def serve_in_thread(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: ServerTLS | None = None,
    startup_timeout: float = 10.0,
) -> Iterator[str]:
    """Serve ``app`` on a background thread; yields ``http(s)://host:port``.

    ``port=0`` picks a free port. The server stops when the block exits.
    """
    import uvicorn

    sock = _bound_socket(host, port)
    actual_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, host=host, port=actual_port, tls=tls))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="xroad-emulator-server", daemon=True
    )
    thread.start()
    try:
        _wait_started(server, thread, startup_timeout)
        scheme = "https" if tls is not None else "http"
        shown_host = f"[{host}]" if ":" in host else host
        yield f"{scheme}://{shown_host}:{actual_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
