"""Signing with the e.firma, for the front ends (the page's JavaScript; the remote signing
flow calls ``founder_signing`` directly): two JSON POSTs, thin, over
``documents.founder_signing``.

``prepare``: the founder's ``.cer`` (field ``certificate``; optional ``founder``: which of the
founders the person signs for, by id) in, what to sign out. ``finish``: the signature value
(field ``signature``, base64) in, whether it counts (or waits for SAT) out. ``prepare`` needs a
fresh e-identity sign-in (the access check; 403 ``SignInAgain`` with ``sign_in``, where to sign in
again, otherwise); both need the founder's own access to the
application (404 for anybody else) and Django's CSRF token. A refusal answers 400 (409 when the
document is still being prepared, or somebody signed first) with ``{"error": kind, "message":
what to do}`` in the person's language.
"""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from companies import access
from companies.documents import founder_signing
from companies.filing import signing, versions
from companies.models import Founder, SigningSession
from companies.signatures import refusals
from portal.auth import authenticated_at
from portal.requests import SignedInRequest

CONFLICTS = (refusals.DocumentPreparing, refusals.SomeoneSignedFirst)


def _refused(refusal: refusals.SignatureRefused) -> JsonResponse:
    return JsonResponse(
        {"error": type(refusal).__name__, "message": refusal.message},
        status=409 if isinstance(refusal, CONFLICTS) else 400,
    )


def _stale_sign_in(request: SignedInRequest, public_id: UUID) -> JsonResponse | None:
    """403 ``SignInAgain`` when the e-identity sign-in is older than 5 minutes, with
    ``sign_in``: the fresh sign-in (the access check) that comes back to the signing room."""
    if signing.is_fresh(authenticated_at(request)):
        return None
    back = reverse("companies:sign", args=[public_id])
    return JsonResponse(
        {
            "error": "SignInAgain",
            "message": _(
                "Sign in with your e-identity again to sign: it must be within the last 5 minutes."
            ),
            "sign_in": f"{reverse('oidc_authentication_init')}?"
            + urlencode({"fresh": "1", "next": back}),
        },
        status=403,
    )


def chosen_founder(request: SignedInRequest, founders: list[Founder]) -> Founder | None:
    """The founder named in the request among those the person signs for; without a name,
    the first of them who has not signed the current version."""
    wanted = request.POST.get("founder", "").strip()
    if wanted:
        return next((f for f in founders if str(f.pk) == wanted), None)
    signed = set(signing.signatures_of_current(founders[0].application)) if founders else set()
    return next((f for f in founders if f.pk not in signed), founders[0] if founders else None)


@login_required
@require_POST
def prepare(request: SignedInRequest, public_id: UUID) -> JsonResponse:
    application = access.application_for(request.user, public_id)
    stale = _stale_sign_in(request, public_id)
    if stale is not None:
        return stale
    founder = chosen_founder(request, signing.founders_for(application, request.user))
    version = versions.current(application)
    upload = request.FILES.get("certificate")
    try:
        if founder is None:
            raise refusals.NotTheirFounder()
        if version is None:
            raise refusals.NotAwaitingSignatures()
        if upload is None:
            raise refusals.UnreadableCertificate()
        if upload.size is not None and upload.size > founder_signing.MAX_UPLOAD_BYTES:
            raise refusals.TooLarge()
        certificate = founder_signing.read_upload(upload.read(founder_signing.MAX_UPLOAD_BYTES + 1))
        to_sign = founder_signing.prepare(
            version,
            founder,
            certificate,
            SigningSession.Method.BROWSER,
            user=request.user,
            authenticated_at=authenticated_at(request) or version.created_at,
        )
    except refusals.SignatureRefused as refusal:
        return _refused(refusal)
    return JsonResponse(
        {
            **to_sign.as_json(),
            "founder": founder.pk,
            "finish": reverse(
                "companies:efirma_finish", args=[application.public_id, to_sign.session.public_id]
            ),
        }
    )


@login_required
@require_POST
def finish(request: SignedInRequest, public_id: UUID, session_id: UUID) -> JsonResponse:
    application = access.application_for(request.user, public_id)
    session = founder_signing.session_for(session_id, request.user)
    if session is None or session.version.application_id != application.pk:
        raise Http404
    try:
        value = founder_signing.decode_signature(request.POST.get("signature", ""))
        finished = founder_signing.finish(session, value)
    except refusals.SignatureRefused as refusal:
        return _refused(refusal)
    if not finished.waiting:  # the page goes to the signatures next: the message waits there
        messages.success(request, finished.message)
    return JsonResponse(
        {
            "status": "waiting" if finished.waiting else "signed",
            "message": finished.message,
            "signatures": reverse("companies:signatures", args=[application.public_id]),
        },
        status=202 if finished.waiting else 200,
    )
