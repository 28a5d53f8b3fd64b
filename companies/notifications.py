"""E-mails to founders, in each recipient's language, sent at most once per key."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from companies.filing import signing, versions
from companies.models import (
    Application,
    ApplicationStatus,
    Document,
    Founder,
    Notification,
    SigningSession,
)
from portal.models import User


def _language_of(email: str, *, curp: str = "") -> str:
    user = User.objects.filter(curp=curp).first() if curp else None
    if user is None:
        user = User.objects.filter(email__iexact=email).first()
    return user.preferred_language if user and user.preferred_language else settings.LANGUAGE_CODE


def send(
    application: Application,
    *,
    kind: str,
    recipient: str,
    key: str,
    curp: str = "",
    extra: dict[str, object] | None = None,
) -> bool:
    """Send ``kind`` to ``recipient`` unless this key was already sent. True when sent now."""
    notification, _created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "application": application,
            "kind": kind,
            "recipient": recipient,
            "language": _language_of(recipient, curp=curp),
        },
    )
    if notification.sent_at is not None:
        return False
    context = {
        "application": application,
        "url": settings.PORTAL_BASE_URL
        + reverse("companies:signatures", args=[application.public_id]),
        "status_url": settings.PORTAL_BASE_URL
        + reverse("companies:status", args=[application.public_id]),
        "review_url": settings.PORTAL_BASE_URL
        + reverse("companies:review", args=[application.public_id]),
        **(extra or {}),
    }
    with translation.override(notification.language):
        subject, _blank, body = (
            render_to_string(f"companies/email/{kind}.txt", context).strip().partition("\n")
        )
    send_mail(subject.strip(), body.strip() + "\n", None, [recipient])
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])
    return True


def invite_founders_to_sign(application_id: int) -> None:
    """One invitation per person who has still to sign, naming every founder they sign for:
    themselves and the companies on whose behalf they sign. The filer, who sent it, is asked
    for their own signature in words that fit them.

    Nothing is sent once the work is done: the application no longer waits for signatures
    (signed and submitted, reopened, registered), or the person already signed this version.
    """
    application = Application.objects.select_related("legal_form", "filer").get(pk=application_id)
    version = versions.current(application)
    if version is None or application.status != ApplicationStatus.AWAITING_SIGNATURES:
        return
    signed = set(signing.signatures_of_current(application))  # a click approval is none
    by_person: dict[str, list[Founder]] = {}
    for founder in application.founders.all():
        by_person.setdefault(founder.curp, []).append(founder)
    filer_curp = application.filer.curp or ""
    for curp, founders in by_person.items():
        if all(f.pk in signed for f in founders):
            continue
        is_filer = bool(filer_curp) and curp == filer_curp
        send(
            application,
            kind="invitation_filer" if is_filer else "invitation",
            recipient=founders[0].email,
            key=f"invitation:{application.pk}:v{version.number}:{curp}",
            curp=curp,
            extra={
                "person": founders[0].person_name,
                "as_founder": any(not f.is_company for f in founders),
                "represented": [f.legal_name for f in founders if f.is_company],
                "others": [fs[0].person_name for c, fs in by_person.items() if c != curp],
                "version": version,
            },
        )


def tell_founders(
    application: Application, *, kind: str, step: str, extra: dict[str, object] | None = None
) -> None:
    """One e-mail of ``kind`` to every founder (and the filer), keyed by ``step``."""
    recipients = {f.email: f.curp for f in application.founders.all()}
    if application.filer.email:
        recipients.setdefault(application.filer.email, application.filer.curp or "")
    for email, curp in recipients.items():
        send(
            application,
            kind=kind,
            recipient=email,
            key=f"{kind}:{application.pk}:{step}:{email}",
            curp=curp,
            extra=extra,
        )


def registered(application_id: int) -> None:
    application = Application.objects.select_related("company", "legal_form", "filer").get(
        pk=application_id
    )
    number = application.company.registration_number
    tell_founders(
        application, kind="registered", step="registered", extra={"registration_number": number}
    )


def documents_reissued(application_id: int, documents: list[Document]) -> None:
    """A new version of documents the founders already have (the certificate with its RFC)."""
    if not documents:
        return
    application = Application.objects.select_related("company", "legal_form", "filer").get(
        pk=application_id
    )
    tell_founders(
        application,
        kind="documents_reissued",
        step="reissued:" + ",".join(str(d.pk) for d in documents),
        extra={
            "titles": [d.label for d in documents],
            "rfc": application.company.rfc,
        },
    )


# A message that only makes sense while the application is still in this status: once it has
# moved on (everyone signed, and it was submitted since), telling it late is noise.
ONLY_WHILE = {"all_signed": ApplicationStatus.AWAITING_SIGNATURES}


def tell_founders_by_id(application_id: int, *, kind: str, step: str) -> None:
    application = Application.objects.select_related("legal_form", "filer").get(pk=application_id)
    if kind in ONLY_WHILE and application.status != ONLY_WHILE[kind]:
        return
    tell_founders(application, kind=kind, step=step, extra={"message": application.changes_message})


def signature_checked(session_id: int) -> None:
    """The founder whose e.firma signature waited for SAT hears the outcome: it counts, or why
    not and what to do (the message the signing round recorded)."""
    session = SigningSession.objects.select_related("version__application", "founder").get(
        pk=session_id
    )
    if session.status not in (SigningSession.Status.SIGNED, SigningSession.Status.REFUSED):
        return
    application = session.version.application
    send(
        application,
        kind="signature_checked",
        recipient=session.founder.email,
        key=f"signature_checked:{application.pk}:{session.pk}",
        curp=session.founder.curp,
        extra={
            "counted": session.status == SigningSession.Status.SIGNED,
            "refusal": session.message,
            "version": session.version,
        },
    )
