"""Filings on a registered company, from the first form to the register's next state.

``start`` checks, under the company's row lock, that the person may file this now
(``rules``), that the payload fits its type's schema (``schemas``) and the law (``types``), and
sends it for signatures; the required signers (data: ``rules.signer_roles``) ``sign``; the filer
``submit``s; the worker's ``process`` registers a clean, low-risk filing with no human or sends
it to the clerks; ``register_filing`` writes the company's next ``CompanyState``, the changes
(before, after) and a row of the change log, once its effective date has come (``apply_due``,
run by beat, for the later ones). Every status change is ``lifecycle.workflow``'s.

Signatures in this slice are a confirmation after a fresh e-identity sign-in (as the "I approve"
click at formation); they move to the e.firma (``filing/signing.py``'s PAdES signature verified
against SAT) with the rest of issue 14.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from companies.documents import issuance
from companies.filing.signing import is_fresh
from companies.lifecycle import rules, schemas, types
from companies.lifecycle import workflow as flow
from companies.models import (
    PENDING_FILING_STATUSES,
    ApplicationStatus,
    Company,
    CompanyFiling,
    CompanyState,
    FilingEvent,
    FilingSignature,
    RegisterChange,
)
from companies.register import states
from companies.register.changes import record_change
from portal.models import User

# Reasons the clerks read, stored as English msgids and translated where shown.
NEEDS_A_CLERK = gettext_noop("A clerk checks the resolution behind this change")
SEVERAL_SHAREHOLDERS = gettext_noop(
    "The S.A.S. has more than one shareholder: a clerk checks the shareholders' resolution"
)


class FilingRefused(Exception):
    """The person may not file this now (the reason says why), or what they filed is not
    acceptable (``problems``, each its own message)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems[0])


def latest_state(company_id: int) -> CompanyState:
    """The company's newest state (states are written at registration, never ahead of time)."""
    found = (
        CompanyState.objects.filter(company_id=company_id).order_by("-valid_from", "-pk").first()
    )
    if found is None:
        raise Http404
    return found


def pending_of(company: Company) -> CompanyFiling | None:
    return company.filings.filter(status__in=PENDING_FILING_STATUSES).first()


def payload_sha256(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _acceptable(company: Company, filing_type: str, payload: Any, data: dict[str, Any]) -> None:
    problems = schemas.problems(filing_type, rules.schema_version(filing_type), payload)
    if not problems:
        problems = types.problems(filing_type, data, company.legal_form, payload)
    if problems:
        raise FilingRefused(problems)


def start(
    *,
    company: Company,
    user: User,
    filing_type: str,
    payload: Any,
    effective_on: date,
    corrects: CompanyFiling | None = None,
) -> CompanyFiling:
    """A new filing, sent for the required signatures; ``FilingRefused`` with the reason when
    this person may not file it now or what they filed does not hold."""
    with transaction.atomic():
        locked = Company.objects.select_for_update().select_related("legal_form").get(pk=company.pk)
        data = latest_state(locked.pk).data
        refusal = rules.refusal(
            rules.offer_for(user, locked, data, pending_of(locked)), filing_type
        )
        if refusal:
            raise FilingRefused([refusal])
        if effective_on < timezone.localdate():
            raise FilingRefused([_("The effective date is today or later.")])
        _acceptable(locked, filing_type, payload, data)
        filing = CompanyFiling.objects.create(
            company=locked,
            type=filing_type,
            schema_version=rules.schema_version(filing_type),
            payload=payload,
            filer=user,
            effective_on=effective_on,
            corrects=corrects,
            fee=rules.fee(filing_type),
        )
        FilingEvent.objects.create(filing=filing, verb="start", to_status=filing.status, actor=user)

        def still_acceptable(locked_filing: CompanyFiling) -> None:
            _acceptable(locked, filing_type, locked_filing.payload, data)

        return flow.send_for_signatures(filing, actor=user, guard=still_acceptable)


# -- signatures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    curp: str
    name: str
    signed_at: datetime | None


def signers(filing: CompanyFiling) -> list[Signer]:
    """Who must sign ``filing`` (every holder of the roles its type names, as the register shows
    them now), and when each signed the payload as it stands."""
    data = latest_state(filing.company_id).data
    people: dict[str, str] = {}
    for role in rules.signer_roles(filing.type, filing.company.legal_form.code):
        for person in data.get(role) or []:
            people.setdefault(person["curp"], person["name"])
    digest = payload_sha256(filing.payload)
    signed = {
        s.curp: s.signed_at for s in filing.signatures.filter(payload_sha256=digest).only("curp")
    }
    return [Signer(curp, name, signed.get(curp)) for curp, name in people.items()]


def sign(filing: CompanyFiling, *, user: User, authenticated_at: datetime | None) -> None:
    """The signed-in person, a required signer, approves the payload; refused when the sign-in
    is not fresh or the filing waits for no signatures. Signing twice records nothing."""
    if filing.status != ApplicationStatus.AWAITING_SIGNATURES:
        raise FilingRefused([_("This filing is not waiting for signatures.")])
    if not any(s.curp == user.curp for s in signers(filing)):
        raise FilingRefused([_("Only the people who must sign this filing can sign it.")])
    if not is_fresh(authenticated_at):
        raise FilingRefused(
            [_("Sign in with your e-identity again to sign: it must be within the last 5 minutes.")]
        )
    assert authenticated_at is not None and user.curp
    with transaction.atomic():
        _signature, new = FilingSignature.objects.get_or_create(
            filing=filing,
            curp=user.curp,
            payload_sha256=payload_sha256(filing.payload),
            defaults={"signer": user, "authenticated_at": authenticated_at},
        )
        if new:
            FilingEvent.objects.create(
                filing=filing,
                verb="sign",
                from_status=filing.status,
                to_status=filing.status,
                actor=user,
                data={"curp": user.curp},
            )


def missing_signers(filing: CompanyFiling) -> list[Signer]:
    return [s for s in signers(filing) if s.signed_at is None]


def submit(filing: CompanyFiling, *, actor: User) -> CompanyFiling:
    """Every required signer signed (the fee of both types is 0 for now: ``rules.fee``; a fee
    would be confirmed here as at formation): hand it to the worker. Idempotent."""

    def signed(locked: CompanyFiling) -> None:
        missing = missing_signers(locked)
        if missing:
            raise flow.GuardFailed(_("%(name)s has not signed yet.") % {"name": missing[0].name})

    return flow.submit(filing, actor=actor, guard=signed)


def withdraw(filing: CompanyFiling, *, actor: User) -> CompanyFiling:
    return flow.withdraw(filing, actor=actor)


# -- the decision and the register -------------------------------------------------------------


def review_reasons(filing: CompanyFiling, data: dict[str, Any]) -> list[str]:
    """Why a person must look at this filing (none: it is registered with no human)."""
    path = rules.review_path(filing.type, filing.company.legal_form.code)
    if path == "automatic":
        return []
    if path == "automatic_if_sole_shareholder":
        return [] if len(data.get("shareholders") or []) == 1 else [SEVERAL_SHAREHOLDERS]
    return [NEEDS_A_CLERK]


def process(filing_id: int) -> CompanyFiling:
    """The worker's part after submission: checked again, then approved (and registered when it
    is due) or sent to the clerks. Safe to run again."""
    filing = CompanyFiling.objects.select_related("company__legal_form").get(pk=filing_id)
    if filing.status == ApplicationStatus.SUBMITTED:
        filing = flow.start_checks(filing)
    if filing.status != ApplicationStatus.CHECKING:
        return filing
    data = latest_state(filing.company_id).data
    problems = types.problems(filing.type, data, filing.company.legal_form, filing.payload)
    reasons = problems or review_reasons(filing, data)
    if reasons:
        return flow.send_to_review(filing, reasons=reasons)
    with transaction.atomic():
        approved = flow.approve(filing, actor=None)
        register_filing(approved.pk)
    approved.refresh_from_db()
    return approved


def register_filing(filing_id: int) -> bool:
    """Register an approved filing whose effective date has come: the company's next state,
    what changed, and the change log's row, under the company's lock. Exactly once: a filing no
    longer approved (registered by another worker, a redelivered task) is left as it is.
    Whether it registered it now."""
    with transaction.atomic():
        filing = CompanyFiling.objects.get(pk=filing_id)
        today = timezone.localdate()
        if filing.status != ApplicationStatus.APPROVED or filing.effective_on > today:
            return False
        company = filing.company
        written: list[bool] = []

        def write_state(locked: CompanyFiling) -> dict[str, Any]:
            before = latest_state(company.pk).data
            after = types.apply(locked.type, before, locked.payload)
            changed = states.diff(before, after)
            CompanyState.objects.create(
                company=company,
                valid_from=max(locked.effective_on, today),
                data=after,
                filing=locked,
            )
            locked.changes = changed
            locked.save(update_fields=["changes"])
            record_change(company, RegisterChange.Kind.UPDATED, fields=list(changed))
            # The documents this filing changes (``reissues`` in filing_rules.json), issued
            # again as new versions by a worker once this commits, once per filing.
            kinds = documents_reissued_by(locked.type)
            if kinds and company.application_id is not None:
                issuance.reissue_later(company, kinds, f"filing-{locked.pk}")
            written.append(True)
            return {"fields": list(changed)}

        flow.register(filing, entry=write_state)
        return bool(written)


def apply_due() -> int:
    """Register every approved filing whose effective date has come (beat, daily and on the
    hour); each in its own transaction, so a worker killed half-way leaves the rest for the
    next run and repeats none. How many it registered."""
    today = timezone.localdate()
    due = CompanyFiling.objects.filter(
        status=ApplicationStatus.APPROVED, effective_on__lte=today
    ).values_list("pk", flat=True)
    return sum(register_filing(pk) for pk in list(due))


def documents_reissued_by(filing_type: str) -> list[str]:
    """The documents a registered filing of this type changes (data), for the documents' room."""
    return list(rules.type_rules(filing_type).get("reissues", []))


# -- the clerks ------------------------------------------------------------------------------


def in_review() -> list[CompanyFiling]:
    """The filings a clerk must decide, oldest submission first (one query)."""
    waiting = CompanyFiling.objects.filter(status=ApplicationStatus.IN_REVIEW)
    return list(waiting.select_related("company__legal_form").order_by("submitted_at", "pk"))


def preview(filing: CompanyFiling) -> dict[str, list[Any]]:
    """What registering ``filing`` would change in the company's register data now."""
    before = latest_state(filing.company_id).data
    return states.diff(before, types.apply(filing.type, before, filing.payload))


def approve_by_clerk(filing: CompanyFiling, *, actor: User, reason: str = "") -> CompanyFiling:
    """The clerk approves: registered at once when its effective date has come, otherwise on
    that day by beat (``apply_due``)."""
    with transaction.atomic():
        approved = flow.approve(filing, actor=actor, reason=reason)
        register_filing(approved.pk)
    approved.refresh_from_db()
    return approved


def reject_by_clerk(filing: CompanyFiling, *, actor: User, reason: str) -> CompanyFiling:
    if not reason.strip():
        raise FilingRefused([_("Say why the filing is rejected: the filer reads it.")])
    return flow.reject(filing, actor=actor, reason=reason.strip())
