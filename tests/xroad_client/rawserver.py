"""A misbehaving HTTP server on a loopback socket: answers with fixed bytes, or never."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def raw_server(reply: bytes | None) -> Iterator[str]:
    """Serve each connection ``reply`` then close it; ``None`` = read the request, never answer.

    Yields the base URL. Bounded: the listener stops when the block exits.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.recv(65536)
            if reply is None:
                held.append(conn)
                continue
            conn.sendall(reply)
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()
