"""Reads of applications as they are filed: the applications a person is party to, a filer's
dashboard, the names already taken. Fetching one application for a page, with its access
check, is ``companies.access``."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from companies.filing.names import Candidate, Source
from companies.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Company,
    Founder,
    LegalForm,
    NameReservation,
)
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


def name_reserved_on(application: Application) -> date | None:
    """The day the application's name was first reserved for it; None if it never was."""
    first = (
        NameReservation.objects.filter(
            application=application, normalised_name=application.normalised_name
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localdate(first) if first else None


def legal_forms() -> QuerySet[LegalForm]:
    """The legal forms one may file, in their order."""
    return LegalForm.objects.all()


def founders(application: Application) -> list[Founder]:
    return list(application.founders.all())


def administrators(application: Application) -> QuerySet[Founder]:
    return application.founders.filter(is_administrator=True)


def has_company_founders(application: Application) -> bool:
    """Whether a founder is a company (a legal person), whose representative administers."""
    return application.founders.filter(kind=Founder.Kind.LEGAL).exists()


def events(application: Application) -> list[ApplicationEvent]:
    """What happened to the application, oldest first, with who did it."""
    return list(application.events.select_related("actor").order_by("pk"))


def visible_applications(user: User) -> QuerySet[Application]:
    """Applications a person may see: those they filed and those they are a founder of."""
    if not user.curp:
        return Application.objects.filter(filer=user)
    return Application.objects.filter(Q(filer=user) | Q(founders__curp=user.curp)).distinct()


CLOSED = (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)


def dashboard(user: User) -> dict[str, list[Application]]:
    mine = list(
        visible_applications(user).select_related("legal_form", "company").order_by("-updated_at")
    )
    return {
        "to_sign": [a for a in mine if _waits_for_signature_of(a, user)],
        "drafts": [a for a in mine if a.is_editable and a.filer_id == user.pk],
        "in_progress": [
            a for a in mine if not a.is_editable and a.status not in (*CLOSED, "registered")
        ],
        "registered": [a for a in mine if a.status == "registered"],
        "closed": [a for a in mine if a.status in CLOSED],
    }


def _waits_for_signature_of(application: Application, user: User) -> bool:
    if application.status != ApplicationStatus.AWAITING_SIGNATURES or not user.curp:
        return False
    version = application.versions.order_by("-number").first()
    if version is None:
        return False
    return application.founders.filter(curp=user.curp).exclude(signatures__version=version).exists()
