"""The clerks and the filings on registered companies that need a person: a list of those in
review, oldest first, and the decision on one (approve, which registers it when it is due, or
reject with the reason). The 24-hour clock and claiming are the applications' for now."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from companies.lifecycle import filings, history
from companies.lifecycle import workflow as flow
from companies.models import CompanyFiling
from portal.requests import SignedInRequest
from portal.security import staff_view

REVIEW = "portal.review_applications"


@staff_view(REVIEW)
@require_GET
def queue(request: SignedInRequest) -> HttpResponse:
    return render(request, "companies/clerk/filings.html", {"filings": filings.in_review()})


def _filing(public_id: UUID) -> CompanyFiling:
    return get_object_or_404(
        CompanyFiling.objects.select_related("company__legal_form", "filer"), public_id=public_id
    )


@staff_view(REVIEW)
@require_GET
def detail(request: SignedInRequest, public_id: UUID) -> HttpResponse:
    filing = _filing(public_id)
    context = {
        "filing": filing,
        "company": filing.company,
        "changes": history.described(filing.changes or filings.preview(filing)),
        "signers": filings.signers(filing),
        "events": filing.events.select_related("actor"),
        "reasons": [_(reason) for reason in filing.review_reasons],
    }
    return render(request, "companies/clerk/filing.html", context)


@staff_view(REVIEW)
@require_POST
def act(request: SignedInRequest, public_id: UUID, action: str) -> HttpResponse:
    filing = _filing(public_id)
    reason = request.POST.get("reason", "").strip()[:2000]
    try:
        if action == "approve":
            filings.approve_by_clerk(filing, actor=request.user, reason=reason)
            messages.success(request, _("The filing was approved."))
        elif action == "reject":
            filings.reject_by_clerk(filing, actor=request.user, reason=reason)
            messages.success(request, _("The filing was rejected."))
        else:
            raise Http404
    except (filings.FilingRefused, flow.TransitionNotAllowed) as refused:
        messages.error(request, str(refused))
    return redirect("companies:clerk_filing", filing.public_id)
