"""A filing's life: the only module that sets ``CompanyFiling.status``.

The same life as an application's, from the same table (``companies.workflow.TRANSITIONS``),
and the same guarantees: each verb locks the company's row and then the filing's (so two
filings on one company never interleave: a registration, the worker's effective-dated one, a
clerk's decision take turns), returns the filing unchanged when the move is already done,
refuses a move the table does not allow with ``TransitionNotAllowed``, saves with
``update_fields``, appends a ``FilingEvent`` in the same transaction and sends its side effects
through the outbox after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import jobs, outbox
from companies.models import ApplicationStatus, Company, CompanyFiling, FilingEvent
from companies.workflow import TRANSITIONS, GuardFailed
from portal.models import User

__all__ = ["GuardFailed", "TransitionNotAllowed"]


class TransitionNotAllowed(Exception):
    def __init__(self, filing: CompanyFiling, verb: str) -> None:
        self.status = filing.status
        self.verb = verb
        label = ApplicationStatus(filing.status).label
        super().__init__(
            _("This cannot be done while the filing is “%(status)s”.") % {"status": label}
        )


Guard = Callable[[CompanyFiling], None]
During = Callable[[CompanyFiling], dict[str, Any] | None]


def _transition(
    filing_id: int,
    verb: str,
    *,
    actor: User | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    guard: Guard | None = None,
    during: During | None = None,
    fields: dict[str, Any] | None = None,
    send: list[jobs.Message] | None = None,
) -> CompanyFiling:
    sources, target = TRANSITIONS[verb]
    with transaction.atomic():
        company_id = CompanyFiling.objects.values_list("company_id", flat=True).get(pk=filing_id)
        Company.objects.select_for_update().only("pk").get(pk=company_id)
        filing = CompanyFiling.objects.select_for_update().get(pk=filing_id)
        if filing.status == target:
            return filing
        if filing.status not in sources:
            raise TransitionNotAllowed(filing, verb)
        if guard is not None:
            guard(filing)
        previous = filing.status
        filing.status = target
        for name, value in (fields or {}).items():
            setattr(filing, name, value)
        filing.save(update_fields=["status", "updated_at", *(fields or {})])
        event_data = dict(data or {})
        if during is not None:
            event_data.update(during(filing) or {})
        FilingEvent.objects.create(
            filing=filing,
            verb=verb,
            from_status=previous,
            to_status=target,
            actor=actor,
            reason=reason,
            data=event_data,
        )
        if send:
            outbox.enqueue(*send)
    return filing


def send_for_signatures(filing: CompanyFiling, *, actor: User, guard: Guard) -> CompanyFiling:
    return _transition(filing.pk, "send_for_signatures", actor=actor, guard=guard)


def reopen(filing: CompanyFiling, *, actor: User, reason: str = "") -> CompanyFiling:
    return _transition(filing.pk, "reopen", actor=actor, reason=reason)


def submit(filing: CompanyFiling, *, actor: User, guard: Guard) -> CompanyFiling:
    return _transition(
        filing.pk,
        "submit",
        actor=actor,
        guard=guard,
        fields={"submitted_at": timezone.now()},
        send=[jobs.process_filing(filing.pk)],
    )


def start_checks(filing: CompanyFiling) -> CompanyFiling:
    return _transition(filing.pk, "start_checks")


def send_to_review(filing: CompanyFiling, *, reasons: list[str]) -> CompanyFiling:
    return _transition(
        filing.pk,
        "send_to_review",
        reason="; ".join(reasons),
        data={"reasons": reasons},
        fields={"review_reasons": reasons},
    )


def approve(filing: CompanyFiling, *, actor: User | None, reason: str = "") -> CompanyFiling:
    return _transition(filing.pk, "approve", actor=actor, reason=reason)


def reject(filing: CompanyFiling, *, actor: User | None, reason: str) -> CompanyFiling:
    return _transition(filing.pk, "reject", actor=actor, reason=reason)


def register(filing: CompanyFiling, *, entry: During) -> CompanyFiling:
    """Approved to registered: ``entry`` writes the company's next state under the same locks
    and in the same transaction (``lifecycle.filings`` owns what that is)."""
    return _transition(
        filing.pk, "register", during=entry, fields={"registered_at": timezone.now()}
    )


def withdraw(filing: CompanyFiling, *, actor: User) -> CompanyFiling:
    return _transition(filing.pk, "withdraw", actor=actor)


def can_withdraw(filing: CompanyFiling) -> bool:
    return filing.status in TRANSITIONS["withdraw"][0]
