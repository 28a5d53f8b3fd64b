"""Serve an ASGI app (the emulator, or a stand-in provider) on a port with uvicorn.

``serve`` blocks (for a sandbox process); ``serve_in_thread`` runs the server on a background
thread on a free loopback port and yields its base URL (for tests). With :class:`ServerTLS`
the server speaks HTTPS; with ``client_ca`` it also requires a client certificate issued by
that CA (X-Road's "HTTPS" connection type between information system and Security Server).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xroad_client.emulator._asgi import ASGIApp

if TYPE_CHECKING:  # uvicorn is imported only when a server is started
    import uvicorn

__all__ = ["ServerTLS", "serve", "serve_in_thread", "uvicorn_config"]


@dataclass(frozen=True, slots=True)
class ServerTLS:
    """Server certificate and key; ``client_ca`` set = client certificates required."""

    certfile: str | Path
    keyfile: str | Path | None = None
    client_ca: str | Path | None = None


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
        http="h11",
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level=log_level,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        ssl_ca_certs=client_ca,
        ssl_cert_reqs=ssl.CERT_NONE if client_ca is None else ssl.CERT_REQUIRED,
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
