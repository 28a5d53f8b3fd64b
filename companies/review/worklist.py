"""The clerks' queue: what needs a human."""

from __future__ import annotations

from django.db.models import QuerySet

from companies.models import (
    Application,
    ApplicationStatus,
)
from portal.models import User

QUEUE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CHECKING,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
)


def queue(
    *,
    status: str = "",
    legal_form: str = "",
    flag: str = "",
    clerk: User | None = None,
) -> QuerySet[Application]:
    """What needs a human, oldest first (the least time left on the 24-hour clock)."""
    applications = Application.objects.filter(status__in=QUEUE_STATUSES)
    if status in QUEUE_STATUSES:
        applications = applications.filter(status=status)
    if legal_form:
        applications = applications.filter(legal_form__code=legal_form)
    if flag == "attention":
        applications = applications.filter(needs_attention=True)
    elif flag == "unassigned":
        applications = applications.filter(assigned_to__isnull=True)
    elif flag == "mine" and clerk is not None:
        applications = applications.filter(assigned_to=clerk)
    return applications.select_related("legal_form", "assigned_to").order_by(
        "first_submitted_at", "pk"
    )
