"""Registration: the register entry and its number, written once.

The number (QRO-2026-000123) comes from a per-year counter row locked in the registration's own
transaction, so numbers are sequential and gapless: a rolled-back registration gives its number
back. The company is one-to-one with the application, so registering twice cannot make a
second company or use a second number.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from companies import jobs, notifications, outbox, registries, workflow
from companies.documents import codes, issuance
from companies.models import (
    Application,
    Company,
    Document,
    NameReservation,
    RegistrationCounter,
)
from companies.pieces import filing
from companies.register import states
from companies.register.changes import record_change
from companies.register.name_words import index_company_name
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
        index_company_name(company)
        states.initial(company)
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
    """After registration: a message per document the company still needs (``issue``), the
    certificate first, so that free workers draw and seal them at once; the certificate also
    while the RFC is still to come (its task asks for it); and a message per piece (another
    agency's procedure, ``pieces.filing``) still without its answer. Sends nothing when all is
    done: safe to run again."""
    company = company_of(application_id)
    kinds = issuance.pending_kinds(company)
    if not company.rfc and Document.Kind.CERTIFICATE not in kinds:
        kinds.insert(0, Document.Kind.CERTIFICATE)
    with transaction.atomic():
        # The other agencies' procedures (pieces), each a message of its own after the documents.
        pieces = filing.messages(company)
        if kinds or pieces:
            outbox.enqueue(*(jobs.issue_document(application_id, kind) for kind in kinds), *pieces)


def issue(application_id: int, *, kind: str) -> None:
    """One of the company's documents; for the certificate, the RFC from the tax registry first.
    The founders are told once every document is there (by whichever document is last), and
    again when a document is issued in a new version (the certificate with its RFC). Without
    the RFC the certificate is issued anyway and ``RegistryUnavailable`` raised after: the retry
    issues it again once the RFC arrives. Safe to run again."""
    if kind == Document.Kind.CERTIFICATE:
        company, rfc_waits = _with_rfc(application_id)
    else:
        company, rfc_waits = company_of(application_id), False
    document = issuance.issue_document(company_id=company.pk, kind=kind)
    with transaction.atomic():
        # Two documents finished at the same moment in two workers take turns on the company's
        # row: the second sees the notices the first sent, and sends none.
        Company.objects.select_for_update().only("pk").get(pk=company.pk)
        if issuance.has_every_kind(company):
            notifications.registered(application_id)
    if document is not None and document.version > 1:
        notifications.documents_reissued(application_id, [document])
    if rfc_waits:
        raise RegistryUnavailable("tax registry")


def rfc_and_documents(application_id: int) -> None:
    """The company's RFC and its documents, one after the other, telling nobody. The documents
    do not wait for the tax registry: without the RFC they are issued now, ``RegistryUnavailable``
    is raised after, and the certificate is issued again (a new version) once a later run brings
    the RFC. Safe to run again."""
    company, rfc_waits = _with_rfc(application_id)
    issuance.issue_documents(company_id=company.pk)
    if rfc_waits:
        raise RegistryUnavailable("tax registry")


def _with_rfc(application_id: int) -> tuple[Company, bool]:
    """The company, with its RFC asked for when it has none; and whether the RFC still waits
    (the tax registry did not answer)."""
    try:
        return request_company_rfc(application_id), False
    except RegistryUnavailable:
        return company_of(application_id), True


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
