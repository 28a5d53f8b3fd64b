"""Registration: the register entry and its number, written once.

The number (QRO-2026-000123) comes from a per-year counter row locked in the registration's own
transaction, so numbers are sequential and gapless: a rolled-back registration gives its number
back. The company is one-to-one with the application, so registering twice cannot make a
second company or use a second number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from companies import notifications, registries, workflow
from companies.documents import codes, issuance
from companies.models import (
    Application,
    Company,
    Document,
    NameReservation,
    RegistrationCounter,
)
from companies.register.changes import record_change
from companies.registries import RegistryUnavailable
from portal.models import User

PREFIX = "QRO"


def next_registration_number(year: int) -> str:
    """Call inside a transaction: the counter row stays locked until it commits."""
    RegistrationCounter.objects.get_or_create(year=year)
    counter = RegistrationCounter.objects.select_for_update().get(year=year)
    RegistrationCounter.objects.filter(year=year).update(last=F("last") + 1)
    return f"{PREFIX}-{year}-{counter.last + 1:06d}"


def register(application: Application) -> Application:
    """Approved to registered, with its entry in the register and its number."""

    def write_entry(locked: Application) -> dict[str, Any]:
        assert locked.legal_form is not None
        now = timezone.now()
        number = next_registration_number(timezone.localdate(now).year)
        company = Company.objects.create(
            registration_number=number,
            name=locked.full_name,
            normalised_name=locked.normalised_name,
            legal_form=locked.legal_form,
            application=locked,
            registered_at=now,
            verification_code=codes.derive(number),
        )
        NameReservation.objects.filter(
            application=locked, status=NameReservation.Status.ACTIVE
        ).update(status=NameReservation.Status.USED)
        record_change(company, "registered")
        return {"registration_number": number}

    return workflow.register(application, entry=write_entry)


def approve_and_register(
    application: Application, *, actor: User | None, reason: str
) -> Application:
    """Approved and registered in one transaction: by the checks when every one is clean
    (``actor`` None), by the clerk who holds it otherwise."""
    with transaction.atomic():
        return register(workflow.approve(application, actor=actor, reason=reason))


def complete(application_id: int) -> None:
    """After registration: the company's RFC and its documents (``rfc_and_documents``), and the
    founders told. Raises ``RegistryUnavailable`` once the rest is done when the tax registry
    did not answer (the RFC is asked again); safe to run again."""
    done = _rfc_and_documents(application_id)
    notifications.registered(application_id)
    notifications.documents_reissued(application_id, done.reissued)
    done.raise_if_waiting()


def rfc_and_documents(application_id: int) -> None:
    """The company's RFC and its documents, telling nobody. The documents do not wait for the
    tax registry: without the RFC they are issued now, ``RegistryUnavailable`` is raised after,
    and the certificate is issued again (a new version) once a later run brings the RFC. Safe
    to run again."""
    _rfc_and_documents(application_id).raise_if_waiting()


@dataclass(frozen=True)
class Completion:
    rfc_waits: bool  # the tax registry did not answer: the RFC is still to come
    reissued: list[Document]  # documents issued again in a later version (with the RFC)

    def raise_if_waiting(self) -> None:
        if self.rfc_waits:
            raise RegistryUnavailable("tax registry")


def _rfc_and_documents(application_id: int) -> Completion:
    try:
        company, rfc_waits = request_company_rfc(application_id), False
    except RegistryUnavailable:
        company, rfc_waits = company_of(application_id), True
    issued = issuance.issue_documents(company_id=company.pk)
    return Completion(rfc_waits, [d for d in issued if d.version > 1])


def company_of(application_id: int) -> Company:
    return Company.objects.select_related("application", "legal_form").get(
        application_id=application_id
    )


def request_company_rfc(application_id: int) -> Company:
    """Ask the tax registry for the company's RFC (idempotent there, and skipped once we have it);
    ``RegistryUnavailable`` when it does not answer."""
    company = company_of(application_id)
    if company.rfc:
        return company
    application = company.application
    assert application is not None
    answer = registries.register_company_rfc(
        company_name=company.name,
        legal_form=company.legal_form.code.replace("-", "_"),
        registration_number=company.registration_number,
        incorporated_on=timezone.localdate(company.registered_at),
        office={
            "street": f"{application.street} {application.exterior_number}".strip(),
            "municipality": application.get_municipality_display(),
            "postal_code": application.postal_code,
        },
        application=application,
    )
    if answer.outcome == registries.Outcome.CREATED:
        with transaction.atomic():
            company.rfc = answer.record["rfc"]
            company.save(update_fields=["rfc"])
            record_change(company, "updated")  # agencies keeping a copy learn the RFC
    elif not answer.available:
        raise RegistryUnavailable("tax registry")
    return company
