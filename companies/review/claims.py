"""The clerks' work on an application: claiming it, and deciding.

One clerk works an application at a time: a claim is taken under a row lock, and every decision
checks that the clerk holds it. Supervisors reassign. Decisions go through ``workflow``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from companies import counters, workflow
from companies.models import Application, ApplicationStatus
from companies.register import registration
from portal.models import User

APPROVED_BY_THE_REGISTRY = gettext_noop("Approved by the registry")
# The legal reasons, as English msgids: stored so in the event, translated where shown.
REJECTION_REASONS = {
    "name": gettext_noop("The name cannot be used"),
    "founder": gettext_noop("A founder cannot take part in a company"),
    "purpose": gettext_noop("The corporate purpose is unlawful or impossible"),
    "deed": gettext_noop("The notarial deed does not match the application"),
    "duplicate": gettext_noop("The same company was already filed"),
    "other": gettext_noop("Another legal reason (explained below)"),
}


class ClaimRefused(Exception):
    pass


def possible_actions(application: Application, *, clerk: User) -> frozenset[str]:
    """What ``clerk`` can do on the application in its status, as the review page offers it
    (the functions below refuse the rest): nothing once it has left review."""
    if application.status != ApplicationStatus.IN_REVIEW:
        return frozenset()
    actions = {"reassign"} if clerk.has_perm("portal.supervise_review") else set()
    if application.assigned_to_id is None:
        actions.add("claim")
    elif application.assigned_to_id == clerk.pk:
        actions |= {"approve", "request-changes", "reject", "release"}
        if workflow.identity_held(application):
            actions = (actions - {"approve"}) | {"release-hold"}
    return frozenset(actions)


def _in_review(application: Application) -> None:
    if application.status != ApplicationStatus.IN_REVIEW:
        raise ClaimRefused(
            _(
                "Only an application in review is claimed, released or reassigned; this one is “%(status)s”."
            )
            % {"status": ApplicationStatus(application.status).label}
        )


def claim(application: Application, *, clerk: User) -> Application:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _in_review(locked)
        if locked.assigned_to_id not in (None, clerk.pk):
            raise ClaimRefused(
                _("%(clerk)s is working on this application. Ask a supervisor to reassign it.")
                % {"clerk": locked.assigned_to}
            )
        if locked.assigned_to_id is None:
            _hand_to(locked, clerk)
    return locked


def release(application: Application, *, clerk: User) -> None:
    with transaction.atomic():
        _in_review(Application.objects.select_for_update().get(pk=application.pk))
        _let_go(application, clerk=clerk)


def _let_go(application: Application, *, clerk: User) -> None:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.assigned_to_id == clerk.pk:
            _hand_to(locked, None)


def reassign(application: Application, *, to: User | None) -> None:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _in_review(locked)
        _hand_to(locked, to)


def _hand_to(locked: Application, clerk: User | None) -> None:
    """The locked application is now ``clerk``'s (nobody's: None), and counted so."""
    before = counters.Counted.of(locked)
    locked.assigned_to, locked.claimed_at = clerk, timezone.now() if clerk else None
    locked.save(update_fields=["assigned_to", "claimed_at"])
    counters.record(before, counters.Counted.of(locked))


def _holder(application: Application, clerk: User) -> None:
    current = (
        Application.objects.filter(pk=application.pk).values_list("assigned_to", flat=True).first()
    )
    if current != clerk.pk:
        raise ClaimRefused(_("Claim the application before deciding on it."))


def approve(application: Application, *, clerk: User) -> Application:
    _holder(application, clerk)
    return registration.approve_and_register(
        application, actor=clerk, reason=APPROVED_BY_THE_REGISTRY
    )


def release_identity_hold(application: Application, *, clerk: User) -> Application:
    """The clerk working it checked the people named (they are who the filing says)."""
    _holder(application, clerk)
    return workflow.release_identity_hold(application, actor=clerk)


def request_changes(
    application: Application, *, clerk: User, message: str, sections: list[str]
) -> Application:
    _holder(application, clerk)
    changed = workflow.request_changes(application, actor=clerk, message=message, sections=sections)
    _let_go(changed, clerk=clerk)
    return changed


def reject(application: Application, *, clerk: User, reason: str, explanation: str) -> Application:
    _holder(application, clerk)
    return workflow.reject(
        application,
        actor=clerk,
        ground=reason,
        reason=REJECTION_REASONS[reason],
        explanation=explanation,
    )
