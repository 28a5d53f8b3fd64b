"""Streamed REST bodies, both ways, in bounded memory.

Uploads: ``content=`` may be an iterable of bytes, an async iterable (async client only) or a
binary file; it is sent in chunks as it is read, never joined. A file's remaining size, when
the operating system knows it, is sent as Content-Length; other streams go chunked. A stream
can be read once, so a streamed upload is sent once: it is never retried.

Downloads: ``client.stream(...)`` hands over the answer as soon as its headers arrived.
Security Server faults (``X-Road-Error``) still raise before the body is touched; their small
bodies are read under a cap. The body of a provider's answer is then read chunk by chunk.
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Final

import anyio
import httpx

from xroad_client import headers as h
from xroad_client._http import RawResponse, media_type, read_async, read_sync, translate_http_error
from xroad_client.errors import InvalidRequestError
from xroad_client.rest import RestResponse, XRoadHeaders, interpret_rest

__all__ = [
    "CHUNK_SIZE",
    "MAX_ERROR_BODY_BYTES",
    "AsyncStreamedResponse",
    "StreamHead",
    "StreamedResponse",
    "Upload",
    "async_upload",
    "error_body_async",
    "error_body_sync",
    "head_of",
    "is_streamed",
    "sync_upload",
]

CHUNK_SIZE: Final = 64 * 1024
#: A Security Server's error body is a few hundred bytes; more is not one.
MAX_ERROR_BODY_BYTES: Final = 64 * 1024

Upload = bytes | str | Iterable[bytes] | AsyncIterable[bytes] | IO[bytes]


def is_streamed(content: object) -> bool:
    return content is not None and not isinstance(content, bytes | str)


def _is_file(content: object) -> bool:
    return callable(getattr(content, "read", None))


def _remaining_size(file: IO[bytes]) -> int | None:
    try:
        size = os.fstat(file.fileno()).st_size
        return max(size - file.tell(), 0)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    if isinstance(file, io.BytesIO):
        return len(file.getbuffer()) - file.tell()
    return None


def _file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_SIZE):
        if not isinstance(chunk, bytes):
            raise InvalidRequestError("an upload file must be opened in binary mode ('rb')")
        yield chunk


def _length_header(content: object) -> dict[str, str]:
    if _is_file(content):
        size = _remaining_size(content)  # type: ignore[arg-type]
        if size is not None:
            return {"Content-Length": str(size)}
    return {}


def sync_upload(content: object) -> tuple[Iterable[bytes], dict[str, str]]:
    """The chunks to send for a streamed ``content``, and a Content-Length when known."""
    if isinstance(content, AsyncIterable):
        raise InvalidRequestError("an async iterable upload needs AsyncXRoadClient")
    if _is_file(content):
        return _file_chunks(content), _length_header(content)  # type: ignore[arg-type]
    if isinstance(content, Iterable):
        return content, {}
    raise InvalidRequestError(f"cannot upload a {type(content).__name__}: give bytes or a stream")


async def _threaded(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """Read a blocking source (a file, a generator) in a worker thread, chunk by chunk."""
    iterator = iter(chunks)
    done = object()
    while (chunk := await anyio.to_thread.run_sync(next, iterator, done)) is not done:
        yield chunk  # type: ignore[misc]


def async_upload(content: object) -> tuple[AsyncIterable[bytes], dict[str, str]]:
    """The async twin of :func:`sync_upload`: blocking sources are read off the event loop."""
    if isinstance(content, AsyncIterable):
        return content, {}
    chunks, length = sync_upload(content)
    return _threaded(chunks), length


@dataclass(frozen=True, slots=True)
class StreamHead:
    status: int
    headers: httpx.Headers
    x_road: XRoadHeaders

    @property
    def media_type(self) -> str:
        return media_type(self.headers.get("content-type", ""))

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


def head_of(
    response: httpx.Response, raw_error: RawResponse | None, x_road_id: str | None
) -> StreamHead:
    """Check an answer's headers as :func:`interpret_rest` does; a fault raises."""
    if raw_error is not None:
        interpret_rest(raw_error, x_road_id=x_road_id)  # raises the fault
    checked: RestResponse = interpret_rest(
        RawResponse(response.status_code, response.headers, b""), x_road_id=x_road_id
    )
    return StreamHead(checked.status, checked.headers, checked.x_road)


def error_body_sync(response: httpx.Response) -> RawResponse | None:
    if not response.headers.get(h.X_ROAD_ERROR):
        return None
    return read_sync(response, MAX_ERROR_BODY_BYTES)


async def error_body_async(response: httpx.Response) -> RawResponse | None:
    if not response.headers.get(h.X_ROAD_ERROR):
        return None
    return await read_async(response, MAX_ERROR_BODY_BYTES)


class StreamedResponse:
    """A provider's answer whose body is read as it arrives (from ``XRoadClient.stream``)."""

    def __init__(self, response: httpx.Response, head: StreamHead, x_road_id: str | None) -> None:
        self._response = response
        self._x_road_id = x_road_id
        self.status = head.status
        self.headers = head.headers
        self.x_road = head.x_road
        self.media_type = head.media_type
        self.is_success = head.is_success

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body, content-decoded: chunks as they arrive, or of ``chunk_size`` bytes."""
        try:
            yield from self._response.iter_bytes(chunk_size)
        except httpx.HTTPError as exc:
            raise translate_http_error(exc, x_road_id=self._x_road_id) from exc

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body as sent (not content-decoded)."""
        try:
            yield from self._response.iter_raw(chunk_size)
        except httpx.HTTPError as exc:
            raise translate_http_error(exc, x_road_id=self._x_road_id) from exc

    def copy_to(self, file: IO[bytes], chunk_size: int | None = None) -> int:
        """Write the body to ``file``; returns the number of bytes written."""
        written = 0
        for chunk in self.iter_bytes(chunk_size):
            file.write(chunk)
            written += len(chunk)
        return written


class AsyncStreamedResponse:
    """The async twin of :class:`StreamedResponse` (from ``AsyncXRoadClient.stream``)."""

    def __init__(self, response: httpx.Response, head: StreamHead, x_road_id: str | None) -> None:
        self._response = response
        self._x_road_id = x_road_id
        self.status = head.status
        self.headers = head.headers
        self.x_road = head.x_road
        self.media_type = head.media_type
        self.is_success = head.is_success

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes(chunk_size):
                yield chunk
        except httpx.HTTPError as exc:
            raise translate_http_error(exc, x_road_id=self._x_road_id) from exc

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw(chunk_size):
                yield chunk
        except httpx.HTTPError as exc:
            raise translate_http_error(exc, x_road_id=self._x_road_id) from exc
