"""Identity-use alerts: every person named in an application (founder, administrator, a
company founder's representative) hears by e-mail that their CURP appears in it, with a link
to say "this is not me", which holds the application for a clerk.

The link carries a value signed with the portal's secret (``django.core.signing``, salt
``SALT``) naming the alert, the application and the CURP, plus the alert's random nonce; it is
checked against the ``IdentityAlert`` row, which makes it single-use (``reported_at``) and
expiring (``expires_at``, ``IDENTITY_ALERT_DAYS``). A link altered in any part, used once
already, expired, or whose parts do not name one alert of one application and one person, is
refused (``LinkRefused``): no link can hold an application other than the one it was sent
about, for a person other than the one it was sent to.

The e-mail goes to the address the filing gives for the person and, when it is another one,
to the address of their own e-identity account (a filer who typed someone else's CURP with
their own address does not stop that person from hearing of it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from companies import notifications, workflow
from companies.models import Application, IdentityAlert
from portal.models import User

SALT = "companies.identity.not-me"

FOUNDER = gettext_noop("founder")
ADMINISTRATOR = gettext_noop("administrator")
REPRESENTATIVE = gettext_noop("representative of a founding company")


class LinkRefused(Exception):
    """The link does not hold the application: why, in words for the person."""


@dataclass
class NamedPerson:
    curp: str
    name: str
    email: str
    roles: list[str] = field(default_factory=list)


def named_people(application: Application) -> list[NamedPerson]:
    """Everyone the application names, once per CURP, with every role they have in it."""
    people: dict[str, NamedPerson] = {}
    for founder in application.founders.order_by("pk"):
        person = people.setdefault(
            founder.curp, NamedPerson(founder.curp, founder.person_name, founder.email)
        )
        role = REPRESENTATIVE if founder.is_company else FOUNDER
        for held in (role, ADMINISTRATOR if founder.is_administrator else ""):
            if held and held not in person.roles:
                person.roles.append(held)
    return list(people.values())


def alert(application_id: int) -> int:
    """Tell each person named in the application (once per person and application) that
    their CURP is in it. Returns how many e-mails were sent now."""
    application = Application.objects.select_related("legal_form", "filer").get(pk=application_id)
    sent = 0
    for person in named_people(application):
        row, _created = IdentityAlert.objects.get_or_create(
            application=application,
            curp=person.curp,
            defaults={
                "name": person.name,
                "email": person.email,
                "roles": person.roles,
                "nonce": secrets.token_hex(16),
                "expires_at": timezone.now() + timedelta(days=settings.IDENTITY_ALERT_DAYS),
            },
        )
        for email in _addresses(row):
            sent += notifications.send(
                application,
                kind="identity_alert",
                recipient=email,
                key=f"identity_alert:{application.pk}:{row.curp}:{email.lower()}",
                curp=row.curp,
                extra={
                    "person": row.name,
                    "roles": row.roles,
                    "link": settings.PORTAL_BASE_URL
                    + reverse("companies:not_me", args=[token_for(row)]),
                    "expires_at": row.expires_at,
                },
            )
    return sent


def _addresses(row: IdentityAlert) -> list[str]:
    addresses = [row.email]
    account = User.objects.filter(curp=row.curp).exclude(email="").first()
    if account is not None and account.email.lower() != row.email.lower():
        addresses.append(account.email)
    return addresses


def token_for(row: IdentityAlert) -> str:
    payload = {
        "a": row.pk,
        "p": str(row.application.public_id),
        "c": row.curp,
        "n": row.nonce,
    }
    return signing.dumps(payload, salt=SALT)


def alert_of(token: str) -> IdentityAlert:
    """The alert a link was sent for, if the link is genuine, unused and in time."""
    max_age = timedelta(days=settings.IDENTITY_ALERT_DAYS)
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as expired:
        raise LinkRefused(_("This link has expired.")) from expired
    except signing.BadSignature as forged:
        raise LinkRefused(_("This link is not one we sent.")) from forged
    row = (
        IdentityAlert.objects.select_related("application__legal_form", "application__filer")
        .filter(
            pk=payload.get("a"),
            application__public_id=payload.get("p"),
            curp=payload.get("c"),
            nonce=payload.get("n"),
        )
        .first()
    )
    if row is None:
        raise LinkRefused(_("This link is not one we sent."))
    if row.reported_at is not None:
        raise LinkRefused(
            _("This link was used already: the registry knows, and a clerk holds the application.")
        )
    if row.expires_at <= timezone.now():
        raise LinkRefused(_("This link has expired."))
    return row


def report_not_me(token: str) -> IdentityAlert:
    """The person says the application is not theirs: the link is spent, and the application
    is held for a clerk (``workflow.hold_for_identity``)."""
    with transaction.atomic():
        row = alert_of(token)
        locked = IdentityAlert.objects.select_for_update().get(pk=row.pk)
        if locked.reported_at is not None:  # the same link, pressed twice at once
            raise LinkRefused(
                _(
                    "This link was used already: the registry knows, and a clerk holds the application."
                )
            )
        locked.reported_at = timezone.now()
        locked.save(update_fields=["reported_at"])
        workflow.hold_for_identity(locked.application, curp=locked.curp)
    return locked
