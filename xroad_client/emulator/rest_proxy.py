"""The REST (r1) path through the emulated consumer and provider Security Servers."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Final
from urllib.parse import quote

from xroad_client import codes
from xroad_client import headers as h
from xroad_client.emulator._asgi import Request, Response
from xroad_client.emulator.exchange_log import ExchangeDraft
from xroad_client.emulator.metaservices import REST_METASERVICES, rest_metaservice
from xroad_client.emulator.providers import Forward, ProviderAnswer, ProviderStream
from xroad_client.emulator.refusals import Refusal, rest_error_response
from xroad_client.emulator.runtime import Runtime
from xroad_client.emulator.topology import BadRequestStyle
from xroad_client.errors import IdentifierError
from xroad_client.identifiers import ClientId, RestTarget, ServiceId, parse_rest_target

__all__ = ["handle_rest", "header_id", "rest_request_hash"]

_STRIPPED_REQUEST: Final = h.FILTERED_HEADERS | {
    h.X_ROAD_REQUEST_ID.lower(),
    h.X_ROAD_REQUEST_HASH.lower(),
}
# A provider's X-Road-Service and X-Road-Error pass through (RestResponse drops only these).
_STRIPPED_RESPONSE: Final = h.FILTERED_HEADERS | {
    name.lower()
    for name in (h.X_ROAD_ID, h.X_ROAD_CLIENT, h.X_ROAD_REQUEST_ID, h.X_ROAD_REQUEST_HASH)
}
_VERBS: Final = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"})
# What a URI path segment may hold unescaped (RFC 3986 pchar), as X-Road writes its ids back.
_SEGMENT_SAFE: Final = "-._~!$&'()*+,;=:@"


def rest_request_hash(method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> str:
    """base64 SHA-512(SHA-512(head) || SHA-512(body)), or SHA-512(head) without a body."""
    head_lines = [f"{method} {target}", *(f"{name}: {value}" for name, value in headers)]
    digest = hashlib.sha512("\r\n".join(head_lines).encode("utf-8")).digest()
    if body:
        digest = hashlib.sha512(digest + hashlib.sha512(body).digest()).digest()
    return base64.b64encode(digest).decode("ascii")


def _target(runtime: Runtime, request: Request) -> RestTarget:
    if request.method not in _VERBS:
        raise runtime.bad_request(
            codes.CLIENT_PROXY_INTERNAL_ERROR, f"Unsupported HTTP method {request.method}"
        )
    try:
        return parse_rest_target(request.target)
    except IdentifierError as exc:
        spec = runtime.topology.bad_request_style is BadRequestStyle.SPEC
        message = (
            "Error parsing the client's REST request. Check that the request format corresponds"
            f" to the X-Road Message Protocol for REST (r1): {exc}"
            if spec
            else _uri_problem(request.raw_path, exc)
        )
        raise runtime.bad_request(codes.CLIENT_PROXY_INTERNAL_ERROR, message) from exc


def _uri_problem(path: str, exc: IdentifierError) -> str:
    """RestRequest.decodeIdentifiers' words: too few segments, or the part that failed."""
    return "Invalid request URI" if len(path.split("/", 7)) < 7 else str(exc)


def _client(runtime: Runtime, request: Request) -> ClientId:
    raw = request.header(h.X_ROAD_CLIENT)
    if raw is None:
        spec = runtime.topology.bad_request_style is BadRequestStyle.SPEC
        message = (
            "The X-Road-Client header is missing" if spec else "The client identifier is missing"
        )
        raise runtime.bad_request(codes.INVALID_CLIENT_IDENTIFIER, message)
    try:
        client = ClientId.decode(raw.strip())
    except IdentifierError as exc:
        parts = len(raw.strip().split("/"))
        message = "Invalid Client Id" if not 3 <= parts <= 4 else f"Invalid Client Id: {exc}"
        raise runtime.bad_request(codes.CLIENT_PROXY_INTERNAL_ERROR, message) from exc
    runtime.check_strict(client)
    return client


def header_id(parts: tuple[str, ...]) -> str:
    """An id as a Security Server writes it in a response header: each part escaped as a
    URI path segment, so ``' ( ) + , = :`` stay as they are (RestResponse ``encodeXRoadId``)."""
    return "/".join(quote(part, safe=_SEGMENT_SAFE) for part in parts)


def _forward(request: Request, target: RestTarget, x_road_id: str, request_id: str) -> Forward:
    headers = [(k, v) for k, v in request.headers if k not in _STRIPPED_REQUEST]
    if request.header(h.X_ROAD_ID) is None:
        headers.append((h.X_ROAD_ID, x_road_id))
    headers.append((h.X_ROAD_REQUEST_ID, request_id))
    query = f"?{target.query}" if target.query else ""
    return Forward(request.method, target.service_path + query, headers, request.body)


def _xroad_response_headers(
    x_road_id: str, client: ClientId, service: ServiceId, request_id: str, request_hash: str
) -> list[tuple[str, str]]:
    return [
        (h.X_ROAD_ID, x_road_id),
        (h.X_ROAD_CLIENT, header_id(client.parts)),
        (h.X_ROAD_SERVICE, header_id((*service.provider.parts, service.service_code))),
        (h.X_ROAD_REQUEST_ID, request_id),
        (h.X_ROAD_REQUEST_HASH, request_hash),
    ]


def _relay(answer: ProviderAnswer, method: str, xroad: list[tuple[str, str]]) -> Response:
    headers = [(k, v) for k, v in answer.headers if k.lower() not in _STRIPPED_RESPONSE]
    if method != "HEAD":
        headers.append(("content-length", str(len(answer.body))))
    return Response(answer.status, headers + xroad, answer.body)


async def _relay_stream(
    stream: ProviderStream, method: str, xroad: list[tuple[str, str]]
) -> Response:
    """The provider's answer relayed as it arrives, as a Security Server streams it."""
    headers = [(k, v) for k, v in stream.headers if k.lower() not in _STRIPPED_RESPONSE]
    length = [v for k, v in stream.headers if k.lower() == "content-length"]
    if method == "HEAD":
        await stream.aclose()
        return Response(stream.status, headers + xroad)
    if length:
        headers.append(("content-length", length[-1]))
    return Response(stream.status, headers + xroad, stream=stream)


async def _proxy(runtime: Runtime, request: Request, draft: ExchangeDraft) -> Response:
    target = _target(runtime, request)
    draft.service = target.service.encode()
    client = _client(runtime, request)
    draft.client = client.encode()
    x_road_id = request.header(h.X_ROAD_ID) or f"{runtime.topology.instance}-{uuid.uuid4()}"
    draft.x_road_id = x_road_id
    runtime.require_local_client(client)
    runtime.require_connection(client, request)
    runtime.require_provider(target.service)
    runtime.check_loggable(len(request.body))
    request_id = str(uuid.uuid4())
    draft.request_id = request_id
    forward = _forward(request, target, x_road_id, request_id)
    request_hash = rest_request_hash(forward.method, request.target, forward.headers, forward.body)
    draft.request_hash = request_hash
    xroad = _xroad_response_headers(x_road_id, client, target.service, request_id, request_hash)
    code = target.service.service_code
    if request.method == "GET" and code in REST_METASERVICES:
        answer = rest_metaservice(runtime, client, target)
        return _relay(answer, request.method, xroad)
    service = runtime.require_service(target.service)
    if service.kind != "REST":
        raise Refusal(
            codes.SERVICE_TYPE,
            "Service is a SOAP service and cannot be called using REST interface",
        )
    runtime.require_access(service, client, request.method, target.service_path)
    await runtime.misbehave(service)
    stream = await runtime.providers.open(service.provider, forward, timeout_s=service.timeout_s)
    return await _relay_stream(stream, request.method, xroad)


async def handle_rest(runtime: Runtime, request: Request, draft: ExchangeDraft) -> Response:
    """Answer one ``/r1/...`` request as a pair of Security Servers would."""
    try:
        response = await _proxy(runtime, request, draft)
    except Refusal as refusal:
        spelling = runtime.topology.error_spelling
        response = rest_error_response(refusal, spelling, request.header_values("accept"))
        draft.fault_code = refusal.spelled(spelling)
    draft.status = response.status
    return response
