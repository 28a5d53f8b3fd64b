"""Names: checking one, reserving it for 180 days, naming an application, and letting old
reservations lapse. The judging itself (normalising, resemblance, forbidden words) is
``names.py``'s; this module keeps what the database must hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.filing import read
from companies.filing.names import NameVerdict, Outcome, judge_name
from companies.models import Application, NameReservation
from portal.models import User

RESERVATION_DAYS = 180


class NameNotAvailable(Exception):
    def __init__(self, verdict: NameVerdict) -> None:
        super().__init__(verdict.proposed)
        self.verdict = verdict


def check_name(*, name: str, holder: User | None = None) -> NameVerdict:
    return judge_name(name, read.name_candidates(ignore_holder=holder))


def reserve_name(
    *, holder: User, name: str, application: Application | None = None, now: datetime | None = None
) -> NameReservation:
    """Reserve a name for 180 days. Race-safe: the database keeps one active holder per name."""
    now = now or timezone.now()
    verdict = check_name(name=name, holder=holder)
    if not verdict.allowed:
        raise NameNotAvailable(verdict)
    with transaction.atomic():
        NameReservation.objects.filter(
            normalised_name=verdict.normalised,
            status=NameReservation.Status.ACTIVE,
            expires_at__lte=now,
        ).update(status=NameReservation.Status.EXPIRED)
        mine = NameReservation.objects.filter(
            holder=holder, normalised_name=verdict.normalised, status=NameReservation.Status.ACTIVE
        ).first()
        if mine is not None:
            return mine
        try:
            with transaction.atomic():
                return NameReservation.objects.create(
                    name=name.strip(),
                    normalised_name=verdict.normalised,
                    holder=holder,
                    application=application,
                    expires_at=now + timedelta(days=RESERVATION_DAYS),
                )
        except IntegrityError:
            raise NameNotAvailable(replace(verdict, outcome=Outcome.TAKEN)) from None


def expire_name_reservations(*, now: datetime | None = None) -> int:
    return NameReservation.objects.filter(
        status=NameReservation.Status.ACTIVE, expires_at__lte=now or timezone.now()
    ).update(status=NameReservation.Status.EXPIRED)


def name_application(*, application: Application, name: str) -> NameVerdict:
    """Check and reserve the name for this application; a refused name is kept as typed, with
    its verdict, so the applicant sees why and nothing they wrote is lost."""
    try:
        reservation = reserve_name(holder=application.filer, name=name, application=application)
    except NameNotAvailable as refused:
        verdict = refused.verdict
    else:
        verdict = check_name(name=name, holder=application.filer)
        NameReservation.objects.filter(
            application=application, status=NameReservation.Status.ACTIVE
        ).exclude(pk=reservation.pk).update(status=NameReservation.Status.RELEASED)
        if reservation.application_id is None:
            reservation.application = application
            reservation.save(update_fields=["application"])
    application.proposed_name = name.strip()
    application.normalised_name = verdict.normalised
    application.name_verdict = verdict_as_data(verdict)
    application.save(
        update_fields=["proposed_name", "normalised_name", "name_verdict", "updated_at"]
    )
    return verdict


def verdict_as_data(verdict: NameVerdict) -> dict[str, object]:
    return {
        "outcome": verdict.outcome.value,
        "allowed": verdict.allowed,
        "normalised": verdict.normalised,
        "too_short": verdict.too_short,
        "resemblances": [
            {"name": r.name, "source": r.source.value, "score": r.score}
            for r in verdict.resemblances
        ],
        "word_problems": [{"word": p.word, "kind": p.kind} for p in verdict.word_problems],
    }


def release_names_of(application: Application) -> int:
    """Let go of the application's active name reservations (it was withdrawn): the name is
    free for anyone again. Returns how many were released."""
    return NameReservation.objects.filter(
        application=application, status=NameReservation.Status.ACTIVE
    ).update(status=NameReservation.Status.RELEASED)
