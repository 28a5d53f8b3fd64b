"""The application's life: the only module that sets ``Application.status``.

Each verb locks the row, returns it unchanged when the move is already done, refuses a move the
table does not allow with ``TransitionNotAllowed``, saves with ``update_fields``, appends an
event in the same transaction and schedules side effects for after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from companies import audit, outbox
from companies.models import Application
from companies.models import ApplicationStatus as S
from portal.models import User

TASKS = "companies.tasks."
# Notes the portal writes are stored as English msgids and translated where shown (timeline).
EDITED_BY_THE_FILER = gettext_noop("Edited by the filer")
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


Guard = Callable[[Application], None]
During = Callable[[Application], dict[str, Any] | None]


def transition(
    application_id: int,
    verb: str,
    *,
    actor: User | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    guard: Guard | None = None,
    during: During | None = None,
    fields: dict[str, Any] | None = None,
    send: list[tuple[str, list[Any]]] | None = None,
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
        previous = application.status
        application.status = target
        for name, value in (fields or {}).items():
            setattr(application, name, value)
        application.save(update_fields=["status", "updated_at", *(fields or {})])
        event_data = dict(data or {})
        if during is not None:
            event_data.update(during(application) or {})
        audit.append(
            application,
            verb,
            from_status=previous,
            to_status=target,
            actor=actor,
            reason=reason,
            data=event_data,
        )
        if send:
            outbox.enqueue(*send)
    return application


# -- the verbs ------------------------------------------------------------------------------


def send_for_signatures(application: Application, *, actor: User) -> Application:
    """Freeze a version (canonical JSON + SHA-256) and invite every founder to sign it."""
    from companies.filing import versions

    def complete(locked: Application) -> None:
        problems = versions.blocking_problems(locked)
        if problems:
            raise GuardFailed(problems[0])

    def freeze(locked: Application) -> dict[str, Any]:
        version = versions.freeze(locked)
        return {"version": version.number, "sha256": version.sha256}

    return transition(
        application.pk,
        "send_for_signatures",
        actor=actor,
        guard=complete,
        during=freeze,
        send=[(TASKS + "invite_founders_to_sign", [application.pk])],
    )


def reopen(application: Application, *, actor: User, reason: str = "") -> Application:
    """Back to draft for editing; the signatures of the frozen version no longer count."""
    return transition(application.pk, "reopen", actor=actor, reason=reason)


def submit(application: Application, *, actor: User) -> Application:
    """Every founder signed the current version and the fee is paid: hand it to processing.

    Idempotent: a double click, a retry or a second tab finds it submitted and changes nothing.
    """
    from companies.filing import signing

    def ready(locked: Application) -> None:
        missing = signing.missing_for_submission(locked)
        if missing:
            raise GuardFailed(missing[0])

    return transition(
        application.pk,
        "submit",
        actor=actor,
        guard=ready,
        during=_remember_first_submission,
        fields={"submitted_at": timezone.now()},
        send=[
            (TASKS + "process_application", [application.pk]),
            (
                TASKS + "tell_founders",
                [application.pk, "submitted", f"submission:{timezone.now().isoformat()}"],
            ),
        ],
    )


def start_checks(application: Application) -> Application:
    return transition(application.pk, "start_checks")


def send_to_review(application: Application, *, reasons: list[str]) -> Application:
    return transition(
        application.pk,
        "send_to_review",
        reason="; ".join(reasons),
        data={"reasons": reasons},
        fields={"review_reasons": reasons},
    )


def approve(application: Application, *, actor: User | None, reason: str = "") -> Application:
    return transition(application.pk, "approve", actor=actor, reason=reason)


def request_changes(
    application: Application, *, actor: User, message: str, sections: list[str]
) -> Application:
    """The clerk asks for corrections: the message and the wizard steps concerned reach the
    founders, and the application is editable again until it is signed and submitted anew."""
    return transition(
        application.pk,
        "request_changes",
        actor=actor,
        reason=message,
        data={"sections": sections},
        fields={"changes_message": message, "changes_sections": sections},
        send=[
            (
                TASKS + "tell_founders",
                [application.pk, "changes_requested", f"changes:{timezone.now().isoformat()}"],
            )
        ],
    )


def _remember_first_submission(application: Application) -> None:
    if application.first_submitted_at is None:
        application.first_submitted_at = application.submitted_at
        application.save(update_fields=["first_submitted_at"])
