"""REST (r1) messages without I/O: build the request, interpret the response.

``build_rest_request`` produces the exact :class:`httpx.Request` both clients send;
``interpret_rest`` turns what came back into a :class:`RestResponse` or raises the matching
:class:`~xroad_client.errors.XRoadFault` / :class:`~xroad_client.errors.InvalidResponseError`.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

import httpx

from xroad_client import headers as h
from xroad_client._http import RawResponse, media_type
from xroad_client._xml import XMLRejected, find_child, parse_xml, text_of
from xroad_client.errors import (
    IdentifierError,
    InconsistentResponseError,
    InvalidRequestError,
    InvalidResponseError,
    XRoadFault,
    fault_from_code,
)
from xroad_client.identifiers import (
    ClientId,
    RepresentedParty,
    SecurityServerId,
    ServiceId,
)

__all__ = [
    "NO_CONTEXT",
    "USER_AGENT",
    "CallContext",
    "FileField",
    "QueryParams",
    "RestResponse",
    "XRoadHeaders",
    "build_meta_request",
    "build_rest_request",
    "interpret_rest",
    "rest_target",
]

USER_AGENT: Final = "xroad-client/0.1"
_PATH_SAFE: Final = "/%:@!$&'()*+,;=-._~"
# A '%' that does not start an escape (%XX) is a literal one: sent as %25, never bare.
_LONE_PERCENT: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_XML_TYPES: Final = ("application/xml", "text/xml")

Primitive = str | int | float | bool
QueryParams = Mapping[str, Primitive | Sequence[Primitive]]
FileField = tuple[str, bytes, str]


@dataclass(frozen=True, slots=True)
class CallContext:
    """Optional per-call X-Road headers: who acts, in which case, for whom, via which server."""

    user_id: str | None = None
    issue: str | None = None
    represented_party: RepresentedParty | None = None
    security_server: SecurityServerId | None = None

    def validate(self, *, strict: bool) -> None:
        if self.represented_party is not None:
            self.represented_party.validate(strict=strict)
        if self.security_server is not None:
            self.security_server.validate(strict=strict)
        for name, value in (("user id", self.user_id), ("issue", self.issue)):
            if value is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
                raise InvalidRequestError(f"{name} {value!r} contains a control character")

    def headers(self) -> dict[str, str]:
        values = {
            h.X_ROAD_USER_ID: self.user_id,
            h.X_ROAD_ISSUE: self.issue,
            h.X_ROAD_REPRESENTED_PARTY: _encoded(self.represented_party),
            h.X_ROAD_SECURITY_SERVER: _encoded(self.security_server),
        }
        return {name: value for name, value in values.items() if value is not None}


NO_CONTEXT: Final = CallContext()


def _encoded(value: RepresentedParty | SecurityServerId | None) -> str | None:
    return None if value is None else value.encode()


def _provider_path(path: str) -> str:
    if not path:
        return ""
    if "?" in path or "#" in path:
        raise InvalidRequestError(f"path {path!r} must not carry a query or fragment; use params=")
    if not path.startswith("/"):
        path = "/" + path
    return _LONE_PERCENT.sub("%25", quote(path, safe=_PATH_SAFE))


def rest_target(service: ServiceId, path: str = "") -> str:
    """``/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE{path}`` (path percent-encoded)."""
    return f"/r1/{service.encode()}{_provider_path(path)}"


def _extra_headers(extra: Mapping[str, str] | None) -> dict[str, str]:
    if not extra:
        return {}
    managed = sorted(name for name in extra if name.lower() in h.MANAGED_REQUEST_HEADERS)
    if managed:
        raise InvalidRequestError(f"headers {managed} are set by the client, not by the caller")
    return dict(extra)


def build_rest_request(
    *,
    base_url: str,
    method: str,
    client: ClientId,
    service: ServiceId,
    path: str = "",
    x_road_id: str,
    context: CallContext = NO_CONTEXT,
    strict: bool = False,
    params: QueryParams | None = None,
    headers: Mapping[str, str] | None = None,
    content: bytes | str | Iterable[bytes] | AsyncIterable[bytes] | None = None,
    json: object = None,
    data: Mapping[str, str] | None = None,
    files: Mapping[str, FileField] | None = None,
) -> httpx.Request:
    """The HTTP request for one REST call; identifiers are checked before anything is sent.

    Bytes bodies are buffered once, so every retry sends the same bytes; an iterable
    ``content`` is left to stream (see :mod:`xroad_client.streaming`)."""
    verb = method.upper()
    if not verb.isalpha():
        raise InvalidRequestError(f"{method!r} is not an HTTP method")
    client.validate(strict=strict)
    service.validate(strict=strict)
    context.validate(strict=strict)
    all_headers = {"User-Agent": USER_AGENT, **_extra_headers(headers)}
    all_headers[h.X_ROAD_CLIENT] = client.encode()
    all_headers[h.X_ROAD_ID] = x_road_id
    all_headers.update(context.headers())
    url = base_url.rstrip("/") + rest_target(service, path)
    request = httpx.Request(
        verb,
        url,
        params=params,
        headers=all_headers,
        content=content,
        json=json,
        data=data,
        files=files,
    )
    if content is None or isinstance(content, bytes | str):
        request.read()  # buffer once so every retry sends the same bytes
    return request


def build_meta_request(
    *, base_url: str, path: str, params: QueryParams | None = None
) -> httpx.Request:
    """A plain GET to a client-SS metadata endpoint such as ``/listClients``."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    return httpx.Request("GET", base_url.rstrip("/") + path, params=params, headers=headers)


@dataclass(frozen=True, slots=True)
class XRoadHeaders:
    """The X-Road headers of a response, as sent (percent-encoded ids)."""

    id: str | None
    request_id: str | None
    request_hash: str | None
    service: str | None
    client: str | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> XRoadHeaders:
        """The last value of each header: a Security Server appends its own after any the
        provider sent (a provider's X-Road-Service passes through, RestResponse)."""

        def last(name: str) -> str | None:
            values = headers.get_list(name)
            return values[-1] if values else None

        return cls(
            id=last(h.X_ROAD_ID),
            request_id=last(h.X_ROAD_REQUEST_ID),
            request_hash=last(h.X_ROAD_REQUEST_HASH),
            service=last(h.X_ROAD_SERVICE),
            client=last(h.X_ROAD_CLIENT),
        )

    @property
    def service_id(self) -> ServiceId | None:
        """``X-Road-Service`` parsed (None when absent or malformed)."""
        if self.service is None:
            return None
        try:
            return ServiceId.parse(self.service)
        except IdentifierError:
            return None

    @property
    def client_id(self) -> ClientId | None:
        if self.client is None:
            return None
        try:
            return ClientId.parse(self.client)
        except IdentifierError:
            return None


@dataclass(frozen=True, slots=True, eq=False)
class RestResponse:
    """A provider's answer relayed by the Security Server: any status, including 4xx/5xx."""

    status: int
    headers: httpx.Headers
    content: bytes
    x_road: XRoadHeaders

    @property
    def media_type(self) -> str:
        return media_type(self.headers.get("content-type", ""))

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        encoding = "utf-8"
        for param in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                encoding = value.strip('"')
        try:
            return self.content.decode(encoding, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON raises :class:`InvalidResponseError`."""
        try:
            return jsonlib.loads(self.content)
        except ValueError as exc:
            raise InvalidResponseError(
                f"response body is not valid JSON: {exc}",
                http_status=self.status,
                content_type=self.headers.get("content-type"),
                x_road_id=self.x_road.id,
            ) from exc


@dataclass(frozen=True, slots=True)
class ErrorBody:
    type: str | None
    message: str
    detail: str | None


def _json_error(content: bytes) -> ErrorBody:
    data = jsonlib.loads(content)
    if not isinstance(data, dict):
        raise ValueError("error body is not a JSON object")
    return ErrorBody(
        type=_opt_str(data.get("type")),
        message=_opt_str(data.get("message")) or "",
        detail=_opt_str(data.get("detail")),
    )


def _xml_error(content: bytes) -> ErrorBody:
    root = parse_xml(content)
    return ErrorBody(
        type=text_of(find_child(root, None, "type")),
        message=text_of(find_child(root, None, "message")) or "",
        detail=text_of(find_child(root, None, "detail")),
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def parse_error_body(content: bytes, content_type: str) -> ErrorBody:
    """Read ``{"type","message","detail"}`` or ``<error>`` from a Security Server error."""
    kind = media_type(content_type)
    if kind in _XML_TYPES or kind.endswith("+xml"):
        return _xml_error(content)
    return _json_error(content)


def _fault(raw: RawResponse, code: str, x_road_id: str | None) -> XRoadFault:
    try:
        body = parse_error_body(raw.content, raw.content_type)
        message, detail = body.message, body.detail
    except (ValueError, XMLRejected) as exc:
        message = f"unreadable error body ({raw.media_type or 'no content type'}): {exc}"
        detail = None
    return fault_from_code(code, message, detail, x_road_id=x_road_id, http_status=raw.status)


def _describe(raw: RawResponse) -> str:
    snippet = raw.content[:80].decode("utf-8", errors="replace")
    return f"HTTP {raw.status}, {raw.media_type or 'no content type'}, body starts {snippet!r}"


def interpret_rest(
    raw: RawResponse,
    *,
    x_road_id: str | None,
    require_xroad_headers: bool = True,
) -> RestResponse:
    """A Security Server's REST answer: the provider's response, or a raised fault.

    ``X-Road-Error`` makes a fault (whatever the body); a response without it and without the
    X-Road response headers did not pass through a Security Server (e.g. HTML from a proxy)
    and raises :class:`InvalidResponseError`. An X-Road-Id other than ours is inconsistent.
    """
    error_code = raw.headers.get(h.X_ROAD_ERROR)
    if error_code:
        raise _fault(raw, error_code, x_road_id)
    xroad = XRoadHeaders.from_headers(raw.headers)
    if require_xroad_headers and xroad.id is None and xroad.request_id is None:
        raise InvalidResponseError(
            f"response did not come from a Security Server (no X-Road headers): {_describe(raw)}",
            http_status=raw.status,
            content_type=raw.content_type,
            x_road_id=x_road_id,
        )
    if x_road_id is not None and xroad.id is not None and xroad.id != x_road_id:
        raise InconsistentResponseError(
            f"response X-Road-Id {xroad.id!r} does not match the request's {x_road_id!r}",
            http_status=raw.status,
            x_road_id=x_road_id,
        )
    return RestResponse(raw.status, raw.headers, raw.content, xroad)
