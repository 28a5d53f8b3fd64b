"""Writes of the domain other than status changes (those live in ``workflow.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from companies import selectors
from companies.models import Application, NameReservation
from companies.names import NameVerdict, Outcome, judge_name
from portal.models import User

RESERVATION_DAYS = 180


class NameNotAvailable(Exception):
    def __init__(self, verdict: NameVerdict) -> None:
        super().__init__(verdict.proposed)
        self.verdict = verdict


def check_name(*, name: str, holder: User | None = None) -> NameVerdict:
    return judge_name(name, selectors.name_candidates(ignore_holder=holder))


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
