"""Failover across several consumer Security Servers of one organisation.

An organisation may run two or more Security Servers with the same clients registered
(UG-SS: a cluster, or servers side by side). :class:`ServerPool` keeps their base URLs in
order. A call goes to the preferred server; when it cannot connect there (nothing was sent),
it goes to the next at once, for any call, idempotent or not. The server that answered becomes
the preferred one for the calls after it. Any other failure is the retry policy's to judge,
and its retries start again at the preferred server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Final

import httpx

from xroad_client.errors import InvalidRequestError

__all__ = ["CONNECT_FAILURES", "ServerPool", "check_base_url"]

#: Failures before any byte of the request left: safe to send elsewhere.
CONNECT_FAILURES: Final = (httpx.ConnectError, httpx.ConnectTimeout)


def check_base_url(base_url: str) -> str:
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise InvalidRequestError(f"base_url {base_url!r} must be an http(s) URL with a host")
    return base_url.rstrip("/")


class ServerPool:
    """The base URLs of our Security Servers, the preferred one first."""

    def __init__(self, primary: str, failover: Sequence[str] = ()) -> None:
        if isinstance(failover, str):
            raise InvalidRequestError("failover is a list of base URLs, not one string")
        self.urls = [check_base_url(primary), *(check_base_url(url) for url in failover)]
        if len(set(self.urls)) != len(self.urls):
            raise InvalidRequestError(f"a Security Server is listed twice: {self.urls}")
        self._lock = threading.Lock()
        self._preferred = 0

    @property
    def primary(self) -> str:
        return self.urls[0]

    @property
    def preferred(self) -> str:
        return self.urls[self._preferred]

    def order(self) -> Iterator[int]:
        """Indexes to try, the preferred server first, then the others in their order."""
        start = self._preferred
        for step in range(len(self.urls)):
            yield (start + step) % len(self.urls)

    def prefer(self, index: int) -> None:
        with self._lock:
            self._preferred = index

    def url_of(self, request: httpx.Request) -> str | None:
        """The base URL of the server ``request`` points at now."""
        current = str(request.url)
        return next((base for base in self.urls if current.startswith(base)), None)

    def retarget(self, request: httpx.Request, index: int) -> None:
        """Point ``request`` (built on the primary's URL) at server ``index``."""
        wanted = self.urls[index]
        current = str(request.url)
        for base in self.urls:
            if current.startswith(base):
                if base != wanted:
                    request.url = httpx.URL(wanted + current[len(base) :])
                    request.headers["Host"] = request.url.netloc.decode("ascii")
                return
