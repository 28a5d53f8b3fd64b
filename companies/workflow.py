"""The application's life: the only module that sets ``Application.status``.

Every move is a verb here (send for signatures, decline, reopen, submit, start the checks, send to
review, request changes, approve, register, reject, withdraw); ``_transition`` is what they share. Each verb
locks the row, returns it unchanged when the move is already done, refuses a move the
table does not allow with ``TransitionNotAllowed``, saves with ``update_fields``, appends an
event in the same transaction, moves the running counts the queue and the dashboard read
(``counters.record``) and schedules side effects for after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from companies import audit, counters, jobs, outbox, sla
from companies.filing import payments, reservations, signing, versions
from companies.models import Application, ApplicationVersion, IdentityAlert, Signature
from companies.models import ApplicationStatus as S
from portal.models import User

# Notes the portal writes are stored as English msgids and translated where shown (timeline).
EDITED_BY_THE_FILER = gettext_noop("Edited by the filer")
WITHDRAWN_BY_THE_FILER = gettext_noop("Withdrawn by the filer")
IDENTITY_REPORTED = gettext_noop("A person named in it says it is not them")
IDENTITY_CONFIRMED = gettext_noop("The clerk confirmed the identity of the people named")
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send_for_signatures": (frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.AWAITING_SIGNATURES),
    "reopen": (frozenset({S.AWAITING_SIGNATURES}), S.DRAFT),
    "submit": (frozenset({S.AWAITING_SIGNATURES}), S.SUBMITTED),
    "start_checks": (frozenset({S.SUBMITTED}), S.CHECKING),
    "send_to_review": (frozenset({S.CHECKING}), S.IN_REVIEW),
    "request_changes": (frozenset({S.IN_REVIEW}), S.CHANGES_REQUESTED),
    "approve": (frozenset({S.CHECKING, S.IN_REVIEW}), S.APPROVED),
    "reject": (frozenset({S.IN_REVIEW}), S.REJECTED),
    "register": (frozenset({S.APPROVED}), S.REGISTERED),
    # Before submission, or while the registry waits for corrections; an application the
    # registry is deciding on is not withdrawn from under the clerk.
    "withdraw": (frozenset({S.DRAFT, S.AWAITING_SIGNATURES, S.CHANGES_REQUESTED}), S.WITHDRAWN),
}


class TransitionNotAllowed(Exception):
    def __init__(self, application: Application, verb: str) -> None:
        self.status = application.status
        self.verb = verb
        label = S(application.status).label
        super().__init__(
            _("This cannot be done while the application is “%(status)s”.") % {"status": label}
        )


class GuardFailed(Exception):
    """A rule of the move does not hold yet (say, a founder has not signed)."""


class FeeNotConfirmed(GuardFailed):
    """At submission, the payments registry did not confirm the fee: what to do, in words."""


Guard = Callable[[Application], None]
During = Callable[[Application], dict[str, Any] | None]


def _transition(
    application_id: int,
    verb: str,
    *,
    actor: User | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    guard: Guard | None = None,
    during: During | None = None,
    fields: dict[str, Any] | None = None,
    send: list[jobs.Message] | None = None,
) -> Application:
    """Move one application with ``verb``; see the module docstring for the guarantees."""
    sources, target = TRANSITIONS[verb]
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        if application.status == target:
            return application
        if application.status not in sources:
            raise TransitionNotAllowed(application, verb)
        if guard is not None:
            guard(application)
        counted = counters.Counted.of(application)
        previous = application.status
        application.status = target
        for name, value in (fields or {}).items():
            setattr(application, name, value)
        application.save(update_fields=["status", "updated_at", *(fields or {})])
        event_data = dict(data or {})
        if during is not None:
            event_data.update(during(application) or {})
        event = audit.append(
            application,
            verb,
            from_status=previous,
            to_status=target,
            actor=actor,
            reason=reason,
            data=event_data,
        )
        _keep_the_clock(application, verb=verb, at=event.created_at)
        counters.record(counted, counters.Counted.of(application))
        if send:
            outbox.enqueue(*send)
    return application


def _keep_the_clock(application: Application, *, verb: str, at: datetime) -> None:
    """The 24-hour clock's columns after the move, timed by its event (``sla.advance``): so
    the columns read exactly what the walk over the events reads. Saved only when the clock
    starts, pauses, resumes or stops."""
    before = sla.Stored(origin=application.clock_origin, used=application.clock_used)
    after = sla.advance(before, verb=verb, to_status=application.status, at=at)
    if after != before:
        application.clock_origin, application.clock_used = after.origin, after.used
        application.save(update_fields=["clock_origin", "clock_used"])


# -- the verbs ------------------------------------------------------------------------------


def send_for_signatures(application: Application, *, actor: User) -> Application:
    """Freeze a version (canonical JSON + SHA-256) and invite every founder to sign it."""

    def complete(locked: Application) -> None:
        problems = versions.blocking_problems(locked)
        if problems:
            raise GuardFailed(problems[0])

    def freeze(locked: Application) -> dict[str, Any]:
        version = versions.freeze(locked)
        return {"version": version.number, "sha256": version.sha256}

    return _transition(
        application.pk,
        "send_for_signatures",
        actor=actor,
        guard=complete,
        during=freeze,
        send=[
            jobs.invite_founders_to_sign(application.pk),
            jobs.draw_signing_document(application.pk),
            jobs.alert_named_people(application.pk),
        ],
    )


def decline(
    application: Application,
    *,
    user: User,
    authenticated_at: datetime | None,
    reason: str,
) -> list[Signature]:
    """A founder declines the current version (``signing.record_decline``): the application
    goes back to draft with their reason. Declining twice records nothing and changes nothing.
    Approving is not a verb here: it is an e.firma signature (``documents.founder_signing``),
    which tells ``signature_counted`` once it is verified and embedded."""
    declined = signing.record_decline(
        application, user=user, authenticated_at=authenticated_at, reason=reason
    )
    if declined.new:
        reopen(application, actor=user, reason=reason)
    return declined.signatures


def signature_counted(application: Application, *, version: ApplicationVersion) -> None:
    """An approval of ``version`` was recorded (an e.firma signature embedded by
    ``documents.founder_signing``): when it was the last, the founders hear that everyone
    signed (once per version: the notice is keyed by it)."""
    if signing.all_signed(application):
        with transaction.atomic():
            outbox.enqueue(
                jobs.tell_founders(application.pk, kind="all_signed", step=f"v{version.number}")
            )


def reopen(application: Application, *, actor: User, reason: str = "") -> Application:
    """Back to draft for editing; the signatures of the frozen version no longer count."""
    return _transition(application.pk, "reopen", actor=actor, reason=reason)


def submit(application: Application, *, actor: User) -> Application:
    """Every founder signed the current version with their e.firma (``signing.all_signed``) and
    the fee is paid: hand it to processing.

    A fee not yet known to be paid is first asked of the payments registry, outside the lock (the
    applicant may have paid at the bank a minute ago); ``FeeNotConfirmed`` says what to do when
    it is not. Idempotent: a double click, a retry or a second tab finds it submitted and changes
    nothing.
    """
    if application.status == S.AWAITING_SIGNATURES and signing.all_signed(application):
        problem = payments.fee_problem(application)
        if problem:
            raise FeeNotConfirmed(problem)

    def ready(locked: Application) -> None:
        missing = signing.missing_for_submission(locked)
        if missing:
            raise GuardFailed(missing[0])

    now = timezone.now()
    return _transition(
        application.pk,
        "submit",
        actor=actor,
        guard=ready,
        during=_remember_first_submission,
        fields={"submitted_at": now},
        send=[
            jobs.process_application(application.pk),
            jobs.tell_founders(
                application.pk, kind="submitted", step=f"submission:{now.isoformat()}"
            ),
        ],
    )


def start_checks(application: Application, *, reason: str = "") -> Application:
    return _transition(application.pk, "start_checks", reason=reason)


def send_to_review(application: Application, *, reasons: list[str]) -> Application:
    return _transition(
        application.pk,
        "send_to_review",
        reason="; ".join(reasons),
        data={"reasons": reasons},
        fields={"review_reasons": reasons},
    )


def approve(application: Application, *, actor: User | None, reason: str = "") -> Application:
    """Never while a person named in it says it is not them (``identity_held``)."""

    def not_held(locked: Application) -> None:
        if identity_held(locked):
            raise GuardFailed(
                _("A person named in this application says it is not them: release the hold first.")
            )

    return _transition(application.pk, "approve", actor=actor, reason=reason, guard=not_held)


def identity_held(application: Application) -> bool:
    """A person named in the application said "this is not me" and no clerk released it."""
    return IdentityAlert.objects.filter(
        application=application, reported_at__isnull=False, released_at__isnull=True
    ).exists()


def hold_for_identity(application: Application, *, curp: str) -> Application:
    """A person named in the application says it is not them (``companies.identity``): it
    cannot be approved until a clerk releases the hold. Not a move of status: the event says
    it happened, in the same transaction."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        audit.append(
            locked,
            "hold_for_identity",
            from_status=locked.status,
            to_status=locked.status,
            reason=IDENTITY_REPORTED,
            data={"curp": curp},
        )
    return locked


def release_identity_hold(application: Application, *, actor: User) -> Application:
    """The clerk checked that the people named are who they say: the hold is released."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        held = IdentityAlert.objects.filter(
            application=locked, reported_at__isnull=False, released_at__isnull=True
        )
        curps = list(held.values_list("curp", flat=True))
        if not curps:
            return locked
        held.update(released_at=timezone.now(), released_by=actor)
        audit.append(
            locked,
            "release_identity_hold",
            from_status=locked.status,
            to_status=locked.status,
            actor=actor,
            reason=IDENTITY_CONFIRMED,
            data={"curps": curps},
        )
    return locked


def register(application: Application, *, entry: During) -> Application:
    """Approved to registered: ``entry`` writes the register entry under the same lock and in
    the same transaction (``register.registration`` owns what an entry is), and the work after
    registration (the RFC, the documents, the founders told) is queued."""
    return _transition(
        application.pk,
        "register",
        during=entry,
        send=[jobs.after_registration(application.pk)],
    )


def reject(
    application: Application, *, actor: User, ground: str, reason: str, explanation: str
) -> Application:
    """The clerk refuses the registration on a legal ``ground`` (its key; ``reason`` is its text,
    stored as an English msgid), explained in their own words."""
    return _transition(
        application.pk,
        "reject",
        actor=actor,
        reason=f"{reason}. {explanation}".strip(),
        data={"reason": ground, "explanation": explanation},
    )


def request_changes(
    application: Application, *, actor: User, message: str, sections: list[str]
) -> Application:
    """The clerk asks for corrections: the message and the wizard steps concerned reach the
    founders, and the application is editable again until it is signed and submitted anew."""
    return _transition(
        application.pk,
        "request_changes",
        actor=actor,
        reason=message,
        data={"sections": sections},
        fields={"changes_message": message, "changes_sections": sections},
        send=[
            jobs.tell_founders(
                application.pk,
                kind="changes_requested",
                step=f"changes:{timezone.now().isoformat()}",
            )
        ],
    )


def can_withdraw(application: Application) -> bool:
    return application.status in TRANSITIONS["withdraw"][0]


def withdraw(application: Application, *, actor: User) -> Application:
    """The filer gives the application up: it is closed for good, its name reservation is
    released for anyone to use, and the 24-hour clock (if it ran) stops. Nothing is deleted: the
    application, its versions and signatures stay on the record."""

    def release_name(locked: Application) -> dict[str, Any]:
        return {"released_names": reservations.release_names_of(locked)}

    return _transition(
        application.pk,
        "withdraw",
        actor=actor,
        reason=WITHDRAWN_BY_THE_FILER,
        during=release_name,
    )


def _remember_first_submission(application: Application) -> None:
    if application.first_submitted_at is None:
        application.first_submitted_at = application.submitted_at
        application.save(update_fields=["first_submitted_at"])
