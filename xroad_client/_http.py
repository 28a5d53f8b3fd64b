"""The HTTP edge shared by the sync and async clients: bounded reads and error translation."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from xroad_client.errors import (
    InvalidResponseError,
    ResponseTooLargeError,
    XRoadError,
    XRoadTimeout,
    XRoadTransportError,
)

__all__ = ["RawResponse", "media_type", "read_async", "read_sync", "translate_http_error"]


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A fully read HTTP response, before any X-Road interpretation."""

    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", ""))

    @property
    def media_type(self) -> str:
        return media_type(self.content_type)


def media_type(content_type: str) -> str:
    """``application/json;charset=utf-8`` -> ``application/json``."""
    return content_type.split(";", 1)[0].strip().lower()


def _check_declared_length(response: httpx.Response, limit: int) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLargeError(
            f"response declares {declared} bytes, over the limit of {limit}",
            http_status=response.status_code,
            content_type=response.headers.get("content-type"),
        )


def _too_large(response: httpx.Response, limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"response body exceeds the limit of {limit} bytes",
        http_status=response.status_code,
        content_type=response.headers.get("content-type"),
    )


def read_sync(response: httpx.Response, limit: int) -> RawResponse:
    """Read a streamed response, refusing bodies over ``limit`` bytes (after decoding)."""
    _check_declared_length(response, limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(response, limit)
        chunks.append(chunk)
    return RawResponse(response.status_code, response.headers, b"".join(chunks))


async def read_async(response: httpx.Response, limit: int) -> RawResponse:
    """Async twin of :func:`read_sync`."""
    _check_declared_length(response, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(response, limit)
        chunks.append(chunk)
    return RawResponse(response.status_code, response.headers, b"".join(chunks))


def translate_http_error(exc: httpx.HTTPError, *, x_road_id: str | None) -> XRoadError:
    """Map an httpx failure to the library's transport, timeout or invalid-response error."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return XRoadTimeout(
            f"timed out talking to the Security Server: {detail}", x_road_id=x_road_id
        )
    if isinstance(exc, httpx.DecodingError):
        return InvalidResponseError(
            f"response body cannot be decoded: {detail}", x_road_id=x_road_id
        )
    return XRoadTransportError(
        f"cannot exchange HTTP with the Security Server ({type(exc).__name__}): {detail}",
        x_road_id=x_road_id,
    )
