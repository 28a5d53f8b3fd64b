"""Filing the pieces: a row per applicable procedure once the company is registered, then one
X-Road call per piece, retried until the agency answers.

The row (and its ``request_id``) is written before anything is sent, so every attempt, by any
worker, after any crash, carries the same id and the agency files the procedure once. An agency
that does not answer raises ``RegistryUnavailable`` for its own piece only: the task retries it
with backoff, the other pieces and the registration never wait for it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from companies import jobs, notifications, registries
from companies.models import Company, Piece
from companies.pieces import connectors
from companies.registries import Outcome, RegistryUnavailable

log = logging.getLogger(__name__)

FINAL = {
    Outcome.ANSWERED: Piece.State.ANSWERED,
    Outcome.REFUSED: Piece.State.REFUSED,
    Outcome.NEEDS_FOUNDER: Piece.State.NEEDS_FOUNDER,
}


def open_pieces(company: Company) -> list[Piece]:
    """The company's pieces, one per procedure that applies and whose agency joined (made now
    when missing, each with its request id). Safe to run again."""
    application = company.application
    if application is None:
        return []
    wanted = [c.code for c in connectors.applicable(application) if c.joined]
    existing = {p.connector: p for p in company.pieces.filter(connector__in=wanted)}
    missing = [Piece(company=company, connector=code) for code in wanted if code not in existing]
    Piece.objects.bulk_create(missing, ignore_conflicts=True)
    return list(company.pieces.filter(connector__in=wanted).order_by("pk"))


def messages(company: Company) -> list[jobs.Message]:
    """A ``file_piece`` message per piece still without the agency's answer."""
    assert company.application_id is not None
    return [
        jobs.file_piece(company.application_id, piece.connector)
        for piece in open_pieces(company)
        if not piece.is_final
    ]


def file(application_id: int, connector_code: str) -> Piece:
    """File one piece over X-Road (nothing when the agency answered already) and keep the
    answer; ``RegistryUnavailable`` when the agency did not answer (or the company's RFC it
    needs is still to come): the piece stays filed and is tried again."""
    piece = Piece.objects.select_related("company__application__legal_form").get(
        company__application_id=application_id, connector=connector_code
    )
    if piece.is_final:
        return piece
    connector = connectors.by_code(connector_code)
    body = request_body(piece, connector)
    Piece.objects.filter(pk=piece.pk).update(
        attempts=F("attempts") + 1,
        first_sent_at=Coalesce(F("first_sent_at"), Now()),
        last_sent_at=Now(),
    )
    answer = registries.file_procedure(
        f"file_{connector.code}"[:40],
        service=connector.service,
        path=connector.path,
        body=body,
        application=piece.company.application,
    )
    application = piece.company.application
    piece = record_answer(piece.pk, answer)
    if piece.is_final and application is not None:
        notifications.tell_founders(
            application,
            kind="piece_answered",
            step=f"piece:{piece.pk}",
            extra={"piece": piece, "connector": connector},
        )
    return piece


def request_body(piece: Piece, connector: connectors.Connector) -> dict[str, object]:
    """What the agency is sent: the request id and the fields the connector needs, the same on
    every attempt."""
    company = piece.company
    application = company.application
    assert application is not None
    if "rfc" in connector.fields and not company.rfc:
        raise RegistryUnavailable(f"{connector.code} needs the company's RFC, still to come")
    values: dict[str, object] = {
        "registration_number": company.registration_number,
        "company_name": company.name,
        "legal_form": company.legal_form.code.replace("-", "_"),
        "rfc": company.rfc,
        "registered_office": {
            "street": f"{application.street} {application.exterior_number}".strip(),
            "municipality": application.get_municipality_display(),
            "postal_code": application.postal_code,
        },
        "activity_codes": list(application.activity_codes or []),
    }
    return {"request_id": str(piece.request_id)} | {f: values[f] for f in connector.fields}


def record_answer(piece_id: int, answer: registries.Answer) -> Piece:
    with transaction.atomic():
        piece = Piece.objects.select_for_update().get(pk=piece_id)
        if piece.is_final:  # another worker's attempt kept the same answer first
            return piece
        state = FINAL.get(answer.outcome)
        if state is None:
            piece.last_error = _problem(answer)[:500]
            piece.x_road_id = answer.x_road_id or piece.x_road_id
            piece.save(update_fields=["last_error", "x_road_id"])
        else:
            piece.state = state
            piece.number = str(answer.record.get("number") or "")[:64]
            piece.reason = str(answer.record.get("reason") or "")
            piece.answer = answer.record
            piece.x_road_id = answer.x_road_id
            piece.answered_at = timezone.now()
            piece.last_error = ""
            piece.save(
                update_fields=[
                    "state",
                    "number",
                    "reason",
                    "answer",
                    "x_road_id",
                    "answered_at",
                    "last_error",
                ]
            )
    if answer.outcome == Outcome.UNAVAILABLE:
        raise RegistryUnavailable(f"agency of {piece.connector}")
    if answer.outcome == Outcome.CONFLICT:
        log.error("agency holds other data under a piece's request id", extra={"piece": piece.pk})
    return piece


def _problem(answer: registries.Answer) -> str:
    if answer.outcome == Outcome.CONFLICT:
        return f"the agency holds other data under this request id: {answer.record}"
    return "the agency did not answer"


def waiting_since(cutoff: datetime) -> list[jobs.Message]:
    """A ``file_piece`` message for each piece of a company registered before ``cutoff`` still
    without its answer and not tried since (its task gave up, or its message was lost): the
    supervisor's re-drive sends them again. One tried lately is retrying: left alone."""
    stale = Piece.objects.filter(state=Piece.State.FILED, company__registered_at__lt=cutoff).filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=cutoff)
    )
    return [
        jobs.file_piece(application_id, connector)
        for application_id, connector in stale.values_list("company__application_id", "connector")
        if application_id is not None
    ]
