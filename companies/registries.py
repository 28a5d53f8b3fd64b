"""The registries as the domain sees them: answers, not HTTP.

Every call goes through ``xroad_client`` to the portal's Security Server and is stored as a
``RegistryExchange`` row by the client's exchange hook, linked to the application it served.
A registry that cannot be reached gives ``UNAVAILABLE`` ("try again later"), never a negative
answer: only a registry's definite reply counts against an applicant.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings

from companies.models import Application, RegistryExchange
from portal import metrics
from xroad_client import Exchange, RestResponse, Timeouts, TLSConfig, XRoadClient, XRoadError
from xroad_client.retry import RetryPolicy

log = logging.getLogger(__name__)
_serving: ContextVar[tuple[str, int | None]] = ContextVar("registry_call", default=("", None))


class Outcome(enum.StrEnum):
    ACTIVE = "active"
    NOT_FOUND = "not_found"
    DECEASED = "deceased"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    FOUND = "found"
    CREATED = "created"
    CONFLICT = "conflict"
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"
    ANSWERED = "answered"
    REFUSED = "refused"
    NEEDS_FOUNDER = "needs_founder"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Answer:
    """A registry's answer: the outcome, the record when there is one, and the X-Road-Id."""

    outcome: Outcome
    record: dict[str, Any]
    x_road_id: str = ""

    @property
    def available(self) -> bool:
        return self.outcome != Outcome.UNAVAILABLE


UNAVAILABLE = Answer(Outcome.UNAVAILABLE, {})


class RegistryUnavailable(Exception):
    """A registry could not answer: the work waits and is tried again (what did answer is kept)."""


@dataclass(frozen=True)
class Person:
    curp: str
    given_names: str
    first_surname: str
    second_surname: str
    birth_date: date | None
    nationality: str


def person_from(answer: Answer) -> Person:
    r = answer.record
    born = r.get("birth_date")
    return Person(
        curp=r.get("curp", ""),
        given_names=r.get("given_names", ""),
        first_surname=r.get("first_surname", ""),
        second_surname=r.get("second_surname") or "",
        birth_date=date.fromisoformat(born) if born else None,
        nationality=r.get("nationality", ""),
    )


NEGATIVE_OPINION = "negative_opinion"


def taxpayer_standing(answer: Answer) -> str:
    """The taxpayer in one word: the tax registry's status (``active``, ``suspended``,
    ``cancelled``, ``not_found``, ``unavailable``), or ``negative_opinion`` for an active
    taxpayer whose compliance opinion is negative."""
    if answer.outcome == Outcome.ACTIVE and answer.record.get("compliance_opinion") == "negative":
        return NEGATIVE_OPINION
    return answer.outcome.value


@dataclass(frozen=True)
class DeedParty:
    """A party to a deed: a person (``curp``) or a company (``rfc``), as the registry has it."""

    name: str
    curp: str
    rfc: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Deed:
    """A deed (escritura) as the notary registry answers: what it is, of whom, and when."""

    number: int
    executed_on: date | None
    act: str
    company_name: str
    legal_form: str
    parties: tuple[DeedParty, ...]


def deed_from(answer: Answer) -> Deed:
    r = answer.record
    executed = r.get("executed_on")
    return Deed(
        number=int(r.get("deed_number") or 0),
        executed_on=date.fromisoformat(executed) if executed else None,
        act=str(r.get("act") or ""),
        company_name=str(r.get("company_name") or ""),
        legal_form=str(r.get("legal_form") or ""),
        parties=tuple(
            DeedParty(
                name=str(p.get("name") or ""),
                curp=str(p.get("curp") or "").upper(),
                rfc=str(p.get("rfc") or "").upper(),
                roles=tuple(p.get("roles") or ()),
            )
            for p in r.get("parties") or ()
            if isinstance(p, dict)
        ),
    )


# -- the calls ------------------------------------------------------------------------------


PERSON_STATUSES = {
    "active": Outcome.ACTIVE,
    "deceased": Outcome.DECEASED,
    "withdrawn": Outcome.WITHDRAWN,
}
TAXPAYER_STATUSES = {
    "active": Outcome.ACTIVE,
    "suspended": Outcome.SUSPENDED,
    "cancelled": Outcome.CANCELLED,
}
NOTARY_LICENCE_STATUSES = {
    "active": Outcome.ACTIVE,
    "suspended": Outcome.SUSPENDED,
    "revoked": Outcome.CANCELLED,
}


def check_person(curp: str, *, application: Application | None = None, user_id: str = "") -> Answer:
    """Population registry: does this CURP exist, and is the person alive and the CURP valid?"""
    response = _call(
        "check_person",
        method="GET",
        service="population",
        path=f"/v1/personas/{curp}",
        application=application,
        user_id=user_id,
    )
    return _status_answer(response, field="status", statuses=PERSON_STATUSES)


def check_taxpayer(
    rfc: str, *, application: Application | None = None, user_id: str = ""
) -> Answer:
    """Tax registry: the taxpayer's status and compliance opinion."""
    response = _call(
        "check_taxpayer",
        method="GET",
        service="tax",
        path=f"/v1/contribuyentes/{rfc}",
        application=application,
        user_id=user_id,
    )
    return _status_answer(response, field="status", statuses=TAXPAYER_STATUSES)


def _status_answer(
    response: RestResponse | None, *, field: str, statuses: dict[str, Outcome]
) -> Answer:
    """A record lookup: 400/404 is a definite "not found"; an unknown status is not an answer."""
    if response is None:
        return UNAVAILABLE
    if response.status in (400, 404):
        return Answer(Outcome.NOT_FOUND, {}, _id(response))
    record = _json(response)
    if record is None:
        return UNAVAILABLE
    return Answer(statuses.get(record.get(field, ""), Outcome.UNAVAILABLE), record, _id(response))


def check_notary(state: str, *, number: int, application: Application | None = None) -> Answer:
    """Notary registry: is this notary licensed, and is the licence active?"""
    path = f"/v1/notarios/{state}/{number}"
    response = _call(
        "check_notary", method="GET", service="notaries", path=path, application=application
    )
    return _lookup(response, licence=True)


def find_deed(
    state: str, *, notary: int, deed: int, application: Application | None = None
) -> Answer:
    """Notary registry: the deed this notary executed under this number (``deed_from`` reads it).

    ``FOUND`` with the record, or ``NOT_FOUND`` (no such deed, or no such notary)."""
    path = f"/v1/notarios/{state}/{notary}/escrituras/{deed}"
    response = _call(
        "check_deed", method="GET", service="notaries", path=path, application=application
    )
    return _lookup(response)


def register_company_rfc(
    *,
    company_name: str,
    legal_form: str,
    registration_number: str,
    incorporated_on: date,
    office: dict[str, str],
    application: Application | None = None,
) -> Answer:
    """Tax registry: a new RFC for the company. Idempotent per registration number."""
    body = {
        "company_name": company_name,
        "legal_form": legal_form,
        "registration_number": registration_number,
        "incorporated_on": incorporated_on.isoformat(),
        "registered_office": office,
    }
    response = _call(
        "register_rfc",
        method="POST",
        service="tax",
        path="/v1/contribuyentes/personas-morales",
        application=application,
        json=body,
        idempotent=True,
    )
    if response is None:
        return UNAVAILABLE
    if response.status == 409:
        return Answer(Outcome.CONFLICT, _json(response) or {}, _id(response))
    record = _json(response) if response.is_success else None
    return Answer(Outcome.CREATED, record, _id(response)) if record else UNAVAILABLE


def create_payment(
    *, amount: Decimal, concept: str, client_key: str, application: Application | None = None
) -> Answer:
    """Payments registry: a payment reference. ``client_key`` makes a retry return the same one."""
    body = {"amount": f"{amount:.2f}", "concept": concept, "client_key": client_key}
    response = _call(
        "create_payment",
        method="POST",
        service="payments",
        path="/v1/referencias",
        application=application,
        json=body,
        idempotent=True,
    )
    record = _json(response) if response is not None and response.is_success else None
    return Answer(Outcome.CREATED, record, _id(response)) if record and response else UNAVAILABLE


def payment_status(reference: str, *, application: Application | None = None) -> Answer:
    response = _call(
        "payment_status",
        method="GET",
        service="payments",
        path=f"/v1/referencias/{reference}",
        application=application,
    )
    statuses = {"pending": Outcome.PENDING, "paid": Outcome.PAID, "expired": Outcome.EXPIRED}
    return _status_answer(response, field="status", statuses=statuses)


OCSP_REQUEST = "application/ocsp-request"
OCSP_RESPONSE = "application/ocsp-response"


def certificate_status(request: bytes, *, application: Application | None = None) -> Answer:
    """Tax registry: SAT's OCSP answer on an e.firma certificate (``request`` is a DER
    OCSPRequest). ``FOUND`` with the DER OCSPResponse as ``record["ocsp_response"]``, to be read
    and checked by ``companies.signatures``; anything but an OCSP answer is ``UNAVAILABLE``."""
    response = _call(
        "certificate_status",
        method="POST",
        service="certificates",
        path="/v1/ocsp",
        application=application,
        content=request,
        headers={"Content-Type": OCSP_REQUEST},
        idempotent=True,
    )
    if response is None or response.status != 200 or response.media_type != OCSP_RESPONSE:
        return UNAVAILABLE
    return Answer(Outcome.FOUND, {"ocsp_response": response.content}, _id(response))


PROCEDURE_OUTCOMES = {
    "answered": Outcome.ANSWERED,
    "refused": Outcome.REFUSED,
    "needs_founder": Outcome.NEEDS_FOUNDER,
}


def file_procedure(
    operation: str,
    *,
    service: str,
    path: str,
    body: dict[str, Any],
    application: Application | None = None,
) -> Answer:
    """An agency's procedure for a registered company (``service`` the X-Road service id, from
    the connector's data). ``body["request_id"]`` is the idempotency key: posting it again is
    answered with the first answer, so the call is retried as an idempotent one. ``ANSWERED``
    (``record["number"]``), ``REFUSED`` or ``NEEDS_FOUNDER`` (``record["reason"]``), ``CONFLICT``
    when the agency holds other data under the id; anything else is ``UNAVAILABLE``."""
    response = _call(
        operation,
        method="POST",
        service=service,
        path=path,
        application=application,
        json=body,
        idempotent=True,
        issue=str(body["request_id"]),  # X-Road-Issue: every attempt names the one procedure
    )
    if response is None:
        return UNAVAILABLE
    if response.status == 409:
        return Answer(Outcome.CONFLICT, _json(response) or {}, _id(response))
    record = _json(response) if response.is_success else None
    outcome = PROCEDURE_OUTCOMES.get(str((record or {}).get("status")))
    if record is None or outcome is None:
        return UNAVAILABLE
    return Answer(outcome, record, _id(response))


# -- plumbing -------------------------------------------------------------------------------


def _lookup(response: RestResponse | None, *, licence: bool = False) -> Answer:
    if licence:
        return _status_answer(response, field="licence_status", statuses=NOTARY_LICENCE_STATUSES)
    answer = _status_answer(response, field="", statuses={})
    if answer.outcome == Outcome.UNAVAILABLE and answer.record:
        return Answer(Outcome.FOUND, answer.record, answer.x_road_id)
    return answer


def _call(
    operation: str,
    *,
    method: str,
    service: str,
    path: str,
    application: Application | None,
    user_id: str = "",
    **options: Any,
) -> RestResponse | None:
    """One registry call; None when the registry could not answer (X-Road fault, transport)."""
    if user_id:
        options["user_id"] = user_id
    token = _serving.set((operation, application.pk if application else None))
    try:
        # A registry's name in XROAD_SERVICES, or (a connector's, from its data) a service id.
        service_id = service if "/" in service else settings.XROAD_SERVICES[service]
        response = client().request(method, service_id, path, **options)
    except XRoadError as error:
        log.warning("registry unavailable", extra={"operation": operation, "error": repr(error)})
        metrics.registry_call(_service_label(service), "unavailable")
        return None
    finally:
        _serving.reset(token)
    if response.status >= 500:
        metrics.registry_call(_service_label(service), "unavailable")
        return None
    outcome = "client_error" if response.status >= 400 else "ok"
    metrics.registry_call(_service_label(service), outcome)
    return response


def _service_label(service: str) -> str:
    """The metrics' name of a service: its key in XROAD_SERVICES, ``connector`` for the many
    service ids of the connectors (a bounded label)."""
    return "connector" if "/" in service else service


def _json(response: RestResponse) -> dict[str, Any] | None:
    try:
        body = response.json()
    except XRoadError:
        return None
    return body if isinstance(body, dict) else None


def _id(response: RestResponse | None) -> str:
    return (response.x_road.id or "") if response is not None else ""


_collector: ContextVar[list[RegistryExchange] | None] = ContextVar(
    "exchange_collector", default=None
)


@contextmanager
def exchanges_collected() -> Iterator[list[RegistryExchange]]:
    """Collect exchange rows instead of writing them (for calls made from worker threads, which
    must not touch the database); the rows are written when the block ends, in this thread."""
    rows: list[RegistryExchange] = []
    token = _collector.set(rows)
    try:
        yield rows
    finally:
        _collector.reset(token)
        RegistryExchange.objects.bulk_create(rows)


def record_exchange(exchange: Exchange) -> None:
    """The exchange hook: every attempt of every call becomes a RegistryExchange row."""
    operation, application_id = _serving.get()
    row = RegistryExchange(
        operation=operation or exchange.protocol,
        service=str(exchange.service or ""),
        method=exchange.method,
        attempt=exchange.attempt,
        x_road_id=exchange.x_road_id or "",
        request_id=exchange.request_id or "",
        request_hash=exchange.request_hash or "",
        http_status=exchange.status,
        fault_code=str(exchange.fault_code or ""),
        error=(exchange.error or "")[:500],
        duration_ms=round(exchange.duration * 1000, 1),
        application_id=application_id,
    )
    collector = _collector.get()
    if collector is not None:
        collector.append(row)
    else:
        row.save()


@cache
def client() -> XRoadClient:
    """One long-lived client per process (connection pooling); ``client.cache_clear()`` resets."""
    tls = None
    if settings.XROAD_TLS_CERT or settings.XROAD_CA_BUNDLE:
        tls = TLSConfig(
            ca_bundle=settings.XROAD_CA_BUNDLE or None,
            client_cert=settings.XROAD_TLS_CERT or None,
            client_key=settings.XROAD_TLS_KEY or None,
        )
    timeout = settings.XROAD_TIMEOUT
    return XRoadClient(
        settings.XROAD_SECURITY_SERVER_URL,
        settings.XROAD_CLIENT,
        timeouts=Timeouts(
            connect=min(timeout, 5.0), read=timeout, write=timeout, pool=min(timeout, 5.0)
        ),
        tls=tls,
        retry=RetryPolicy(max_attempts=2, deadline=timeout * 2),
        on_exchange=record_exchange,
    )
