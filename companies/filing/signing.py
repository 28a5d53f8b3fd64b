"""Signatures and the fee: what must hold before an application is submitted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import registries, workflow
from companies.filing import versions
from companies.models import Application, ApplicationStatus, Founder, Payment, Signature
from portal.models import User

FRESH_AUTHENTICATION = timedelta(minutes=5)


class SigningRefused(Exception):
    pass


def founders_for(application: Application, user: User) -> list[Founder]:
    """The founders this person signs for, matched by the CURP of their e-identity: themselves,
    and any company that founds on whose behalf they sign."""
    if not user.curp:
        return []
    founders = application.founders.filter(curp=user.curp)
    return sorted(founders, key=lambda f: (f.is_company, f.pk))  # in their own name first


def is_fresh(authenticated_at: datetime | None, *, now: datetime | None = None) -> bool:
    return (
        authenticated_at is not None
        and (now or timezone.now()) - authenticated_at <= FRESH_AUTHENTICATION
    )


def sign(
    application: Application,
    *,
    user: User,
    authenticated_at: datetime | None,
    approve: bool,
    reason: str = "",
) -> list[Signature]:
    """The signed-in person approves (or declines) exactly the current version, in one act for
    every founder they sign for: in their own name and on behalf of the companies they
    represent."""
    if application.status != ApplicationStatus.AWAITING_SIGNATURES:
        raise SigningRefused(_("This application is not waiting for signatures."))
    founders = founders_for(application, user)
    if not founders:
        raise SigningRefused(_("Only the founders of this company can sign it."))
    if not is_fresh(authenticated_at):
        raise SigningRefused(
            _("Sign in with your e-identity again to sign: it must be within the last 5 minutes.")
        )
    version = versions.current(application)
    assert version is not None
    decision = Signature.Decision.APPROVED if approve else Signature.Decision.DECLINED
    signatures, created = [], False
    with transaction.atomic():
        for founder in founders:
            signature, new = Signature.objects.get_or_create(
                version=version,
                founder=founder,
                defaults={
                    "signer": user,
                    "decision": decision,
                    "reason": reason,
                    "authenticated_at": authenticated_at,
                },
            )
            signatures.append(signature)
            created = created or new
    if not created:
        return signatures
    if any(s.decision == Signature.Decision.DECLINED for s in signatures):
        workflow.reopen(application, actor=user, reason=reason)
    elif all_signed(application):
        from companies import outbox

        with transaction.atomic():
            outbox.enqueue(
                (
                    "companies.tasks.tell_founders",
                    [application.pk, "all_signed", f"v{version.number}"],
                )
            )
    return signatures


def signatures_of_current(application: Application) -> dict[int, Signature]:
    version = versions.current(application)
    if version is None:
        return {}
    return {s.founder_id: s for s in version.signatures.all()}


def all_signed(application: Application) -> bool:
    signed = signatures_of_current(application)
    founders = list(application.founders.all())
    return bool(founders) and all(
        f.pk in signed and signed[f.pk].decision == Signature.Decision.APPROVED for f in founders
    )


@dataclass(frozen=True)
class SigningRoom:
    """Who has signed the current version, who still has to, and the signed-in person's own
    signature: what the signatures page states."""

    rows: list[tuple[Founder, Signature | None]]
    still_to_sign: list[str]  # the people (one name each, whatever they sign for)
    mine: Signature | None  # the person's approval of the current version, once they signed
    can_sign: bool

    @property
    def everyone_signed(self) -> bool:
        return bool(self.rows) and not self.still_to_sign


def signing_room(application: Application, user: User) -> SigningRoom:
    signed = signatures_of_current(application)
    founders = list(application.founders.all())
    approved = {pk: s for pk, s in signed.items() if s.decision == Signature.Decision.APPROVED}
    waiting = [f for f in founders if f.pk not in approved]
    mine = [f for f in founders if user.curp and f.curp == user.curp]
    my_signature = (
        approved.get(mine[0].pk) if mine and all(f.pk in approved for f in mine) else None
    )
    return SigningRoom(
        rows=[(f, signed.get(f.pk)) for f in founders],
        still_to_sign=list(dict.fromkeys(f.person_name for f in waiting)),
        mine=my_signature,
        can_sign=bool(mine) and my_signature is None,
    )


def fee_due(application: Application) -> bool:
    return bool(application.legal_form and application.legal_form.fee > 0)


def paid(application: Application) -> bool:
    return (
        not fee_due(application) or application.payments.filter(status=Payment.Status.PAID).exists()
    )


def missing_for_submission(application: Application) -> list[str]:
    missing = []
    if not all_signed(application):
        missing.append(_("Every founder must sign the current version."))
    if not paid(application):
        missing.append(_("The registration fee must be paid."))
    return missing


def current_payment(application: Application) -> Payment | None:
    """The fee's payment reference still in use: an expired one is replaced by a new one."""
    return application.payments.exclude(status=Payment.Status.EXPIRED).first()


def payment_reference(application: Application) -> Payment | None:
    """The fee's payment reference, created with the payments registry when first needed."""
    existing = current_payment(application)
    if existing is not None or not fee_due(application):
        return existing
    assert application.legal_form is not None
    answer = registries.create_payment(
        amount=application.legal_form.fee,
        concept=_("Company registration %(reference)s") % {"reference": application.reference},
        client_key=f"{application.public_id}-{application.payments.count() + 1}",
        application=application,
    )
    if not answer.available:
        return None
    record = answer.record
    payment, _created = Payment.objects.get_or_create(
        reference=record["reference"],
        defaults={
            "application": application,
            "amount": application.legal_form.fee,
            "expires_at": record.get("expires_at"),
        },
    )
    return payment


def check_payment(payment: Payment) -> registries.Outcome:
    """Ask the payments registry (never the browser) whether the reference was paid, and keep
    what it says. ``UNAVAILABLE`` is no answer: the payment stays as it was, never "unpaid"."""
    answer = registries.payment_status(payment.reference, application=payment.application)
    if answer.outcome == registries.Outcome.PAID:
        payment.status = Payment.Status.PAID
        payment.paid_at = answer.record.get("paid_at") or timezone.now()
        payment.confirmed_x_road_id = answer.x_road_id
        payment.save(update_fields=["status", "paid_at", "confirmed_x_road_id"])
    elif answer.outcome == registries.Outcome.EXPIRED:
        payment.status = Payment.Status.EXPIRED
        payment.save(update_fields=["status"])
    return answer.outcome


class FeeNotConfirmed(workflow.GuardFailed):
    """At submission, the payments registry did not confirm the fee: what to do, in words."""


def submit(application: Application, *, actor: User) -> Application:
    """Submit; a fee not yet known to be paid is first asked of the payments registry, outside
    the submission's lock: the applicant may have paid at the bank a minute ago."""
    if (
        application.status == ApplicationStatus.AWAITING_SIGNATURES
        and all_signed(application)
        and not paid(application)
    ):
        _confirm_fee(application)
    return workflow.submit(application, actor=actor)


def _confirm_fee(application: Application) -> None:
    payment = current_payment(application)
    if payment is None:
        raise FeeNotConfirmed(
            _(
                "The registration fee is not paid yet: get the payment reference below, pay it at "
                "the bank or online, then submit."
            )
        )
    outcome = check_payment(payment)
    names = {"reference": payment.reference}
    if outcome == registries.Outcome.PAID:
        return
    if outcome == registries.Outcome.UNAVAILABLE:
        raise FeeNotConfirmed(
            _(
                "We could not reach the payments registry to confirm your payment. Nothing is "
                "lost: the signatures and the payment stay as they are. Try to submit again in a "
                "few minutes."
            )
        )
    if outcome == registries.Outcome.EXPIRED:
        raise FeeNotConfirmed(
            _(
                "Payment reference %(reference)s expired without being paid. Get a new payment "
                "reference below, pay it, then submit."
            )
            % names
        )
    raise FeeNotConfirmed(
        _(
            "The payments registry has not received the payment of reference %(reference)s "
            "yet. If you just paid, wait a minute and try again; if you have not paid yet, pay "
            "it at the bank or online first."
        )
        % names
    )
