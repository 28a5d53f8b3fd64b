"""Signing through the state e-identity's remote signing service: the way for a founder without
JavaScript or without their e.firma files at hand. Plain form posts and redirects:

1. ``start`` (POST from the signing room, CSRF): with the access token of the founder's
   e-identity sign-in (``session["oidc_access_token"]``) the portal finds their credential and
   its certificate (CSC ``credentials/list`` and ``credentials/info``), prepares the PAdES
   signature for that certificate (``founder_signing.prepare``, method "remote") and sends the
   browser to the provider's step-up, which names the document and the hash to sign. The step-up's
   ``state`` and PKCE ``code_verifier`` wait in the session.
2. ``callback`` (``/firma-remota/vuelta/``): the code is checked against the state and exchanged
   for an authorization for that one hash, the service signs it (``signatures/signHash``) and
   ``founder_signing.finish`` verifies and embeds the signature; back to the signing room with
   what happened.

Every refusal (the portal's or the service's) comes back as a message on the signing room.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from companies import access
from companies.documents import founder_signing
from companies.filing import signing, versions
from companies.models import Application, SigningSession
from companies.signatures import refusals, remote
from companies.views.efirma import chosen_founder
from portal.auth import authenticated_at
from portal.requests import SignedInRequest

PENDING = "remote_signing"  # the session key of the step-up under way


def _room(application: Application) -> HttpResponse:
    return redirect("companies:sign", public_id=application.public_id)


def _callback_uri(request: SignedInRequest) -> str:
    return request.build_absolute_uri(reverse("companies:remote_sign_callback"))


@login_required
@require_POST
def start(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for(request.user, public_id)
    when = authenticated_at(request)
    token = request.session.get("oidc_access_token")
    if not signing.is_fresh(when) or not token:
        messages.info(
            request,
            _("Sign in with your e-identity again to sign: it must be within the last 5 minutes."),
        )
        return _room(application)  # the signing room sends the founder to sign in again
    founder = chosen_founder(request, signing.founders_for(application, request.user))
    version = versions.current(application)
    try:
        if founder is None:
            raise refusals.NotTheirFounder()
        if version is None:
            raise refusals.NotAwaitingSignatures()
        credential = remote.signing_credential(token)
        info = remote.credentials_info(token, credential)
        to_sign = founder_signing.prepare(
            version,
            founder,
            info.certificate,
            SigningSession.Method.REMOTE,
            user=request.user,
            authenticated_at=when or version.created_at,
        )
        callback = _callback_uri(request)
        step = remote.authorize_url(
            credential_id=credential,
            digest=to_sign.digest,
            redirect_uri=callback,
            description=_("Articles of %(name)s (version %(number)s)")
            % {"name": application.full_name, "number": version.number},
        )
    except (refusals.SignatureRefused, remote.RemoteSigningError) as refusal:
        messages.error(request, refusal.message)
        return _room(application)
    request.session[PENDING] = {
        "application": str(application.public_id),
        "session": str(to_sign.session.public_id),
        "credential": credential,
        "state": step.state,
        "code_verifier": step.code_verifier,
        "redirect_uri": callback,
    }
    return redirect(step.url)


@login_required
@require_GET
def callback(request: SignedInRequest) -> HttpResponse:
    pending: dict[str, Any] | None = request.session.pop(PENDING, None)
    if not isinstance(pending, dict):
        messages.error(request, remote.NotThisSignature().message)
        return redirect("companies:dashboard")
    application = access.application_for(request.user, pending["application"])
    session = founder_signing.session_for(pending["session"], request.user)
    if session is None or session.version.application_id != application.pk:
        messages.error(request, remote.NotThisSignature().message)
        return _room(application)
    try:
        code = remote.callback_code(request.GET, state=pending["state"])
        authorization = remote.exchange_code(
            code=code, code_verifier=pending["code_verifier"], redirect_uri=pending["redirect_uri"]
        )
        signed = remote.sign_hash(
            authorization.access_token,
            credential_id=pending["credential"],
            digest=hashlib.sha256(bytes(session.signed_attributes)).digest(),
        )
        finished = founder_signing.finish(session, signed.signature)
    except (refusals.SignatureRefused, remote.RemoteSigningError) as refusal:
        messages.error(request, refusal.message)
        return _room(application)
    # counted, or waiting for SAT: the signatures page shows which ("being checked with SAT")
    if finished.waiting:
        messages.info(request, finished.message)
    else:
        messages.success(request, finished.message)
    return redirect("companies:signatures", public_id=application.public_id)
