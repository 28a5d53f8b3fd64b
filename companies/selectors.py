"""Reads, and the access checks that go with them."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from companies.models import Company, NameReservation
from companies.names import Candidate, Source
from portal.models import User


def name_candidates(
    *, ignore_holder: User | None = None, now: datetime | None = None
) -> list[Candidate]:
    """Names a new one is compared with: the register and reservations still in force."""
    now = now or timezone.now()
    registered = Company.objects.filter(status=Company.Status.ACTIVE).values_list(
        "name", "normalised_name"
    )
    reserved = NameReservation.objects.filter(
        status=NameReservation.Status.ACTIVE, expires_at__gt=now
    )
    if ignore_holder is not None:
        reserved = reserved.exclude(holder=ignore_holder)
    return [Candidate(name, normalised, Source.REGISTERED) for name, normalised in registered] + [
        Candidate(name, normalised, Source.RESERVED)
        for name, normalised in reserved.values_list("name", "normalised_name")
    ]
