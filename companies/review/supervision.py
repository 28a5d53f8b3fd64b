"""Keeping the promise: warnings before the 24 hours run out, alerts after, and applications
that sit too long in an automatic state sent through processing again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from companies import jobs, notifications, outbox, sla
from companies.models import (
    Application,
    ApplicationStatus,
    Company,
    Document,
    RegistryExchange,
)
from companies.pieces import filing
from portal import roles
from portal.models import User

OPEN = (ApplicationStatus.SUBMITTED, ApplicationStatus.CHECKING, ApplicationStatus.IN_REVIEW)
STUCK_AFTER = timedelta(minutes=10)


def warn_about_service_level() -> int:
    """E-mail supervisors once at 80% of the service level and once at a breach; the database
    finds the applications that far on the clock."""
    supervisors = list(
        User.objects.filter(groups__name=roles.SUPERVISORS, is_active=True).exclude(email="")
    )
    sent = 0
    now = timezone.now()
    warned = sla.at_least(sla.SERVICE_LEVEL * sla.WARNING_SHARE, now=now)
    applications = Application.objects.filter(warned, status__in=OPEN)
    for application in applications.select_related("legal_form"):
        found = sla.of(application, now=now)
        if found is None:
            continue
        spent = found.elapsed
        share = spent / sla.SERVICE_LEVEL
        kind = "sla_breach" if share >= 1 else "sla_warning" if share >= sla.WARNING_SHARE else ""
        for supervisor in supervisors if kind else []:
            key = f"{kind}:{application.pk}:{application.first_submitted_at}:{supervisor.pk}"
            sent += notifications.send(
                application,
                kind=kind,
                recipient=supervisor.email,
                key=key,
                extra={"hours": round(spent.total_seconds() / 3600, 1)},
            )
    return sent


def _registries_asked_since(cutoff: datetime, *, application: str) -> Exists:
    return Exists(
        RegistryExchange.objects.filter(application=OuterRef(application), created_at__gte=cutoff)
    )


def redrive_stuck(*, now: datetime | None = None) -> int:
    """Processing is idempotent, so an application left in submitted or checking (a lost
    message, a worker that died) is simply sent through it again; so is the work after
    registration for a company still without its RFC or its documents (a tax registry down
    longer than the task's retries, a seal key that was missing), and each piece still waiting
    for its agency and not tried lately (``pieces.filing.waiting_since``).

    An application whose registries were asked lately is not stuck but waiting: its task is
    retrying a registry that is down, and a second chain of retries would only double the
    calls for every re-drive the outage lasts."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    stuck = list(
        Application.objects.filter(
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.CHECKING),
            updated_at__lt=cutoff,
            needs_attention=False,
        )
        .exclude(_registries_asked_since(cutoff, application="pk"))
        .values_list("pk", flat=True)
    )
    unfinished = list(
        Company.objects.filter(registered_at__lt=cutoff, application__isnull=False)
        .annotate(issued=Count("documents__kind", distinct=True))
        .filter(Q(rfc="") | Q(issued__lt=len(Document.Kind.values)))
        .exclude(_registries_asked_since(cutoff, application="application_id"))
        .values_list("application_id", flat=True)
    )
    messages = [jobs.process_application(pk) for pk in stuck]
    messages += [jobs.after_registration(pk) for pk in unfinished]
    messages += filing.waiting_since(cutoff)
    if messages:
        outbox.enqueue(*messages)
    return len(messages)
