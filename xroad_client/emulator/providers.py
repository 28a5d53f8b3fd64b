"""Calling provider information systems: in-process ASGI apps or real HTTP base URLs."""

from __future__ import annotations

import ssl
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import httpx

from xroad_client import codes
from xroad_client.emulator.refusals import Refusal
from xroad_client.emulator.topology import AsgiProvider, HttpProvider, Provider

__all__ = ["Forward", "ProviderAnswer", "ProviderCaller", "ProviderStream", "provider_host"]


@dataclass(frozen=True, slots=True)
class Forward:
    """The request the provider Security Server sends to the provider."""

    method: str
    path_and_query: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """The provider's response, body as received (not content-decoded)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class ProviderStream:
    """A provider's answer whose body is still arriving: relayed chunk by chunk, as sent."""

    def __init__(
        self, client: httpx.AsyncClient, response: httpx.Response, headers: list[tuple[str, str]]
    ) -> None:
        self._client = client
        self._response = response
        self.status = response.status_code
        self.headers = headers

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.HTTPError:
            return  # the provider broke off: the client sees a short body, as through X-Road

    async def aclose(self) -> None:
        await self._response.aclose()
        await self._client.aclose()


def provider_host(provider: Provider) -> str:
    return httpx.URL(provider.base_url).netloc.decode("ascii", errors="replace")


class ProviderCaller:
    """Opens one short-lived httpx client per forwarded request (safe across event loops).

    TLS contexts for HTTPS providers are built once and shared.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: dict[bool | str, ssl.SSLContext] = {}

    def _context(self, verify: bool | str) -> ssl.SSLContext:
        with self._lock:
            if verify not in self._contexts:
                context = ssl.create_default_context(
                    cafile=verify if isinstance(verify, str) else None
                )
                if verify is False:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                self._contexts[verify] = context
            return self._contexts[verify]

    def _client(self, provider: Provider) -> httpx.AsyncClient:
        if isinstance(provider, AsgiProvider):
            transport = httpx.ASGITransport(app=provider.app, raise_app_exceptions=False)
            return httpx.AsyncClient(transport=transport, trust_env=False, follow_redirects=False)
        assert isinstance(provider, HttpProvider)
        return httpx.AsyncClient(
            verify=self._context(provider.verify),
            trust_env=False,
            follow_redirects=False,
        )

    async def call(
        self, provider: Provider, forward: Forward, *, timeout_s: float
    ) -> ProviderAnswer:
        """Send ``forward``; connection failures and timeouts become :class:`Refusal`."""
        url = provider.base_url.rstrip("/") + forward.path_and_query
        try:
            with anyio.fail_after(timeout_s):
                return await self._send(provider, forward, url, timeout_s)
        except TimeoutError as exc:
            raise Refusal(codes.SERVICE_FAILED_IO_ERROR, "Read timed out") from exc
        except httpx.ConnectError as exc:
            message = f"Connect to {provider_host(provider)} failed: {exc or 'connection refused'}"
            raise Refusal(codes.SERVER_PROXY_NETWORK_ERROR, message) from exc
        except httpx.HTTPError as exc:
            raise Refusal(codes.SERVICE_FAILED_IO_ERROR, f"{type(exc).__name__}: {exc}") from exc

    async def open(
        self, provider: Provider, forward: Forward, *, timeout_s: float
    ) -> ProviderStream:
        """Send ``forward`` and return as soon as the answer's headers arrived.

        ``timeout_s`` bounds the wait for the headers and each read of the body; connection
        failures and timeouts become :class:`Refusal`, as in :meth:`call`.
        """
        url = provider.base_url.rstrip("/") + forward.path_and_query
        client = self._client(provider)
        try:
            with anyio.fail_after(timeout_s):
                response = await client.send(self._request(forward, url, timeout_s), stream=True)
        except BaseException as exc:
            await client.aclose()
            refusal = self._refusal(provider, exc)
            if refusal is exc:
                raise
            raise refusal from exc
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        return ProviderStream(client, response, headers)

    @staticmethod
    def _request(forward: Forward, url: str, timeout_s: float) -> httpx.Request:
        # Built standalone so no client default headers (User-Agent, Accept) are added.
        request = httpx.Request(
            forward.method, url, headers=forward.headers, content=forward.body or None
        )
        request.extensions["timeout"] = httpx.Timeout(timeout_s).as_dict()
        return request

    @staticmethod
    def _refusal(provider: Provider, exc: BaseException) -> BaseException:
        if isinstance(exc, TimeoutError):
            return Refusal(codes.SERVICE_FAILED_IO_ERROR, "Read timed out")
        if isinstance(exc, httpx.ConnectError):
            message = f"Connect to {provider_host(provider)} failed: {exc or 'connection refused'}"
            return Refusal(codes.SERVER_PROXY_NETWORK_ERROR, message)
        if isinstance(exc, httpx.HTTPError):
            return Refusal(codes.SERVICE_FAILED_IO_ERROR, f"{type(exc).__name__}: {exc}")
        return exc

    async def _send(
        self, provider: Provider, forward: Forward, url: str, timeout_s: float
    ) -> ProviderAnswer:
        async with self._client(provider) as client:
            # Built standalone so no client default headers (User-Agent, Accept) are added.
            request = httpx.Request(
                forward.method, url, headers=forward.headers, content=forward.body or None
            )
            request.extensions["timeout"] = httpx.Timeout(timeout_s).as_dict()
            response = await client.send(request, stream=True)
            try:
                body = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        return ProviderAnswer(response.status_code, headers, body)
