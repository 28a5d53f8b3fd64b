"""Signatures: who signs for which founder, recording a signature, and what must hold before an
application is submitted (every founder signed the current version, the fee paid)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.filing import payments, versions
from companies.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Founder,
    Signature,
    SigningSession,
)
from companies.signatures.verification import Verified
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


@dataclass(frozen=True)
class Declined:
    """What one decline left: a signature per founder the person signs for, and whether any of
    them is new (a second click records nothing)."""

    signatures: list[Signature]
    new: bool
    version: ApplicationVersion


def counts(signature: Signature) -> bool:
    """Whether a founder's signature row stands: a decline, or an approval made with an e.firma
    (in the browser or through the remote signing service), verified and embedded in the
    articles PDF. An approval by a click after a sign-in, as the portal took them before, is
    not a signature: that founder signs again with an e.firma (issue 13, item 7)."""
    if signature.decision == Signature.Decision.DECLINED:
        return True
    return (
        signature.method != Signature.Method.CLICK and signature.certificate_status_id is not None
    )


def has_signed(version: ApplicationVersion, founder: Founder) -> bool:
    """Whether ``founder`` has a signature on ``version`` that stands (``counts``)."""
    return any(counts(s) for s in version.signatures.filter(founder=founder))


def _drop_click_approvals(version: ApplicationVersion, founders: list[Founder]) -> None:
    """A click approval left from before is replaced by the founder's e.firma or decline."""
    version.signatures.filter(
        founder__in=founders,
        decision=Signature.Decision.APPROVED,
        method=Signature.Method.CLICK,
    ).delete()


def record_decline(
    application: Application,
    *,
    user: User,
    authenticated_at: datetime | None,
    reason: str,
) -> Declined:
    """The signed-in person declines exactly the current version, in one act for every founder
    they sign for: in their own name and on behalf of the companies they represent. Declining
    stays a click after a fresh e-identity sign-in; approving is signing with an e.firma
    (``documents.founder_signing``). What follows (back to draft) is ``workflow.decline``'s."""
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
    signatures, created = [], False
    with transaction.atomic():
        _drop_click_approvals(version, founders)
        for founder in founders:
            signature, new = Signature.objects.get_or_create(
                version=version,
                founder=founder,
                defaults={
                    "signer": user,
                    "decision": Signature.Decision.DECLINED,
                    "reason": reason,
                    "authenticated_at": authenticated_at,
                },
            )
            signatures.append(signature)
            created = created or new
    return Declined(signatures=signatures, new=created, version=version)


def record_certified(
    version: ApplicationVersion,
    founder: Founder,
    *,
    user: User,
    authenticated_at: datetime,
    method: Signature.Method,
    certificate: bytes,
    verified: Verified,
    signed_range_sha256: str,
) -> Signature:
    """A founder's e.firma signature (verified, embedded in the version's articles PDF by
    ``documents.founder_signing``) recorded as their approval: the only approval that counts."""
    _drop_click_approvals(version, [founder])
    return Signature.objects.create(
        version=version,
        founder=founder,
        signer=user,
        decision=Signature.Decision.APPROVED,
        authenticated_at=authenticated_at,
        signed_at=verified.signed_at,
        method=method,
        certificate=certificate,
        serial_number=verified.holder.serial_number,
        issuer=verified.holder.issuer,
        certificate_status=verified.certificate_status,
        signed_range_sha256=signed_range_sha256,
    )


def signatures_of_current(application: Application) -> dict[int, Signature]:
    version = versions.current(application)
    if version is None:
        return {}
    return {s.founder_id: s for s in version.signatures.all() if counts(s)}


def efirma_signatures(application: Application) -> list[Signature]:
    """The current version's signatures made with an e.firma (certificate serial and issuer
    known), in the founders' order: what the status page shows of who signed."""
    version = versions.current(application)
    if version is None:
        return []
    return list(
        version.signatures.filter(decision=Signature.Decision.APPROVED)
        .exclude(serial_number="")
        .select_related("founder", "certificate_status")
        .order_by("founder_id")
    )


def signed_with_efirma_by_all(application: Application) -> list[Signature]:
    """The current version's e.firma signatures when every founder approved with one (the
    articles are then the PDF they signed); none for an application approved with clicks
    before e.firma signatures were required (its articles are drawn anew)."""
    signatures = efirma_signatures(application)
    founders = application.founders.count()
    return signatures if founders and len(signatures) == founders else []


def all_signed(application: Application) -> bool:
    """Every founder approved the current version with a verified e.firma signature (a click
    approval from before does not count: ``counts``)."""
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
    # founders whose e.firma signature waits for SAT's answer (it counts once SAT answers)
    checking: frozenset[int] = frozenset()

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
    version = versions.current(application)
    checking = (
        frozenset(
            SigningSession.objects.filter(
                version=version, status=SigningSession.Status.WAITING
            ).values_list("founder_id", flat=True)
        )
        if version is not None
        else frozenset()
    )
    return SigningRoom(
        rows=[(f, signed.get(f.pk)) for f in founders],
        still_to_sign=list(dict.fromkeys(f.person_name for f in waiting)),
        mine=my_signature,
        can_sign=bool(mine) and my_signature is None,
        checking=checking,
    )


def missing_for_submission(application: Application) -> list[str]:
    missing = []
    if not all_signed(application):
        missing.append(
            _(
                "Every founder must sign the current version with their e.firma or through "
                "the remote signing service."
            )
        )
    if not payments.paid(application):
        missing.append(_("The registration fee must be paid."))
    return missing
