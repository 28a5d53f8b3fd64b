"""Who may call which service, and the trail of every call.

The portal's Security Server already checked its own access rights before forwarding; the
register checks again against its allowlist (``AgencyAccess``, kept in the admin), because the
allowlist is per service of this API and the register's own decision. That is safe only
because the API answers solely the Security Server (``trust.py``: its certificate or address),
checked before anything else.

X-Road forwards every X-Road-Client header a consumer sent and acts on the last one
(nordic-institute/X-Road#1177); so do we. The X-Road headers are read with the library's
provider-side helper (``xroad_client.provider.read_rest_request``), which takes the last of
the values Django joined with commas.

The allowlist is read from the database at most once per ``ALLOWLIST_SECONDS`` in each process
(``Allowlist``): a client switched off in the admin is refused by every gunicorn worker within
that time, and at once by the process that saved it (the admin calls ``forget_allowlist``). A
client the cached list does not have is looked up again before it is refused, so an entry just
added is honoured at once.

Every request is logged (``record_request``) before its answer leaves: appended to this
process's spool file, which the operating system holds once the call returns, and ingested into
the table in batches, off the request path (``spool.py``), each entry once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.signals import request_finished
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import HttpHeaders
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import APIKeyHeader

from companies.api import spool
from companies.api.errors import ApiError, ErrorCode
from companies.api.trust import from_security_server, require_security_server
from companies.models import AgencyAccess, AgencyRequest, AgencyService
from xroad_client import ClientId
from xroad_client.errors import IdentifierError
from xroad_client.provider import IncomingRest, last_client_value, read_rest_request

CLIENT_HEADER = "X-Road-Client"
X_ROAD_META_PREFIX = "HTTP_X_ROAD_"  # how WSGI names every X-Road-* header

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def last_client(raw: str) -> str:
    """The last X-Road-Client value of a header Django may have joined with commas."""
    return last_client_value(raw)


def x_road_headers(request: HttpRequest) -> dict[str, str]:
    """The request's X-Road-* headers by name, as Django's ``request.headers`` has them (the
    values of a repeated header joined with commas), taken from the WSGI environ: the
    library's reader scans what it is given once per header it knows, and scanning
    ``request.headers`` seven times cost more than the rest of the authentication."""
    return {
        HttpHeaders.parse_header_name(key) or key: value
        for key, value in request.META.items()
        if key.startswith(X_ROAD_META_PREFIX)
    }


def incoming(request: HttpRequest) -> IncomingRest:
    """The X-Road headers the Security Server forwarded with ``request``, read once a request
    (the authentication and the request log both need them)."""
    read: IncomingRest | None = getattr(request, "_x_road_headers", None)
    if read is None:
        read = read_rest_request(x_road_headers(request))
        request._x_road_headers = read  # type: ignore[attr-defined]
    return read


def subsystem_id(text: str) -> str | None:
    """``INSTANCE/CLASS/MEMBER/SUBSYSTEM`` as X-Road encodes it; None if it names no subsystem."""
    try:
        client = ClientId.decode(text)
    except IdentifierError:
        return None
    return client.encode() if client.subsystem_code is not None else None


def canonical_client(text: str) -> str:
    client = subsystem_id(text)
    if client is None:
        message = _("X-Road-Client must name a subsystem: INSTANCE/CLASS/MEMBER/SUBSYSTEM.")
        raise ApiError(ErrorCode.INVALID_CLIENT, message)
    return client


ALLOWLIST_SECONDS = 5.0  # how long a worker trusts its copy of the allowlist


class Allowlist:
    """The active allowlist entries as ``(client, service)`` pairs, read at most once per
    ``seconds`` unless a pair is missing (then read again before refusing)."""

    def __init__(self, *, seconds: float) -> None:
        self.seconds = seconds
        self._entries: frozenset[tuple[str, str]] = frozenset()
        self._read_at = -float("inf")
        self._lock = threading.Lock()

    def allows(self, client: str, service: str) -> bool:
        fresh = time.monotonic() - self._read_at < self.seconds
        if fresh and (client, service) in self._entries:
            return True
        return (client, service) in self._read()

    def _read(self) -> frozenset[tuple[str, str]]:
        rows = AgencyAccess.objects.filter(active=True).values_list("client", "service")
        entries = frozenset(rows)
        with self._lock:
            self._entries, self._read_at = entries, time.monotonic()
        return entries

    def forget(self) -> None:
        with self._lock:
            self._entries, self._read_at = frozenset(), -float("inf")


allowlist = Allowlist(seconds=ALLOWLIST_SECONDS)


def forget_allowlist() -> None:
    """After the allowlist changed: this process reads it again once the change commits."""
    transaction.on_commit(allowlist.forget)


class XRoadClient(APIKeyHeader):
    """The X-Road client subsystem, allowed when the allowlist has it for this service."""

    param_name = CLIENT_HEADER

    def __init__(self, service: AgencyService) -> None:
        self.service = service
        super().__init__()

    def _get_key(self, request: HttpRequest) -> str | None:
        return incoming(request).client_header

    def authenticate(self, request: HttpRequest, key: str | None) -> str:
        require_security_server(request)
        if not key:
            message = _("Requests must carry the X-Road-Client header of the calling subsystem.")
            raise ApiError(ErrorCode.MISSING_CLIENT, message)
        decoded = incoming(request).client  # ``key`` decoded already, when it could be
        if decoded is not None and decoded.subsystem_code is not None:
            client = decoded.encode()
        else:
            client = canonical_client(key)  # refused, with the reason
        if not allowlist.allows(client, self.service.value):
            message = _("The subsystem %(client)s may not use the service %(service)s.") % {
                "client": client,
                "service": self.service.value,
            }
            raise ApiError(ErrorCode.ACCESS_DENIED, message, status=403)
        return client


def allowed_client(request: HttpRequest, service: AgencyService) -> str | None:
    """The calling subsystem as the allowlist spells it, when the request may use ``service``
    as it stands (it came from the Security Server, names a subsystem, which the allowlist
    has); None otherwise, and ``XRoadClient`` says why."""
    if not from_security_server(request):
        return None
    decoded = incoming(request).client
    if decoded is None or decoded.subsystem_code is None:
        return None
    client = decoded.encode()
    return client if allowlist.allows(client, service.value) else None


def _caller(request: HttpRequest) -> str:
    """The allowed client as the allowlist spells it, else the last header value as sent."""
    allowed = getattr(request, "auth", None)
    return allowed if isinstance(allowed, str) else incoming(request).client_header or ""


def _clean(text: str, *, limit: int) -> str:
    return text.replace("\x00", "")[:limit]


def record_request(**fields: Any) -> None:
    """One entry of the request log, held by the operating system before the answer leaves
    (``spool``); straight into the table should the spool refuse it (a full disk, say)."""
    try:
        spool.spool.append(**fields)
    except OSError:
        logger.exception("the request log spool refused an entry; it is written to the table")
        AgencyRequest.objects.create(entry_id=uuid.uuid4(), **fields)


def _ingest_when_due(sender: object, **kwargs: object) -> None:
    spool.spool.ingest_if_due()


# After the answer was written (the response closed), never in the way of one.
request_finished.connect(_ingest_when_due, dispatch_uid="agency-api-request-log")


def answered(
    request: HttpRequest, response: HttpResponseBase, *, service: AgencyService, started: float
) -> None:
    """The answer to a request of ``service`` begun at ``started`` (``perf_counter``): its
    X-Road-Id echoed, and its entry in the request log."""
    headers = incoming(request)
    x_road_id = headers.x_road_id or ""
    if x_road_id:
        response["X-Road-Id"] = x_road_id
    record_request(
        x_road_id=_clean(x_road_id, limit=100),
        client=_clean(_caller(request), limit=255),
        service=service,
        user_id=_clean(headers.user_id or "", limit=100),
        method=request.method or "",
        path=_clean(request.get_full_path(), limit=500),
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def logged(service: AgencyService) -> Callable[[View], View]:
    """Record every request of ``service`` (refused ones too) and echo its X-Road-Id."""

    def decorate(run: View) -> View:
        @wraps(run)
        def run_logged(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            started = time.perf_counter()
            response = run(request, *args, **kwargs)
            answered(request, response, service=service, started=started)
            return response

        return run_logged

    return decorate


def service_router(service: AgencyService) -> Router:
    """A router for one service: its allowlist check and its request log."""
    router = Router(auth=XRoadClient(service), tags=[service.value])
    router.add_decorator(logged(service), mode="view")
    return router
