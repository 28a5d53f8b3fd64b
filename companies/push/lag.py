"""How far behind a subscription is: what the admin shows for each one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from companies.models import AgencySubscription
from companies.push.delivery import wanted


@dataclass(frozen=True)
class Lag:
    behind: int  # changes it wants that it has not taken yet
    oldest: timedelta | None  # since the oldest of them was written; None when up to date


def lag_of(subscription: AgencySubscription) -> Lag:
    waiting = wanted(subscription)
    first = waiting.values_list("created_at", flat=True).first()
    if first is None:
        return Lag(0, None)
    return Lag(waiting.count(), timezone.now() - first)
