"""The clerks' queue, what needs a human; and what the review of one application reads."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from companies import counters
from companies.models import QUEUE_STATUSES, Application, IdentityAlert, Payment, RegistryCheck
from portal.models import User


def queue(
    *,
    status: str = "",
    legal_form: str = "",
    flag: str = "",
    clerk: User | None = None,
) -> QuerySet[Application]:
    """What needs a human, oldest first (the least time left on the 24-hour clock, which each
    row carries in its columns: ``sla.of``)."""
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
    held = IdentityAlert.objects.filter(
        application=OuterRef("pk"), reported_at__isnull=False, released_at__isnull=True
    )
    return (
        applications.select_related("legal_form", "assigned_to")
        .annotate(identity_held=Exists(held))
        .order_by("first_submitted_at", "pk")
    )


def identity_reports(application: Application) -> list[IdentityAlert]:
    """The people named in the application who said "this is not me", newest first."""
    return list(
        application.identity_alerts.filter(reported_at__isnull=False).order_by("-reported_at")
    )


def count(
    *,
    status: str = "",
    legal_form: str = "",
    flag: str = "",
    clerk: User | None = None,
) -> int:
    """How many ``queue`` lists with the same filters: from the running tallies (``counters``),
    or, for the filters they do not keep (a legal form, needing attention), from the
    applications."""
    if legal_form or flag == "attention":
        return queue(status=status, legal_form=legal_form, flag=flag, clerk=clerk).count()
    statuses = [status] if status in QUEUE_STATUSES else list(QUEUE_STATUSES)
    if flag == "unassigned":
        return counters.waiting(statuses=statuses, clerk=counters.NOBODY)
    if flag == "mine" and clerk is not None:
        return counters.waiting(statuses=statuses, clerk=clerk.pk)
    return counters.waiting(statuses=statuses)


def checks_of_this_round(application: Application) -> list[RegistryCheck]:
    """The registry checks of the latest submission (each resubmission checks again)."""
    checks = application.checks.all()
    if application.submitted_at:
        checks = checks.filter(round=application.submitted_at)
    return list(checks)


def latest_payment(application: Application) -> Payment | None:
    """The fee's latest payment reference, expired or not: what the clerk sees of the fee."""
    return application.payments.first()
