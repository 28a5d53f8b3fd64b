"""After the wizard: the signing room, signing, the fee, submission and the status page."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access, registries, sla, workflow
from companies.documents import founder_signing, verification
from companies.filing import payments, read, signing, versions
from companies.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Document,
)
from companies.pieces import read as pieces_read
from portal.auth import authenticated_at
from portal.htmx import fragment_or_page, wants_fragment
from portal.requests import SignedInRequest


def _signatures_url(application: Application) -> str:
    return reverse("companies:signatures", args=[application.public_id])


@login_required
@require_GET
def signatures(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for(request.user, public_id)
    context = {
        "application": application,
        "version": versions.current(application),
        "room": signing.signing_room(application, request.user),
        "is_filer": application.filer_id == request.user.pk,
        "can_withdraw": workflow.can_withdraw(application),
        "payment": payments.current_payment(application),
        "fee_due": payments.fee_due(application),
        "paid": payments.paid(application),
        "missing": signing.missing_for_submission(application),
        "SANDBOX_BANK_URL": _bank_url(),
    }
    return render(request, "companies/signatures.html", context)


def _bank_url() -> str:
    from django.conf import settings

    return settings.SANDBOX_BANK_URL if settings.SANDBOX else ""


@login_required
@require_POST
def send_for_signatures(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for_filer(request.user, public_id)
    try:
        workflow.send_for_signatures(application, actor=request.user)
    except (workflow.GuardFailed, workflow.TransitionNotAllowed) as refused:
        messages.error(request, str(refused))
        return redirect("companies:step", application.public_id, "revision")
    messages.success(request, _("Sent. Every founder has been invited by e-mail to sign."))
    return redirect(_signatures_url(application))


@login_required
@require_POST
def reopen(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for_filer(request.user, public_id)
    try:
        workflow.reopen(application, actor=request.user, reason=workflow.EDITED_BY_THE_FILER)
    except workflow.TransitionNotAllowed as refused:
        messages.error(request, str(refused))
        return redirect(_signatures_url(application))
    messages.info(
        request,
        _("The application is a draft again. After your changes everyone signs the new version."),
    )
    return redirect("companies:resume", application.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for(request.user, public_id)
    mine = signing.signing_room(application, request.user).mine
    if mine is not None:
        when_signed = date_format(timezone.localtime(mine.signed_at), "SHORT_DATETIME_FORMAT")
        messages.info(
            request, _("You already signed this version on %(when)s.") % {"when": when_signed}
        )
        return redirect(_signatures_url(application))
    when = authenticated_at(request)
    if not signing.is_fresh(when):
        query = urlencode({"fresh": "1", "next": request.get_full_path()})
        return redirect(f"{reverse('oidc_authentication_init')}?{query}")
    if request.method == "POST" and _decline(request, application, when):
        return redirect(_signatures_url(application))
    version = versions.current(application)
    capacities = signing.founders_for(application, request.user)
    signed = set(signing.signatures_of_current(application))
    context = {
        "application": application,
        "version": version,
        "capacities": capacities,
        # the founder this person signs for next (the e.firma and the remote forms are for them)
        "next_to_sign": next((f for f in capacities if f.pk not in signed), None),
        "remote_sign_url": reverse("companies:remote_sign", args=[application.public_id]),
        # the e.firma's PDF is drawn by the worker after sending: "preparing" until it exists
        "document_ready": founder_signing.is_ready(version),
        "efirma_prepare_url": reverse("companies:efirma_prepare", args=[application.public_id]),
    }
    response = render(request, "companies/sign.html", context)
    # the remote signing form's POST is answered with a redirect to the e-identity's step-up:
    # CSP's form-action covers redirects too, so it names the provider's origin
    step_up = urlsplit(settings.ESIGN_REMOTE_AUTHORIZATION_ENDPOINT)
    response._csp_update = {"form-action": [f"{step_up.scheme}://{step_up.netloc}"]}  # type: ignore[attr-defined]
    return response


def _decline(request: SignedInRequest, application: Application, when: datetime | None) -> bool:
    """The signing room's one click: declining, with a reason. An approval is an e.firma
    signature (the page's e.firma or the remote signing service), never a click: a form that
    still posts one is told so."""
    if request.POST.get("decision") != "decline":
        messages.error(
            request,
            _(
                "A click is not a signature: sign with your e.firma, or through your "
                "e-identity's remote signing service."
            ),
        )
        return False
    reason = request.POST.get("reason", "").strip()[:2000]
    if not reason:
        messages.error(request, _("Tell the other founders why you decline, so they can fix it."))
        return False
    try:
        workflow.decline(application, user=request.user, authenticated_at=when, reason=reason)
    except signing.SigningRefused as refused:
        messages.error(request, str(refused))
        return False
    messages.success(request, _("You declined to sign."))
    return True


@login_required
@require_POST
def pay(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for_filer(request.user, public_id)
    if request.POST.get("action") == "check":
        payment = payments.current_payment(application)
        outcome = payments.check_payment(payment) if payment is not None else None
        if outcome == registries.Outcome.UNAVAILABLE:
            messages.warning(
                request,
                _(
                    "We could not reach the payments registry right now. Nothing is lost: check "
                    "again in a few minutes."
                ),
            )
        elif outcome is not None and outcome != registries.Outcome.PAID:
            messages.info(request, _("The payments registry has not received this payment yet."))
    elif payments.payment_reference(application) is None:
        messages.warning(
            request,
            _("We could not create the payment reference right now. Try again in a few minutes."),
        )
    return redirect(_signatures_url(application))


@login_required
@require_POST
def submit(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for_filer(request.user, public_id)
    try:
        workflow.submit(application, actor=request.user)
    except (workflow.GuardFailed, workflow.TransitionNotAllowed) as refused:
        messages.error(request, str(refused))
        return redirect(_signatures_url(application))
    return redirect("companies:status", application.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    """The filer withdraws the application, after a page that says what that means."""
    application = access.application_for_filer(request.user, public_id)
    if request.method == "POST":
        try:
            workflow.withdraw(application, actor=request.user)
        except workflow.TransitionNotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("companies:status", application.public_id)
        messages.success(
            request,
            _("The application was withdrawn and its name is free again. Nothing was deleted."),
        )
        return redirect("companies:dashboard")
    context = {"application": application, "can_withdraw": workflow.can_withdraw(application)}
    return render(request, "companies/withdraw.html", context)


# How often the status page asks again, by who acts next. While the machine works (the checks,
# the registration, the documents) a change comes within seconds, so the page asks every second;
# a person (a clerk, the founders) takes minutes. Quiet for a while, the page asks less often:
# a registry that is down keeps an application in checking while the worker retries.
MACHINE_WORKING = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CHECKING,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REGISTERED,  # until its documents are issued
)
POLL_WHILE_WORKING = ((timedelta(minutes=2), 1), (timedelta(minutes=10), 5))
POLL_WHILE_WAITING = ((timedelta(minutes=10), 10),)
POLL_WHEN_QUIET = 30
NO_SCRIPT_REFRESH = 5  # seconds: a page without JavaScript reloads while the machine works


@login_required
@require_GET
def status(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    """The page, or its timeline to htmx; ``seen`` is the version the page shows, and htmx is
    answered 204 (nothing to swap) while it is still current."""
    application = access.application_for(request.user, public_id)
    company = getattr(application, "company", None)
    documents = verification.document_rows(request.user, company) if company else []
    events = read.events(application)
    pieces = pieces_read.rows(company)
    clock = _clock(events)
    poll = _poll_seconds(application, events, documents, pieces)
    version = _version(application, events, documents, clock, poll, pieces)
    if wants_fragment(request) and request.GET.get("seen") == version:
        return HttpResponse(status=204)
    context = {
        "application": application,
        "is_filer": application.filer_id == request.user.pk,  # only the filer edits
        "can_withdraw": workflow.can_withdraw(application),
        "signatures": signing.efirma_signatures(application),
        "events": events,
        "clock": clock,
        "documents": documents,
        "pieces": pieces,
        "poll": poll,
        "version": version,
        "terminal": poll is None,
        "no_script_refresh": NO_SCRIPT_REFRESH
        if poll is not None and application.status in MACHINE_WORKING
        else None,
    }
    return fragment_or_page(request, "companies/status.html", "timeline", context)


def _poll_seconds(
    application: Application,
    events: Sequence[ApplicationEvent],
    documents: Sequence[verification.DocumentRow],
    pieces: Sequence[pieces_read.PieceRow] = (),
) -> int | None:
    """Seconds until the page asks again; None once nothing more will happen: registered with
    every document issued and every piece answered, rejected or withdrawn."""
    if application.status in {ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}:
        return None
    issued = {row.document.kind for row in documents}
    if (
        application.status == ApplicationStatus.REGISTERED
        and issued >= set(Document.Kind.values)
        and not pieces_read.pending(pieces)
    ):
        return None
    quiet = timezone.now() - events[-1].created_at if events else timedelta()
    steps = POLL_WHILE_WORKING if application.status in MACHINE_WORKING else POLL_WHILE_WAITING
    return next((seconds for within, seconds in steps if quiet < within), POLL_WHEN_QUIET)


def _version(
    application: Application,
    events: Sequence[ApplicationEvent],
    documents: Sequence[verification.DocumentRow],
    clock: dict[str, float | bool] | None,
    poll: int | None,
    pieces: Sequence[pieces_read.PieceRow] = (),
) -> str:
    """What the timeline shows, in a few characters: equal versions draw the same timeline."""
    shown = (
        application.status,
        application.changes_message,
        [e.pk for e in events],
        [(row.document.pk, row.downloadable) for row in documents],
        clock,
        poll,
        [(r.connector.code, r.state, r.piece.number if r.piece else "") for r in pieces],
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=8).hexdigest()


def _clock(events: Sequence[ApplicationEvent]) -> dict[str, float | bool] | None:
    found = sla.clock(events)
    if found is None:
        return None
    hours = found.elapsed.total_seconds() / 3600
    promised = sla.SERVICE_LEVEL.total_seconds() / 3600
    return {
        "hours": round(hours, 1),
        "remaining": round(max(promised - hours, 0), 1),
        "percent": min(round(hours / promised * 100), 100),
        "paused": found.state == sla.ClockState.PAUSED,
    }
