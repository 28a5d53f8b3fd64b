"""The clerks' back-office: the queue and the review of one application."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from companies import access, sla, workflow
from companies.documents import verification
from companies.filing import read, signing, versions
from companies.models import Application, RegistryCheck
from companies.processing import deeds
from companies.review import claims, worklist
from companies.review.forms import RejectForm, RequestChangesForm
from portal import roles
from portal.htmx import fragment_or_page, wants_fragment
from portal.requests import SignedInRequest
from portal.security import staff_view

PAGE_SIZE = 50


@staff_view("portal.review_applications")
@require_GET
def queue(request: SignedInRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("status", "legal_form", "flag")}
    applications = worklist.queue(**filters, clerk=request.user)
    counted = worklist.count(**filters, clerk=request.user)
    page = _Counted(applications, PAGE_SIZE, count=counted).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(a, _hours(_remaining(a))) for a in page.object_list],
        "filters": filters,
        "statuses": worklist.QUEUE_STATUSES,
        "legal_forms": read.legal_forms(),
    }
    return fragment_or_page(request, "companies/clerk/queue.html", "rows", context)


class _Counted(Paginator):
    """Pages of a list whose length is known without counting it again."""

    def __init__(self, object_list: QuerySet[Application], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


@staff_view("portal.review_applications")
@require_GET
def detail(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    application = access.application_for_clerk(request.user, public_id)
    return render(request, "companies/clerk/review.html", _review_context(request, application))


def _remaining(application: Application) -> timedelta | None:
    found = sla.of(application)
    return None if found is None else found.remaining


def _hours(left: timedelta | None) -> float | None:
    return None if left is None else round(left.total_seconds() / 3600, 1)


def _review_context(
    request: SignedInRequest, application: Application, **forms: Any
) -> dict[str, Any]:
    events = read.events(application)
    company = getattr(application, "company", None)
    checks = worklist.checks_of_this_round(application)
    deed = next((c for c in checks if c.kind == RegistryCheck.Kind.DEED), None)
    return {
        "application": application,
        "founders": read.founders(application),
        "checks": checks,
        "deed": deed,
        "deed_lines": deeds.comparison(deed.detail) if deed and deed.detail else [],
        "version": versions.current(application),
        "signatures": signing.signatures_of_current(application),
        "payment": worklist.latest_payment(application),
        "events": events,
        "identity_reports": worklist.identity_reports(application),
        "remaining": _hours(sla.remaining(events)),
        "actions": claims.possible_actions(application, clerk=request.user),
        "clerks": roles.clerks(),
        "changes_form": forms.get("changes_form") or RequestChangesForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "company": company,
        "documents": verification.document_rows(request.user, company) if company else [],
    }


def _after_action(request: SignedInRequest, application: Application, **forms: Any) -> HttpResponse:
    """A form to correct, or htmx: the decision panel again (the page without htmx); otherwise
    back to the review page."""
    if forms or wants_fragment(request):
        application = access.application_for_clerk(request.user, application.public_id)
        context = _review_context(request, application, **forms)
        return fragment_or_page(request, "companies/clerk/review.html", "panel", context)
    return redirect("companies:review", application.public_id)


@staff_view("portal.review_applications")
@require_POST
def act(request: SignedInRequest, public_id: UUID, action: str) -> HttpResponse:
    application = access.application_for_clerk(request.user, public_id)
    try:
        return ACTIONS[action](request, application)
    except (claims.ClaimRefused, workflow.TransitionNotAllowed, workflow.GuardFailed) as refused:
        messages.error(request, str(refused))
        return _after_action(request, application)


def _claim(request: SignedInRequest, application: Application) -> HttpResponse:
    claims.claim(application, clerk=request.user)
    messages.success(request, _("You are working on this application."))
    return _after_action(request, application)


def _release(request: SignedInRequest, application: Application) -> HttpResponse:
    claims.release(application, clerk=request.user)
    return _after_action(request, application)


def _approve(request: SignedInRequest, application: Application) -> HttpResponse:
    claims.approve(application, clerk=request.user)
    messages.success(request, _("Approved and registered."))
    return _after_action(request, application)


def _release_hold(request: SignedInRequest, application: Application) -> HttpResponse:
    claims.release_identity_hold(application, clerk=request.user)
    messages.success(request, _("The hold is released: the application can be approved."))
    return _after_action(request, application)


def _request_changes(request: SignedInRequest, application: Application) -> HttpResponse:
    form = RequestChangesForm(request.POST)
    if not form.is_valid():
        return _after_action(request, application, changes_form=form)
    claims.request_changes(
        application,
        clerk=request.user,
        message=form.cleaned_data["message"],
        sections=form.cleaned_data["sections"],
    )
    messages.success(request, _("The applicant was asked for changes; the clock is paused."))
    return _after_action(request, application)


def _reject(request: SignedInRequest, application: Application) -> HttpResponse:
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _after_action(request, application, reject_form=form)
    claims.reject(
        application,
        clerk=request.user,
        reason=form.cleaned_data["reason"],
        explanation=form.cleaned_data["explanation"],
    )
    messages.success(request, _("The application was rejected."))
    return _after_action(request, application)


def _reassign(request: SignedInRequest, application: Application) -> HttpResponse:
    if not request.user.has_perm("portal.supervise_review"):
        messages.error(request, _("Only a supervisor can reassign applications."))
        return _after_action(request, application)
    chosen = request.POST.get("clerk") or "0"
    clerk = roles.clerks().filter(pk=chosen).first()
    claims.reassign(application, to=clerk)
    messages.success(request, _("Reassigned."))
    return _after_action(request, application)


ACTIONS: dict[str, Callable[[SignedInRequest, Application], HttpResponse]] = {
    "claim": _claim,
    "release": _release,
    "approve": _approve,
    "request-changes": _request_changes,
    "reject": _reject,
    "reassign": _reassign,
    "release-hold": _release_hold,
}
