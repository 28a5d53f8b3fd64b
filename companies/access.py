"""Who may reach what: one helper per object a page guards, each fetching the object and checking
the person in one step, so that a page and its htmx fragment cannot check differently.

An application or a document a person may not reach answers 404, as if it did not exist: a
stranger learns nothing from a guessed address. Staff pages refuse the wrong role with 403
(``portal.security.staff_view``) before they get here; a founders' document asks an anonymous
visitor to sign in first (``SignInFirst``), since a founder might be behind the browser.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from companies.filing import read
from companies.models import Application, Company, Document, Founder
from portal.models import User
from portal.security import is_verified_staff

REVIEW = "portal.review_applications"


class SignInFirst(Exception):
    """The object is not public; whether this person may have it depends on who they are."""


def application_for(user: User, public_id: UUID) -> Application:
    """The application to see: its filer's and its founders'; 404 for everybody else."""
    queryset = read.visible_applications(user).select_related("legal_form", "filer")
    return get_object_or_404(queryset, public_id=public_id)


def application_for_filer(user: User, public_id: UUID) -> Application:
    """The application to edit, send, pay and submit: its filer's alone; 404 for the founders
    and everybody else."""
    return get_object_or_404(
        Application.objects.select_related("legal_form", "filer"), public_id=public_id, filer=user
    )


def founder_of(application: Application, founder_id: str | None) -> Founder:
    """A founder of an application already fetched for its filer; 404 for anybody else's."""
    return get_object_or_404(application.founders, pk=founder_id)


def application_for_clerk(user: User, public_id: UUID) -> Application:
    """The application to review: any, for staff who review, verified with the second factor."""
    if not is_verified_staff(user, REVIEW):
        raise PermissionDenied
    queryset = Application.objects.select_related("legal_form", "filer", "assigned_to")
    return get_object_or_404(queryset, public_id=public_id)


def document_for(user: User | AnonymousUser, *, number: str, kind: str, version: int) -> Document:
    """The document to download. The certificate is public; the articles and the register show
    the founders and their contributions, so only the founders and verified staff have them:
    ``SignInFirst`` for an anonymous visitor, 404 for everybody else."""
    document = get_object_or_404(
        Document.objects.select_related("company"),
        company__registration_number=number,
        kind=kind,
        version=version,
    )
    if document.kind == Document.Kind.CERTIFICATE or may_read_founders_documents(
        user, document.company
    ):
        return document
    if not user.is_authenticated:
        raise SignInFirst
    raise Http404


def may_read_founders_documents(user: User | AnonymousUser, company: Company) -> bool:
    """Whether the person may have the company's articles and register (the certificate is
    everybody's): its founders and filer, and staff who review, verified."""
    if not user.is_authenticated:
        return False
    if is_verified_staff(user, REVIEW):
        return True
    application_id = company.application_id
    return application_id is not None and (
        read.visible_applications(user).filter(pk=application_id).exists()
    )
