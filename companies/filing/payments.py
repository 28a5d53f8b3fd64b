"""The registration fee: its payment reference, and whether the payments registry has it paid.

The browser never says a fee is paid: only the payments registry does, asked over X-Road.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from companies import registries
from companies.models import Application, Payment


def fee_due(application: Application) -> bool:
    return bool(application.legal_form and application.legal_form.fee > 0)


def paid(application: Application) -> bool:
    return (
        not fee_due(application) or application.payments.filter(status=Payment.Status.PAID).exists()
    )


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


def fee_problem(application: Application) -> str | None:
    """Why the fee cannot count as paid yet, in words that tell the applicant what to do; None
    once the payments registry confirms it (asked now: they may have paid a minute ago)."""
    if paid(application):
        return None
    payment = current_payment(application)
    if payment is None:
        return _(
            "The registration fee is not paid yet: get the payment reference below, pay it at "
            "the bank or online, then submit."
        )
    outcome = check_payment(payment)
    names = {"reference": payment.reference}
    if outcome == registries.Outcome.PAID:
        return None
    if outcome == registries.Outcome.UNAVAILABLE:
        return _(
            "We could not reach the payments registry to confirm your payment. Nothing is "
            "lost: the signatures and the payment stay as they are. Try to submit again in a "
            "few minutes."
        )
    if outcome == registries.Outcome.EXPIRED:
        return (
            _(
                "Payment reference %(reference)s expired without being paid. Get a new payment "
                "reference below, pay it, then submit."
            )
            % names
        )
    return (
        _(
            "The payments registry has not received the payment of reference %(reference)s "
            "yet. If you just paid, wait a minute and try again; if you have not paid yet, pay "
            "it at the bank or online first."
        )
        % names
    )
