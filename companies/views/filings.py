"""A registered company's filings, for the people of the company: what they may file now (and
why not the rest), the form of each type, a filing's page with its signers, and its actions.
Everybody else gets 404 on every one of them (``lifecycle.access``)."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.filing.signing import is_fresh
from companies.lifecycle import access, filings, forms, history, rules
from companies.lifecycle import workflow as flow
from companies.models import ApplicationStatus, FilingType
from portal.auth import authenticated_at
from portal.requests import SignedInRequest


@login_required
@require_GET
def company(request: SignedInRequest, number: str) -> HttpResponse:
    member = access.company_for_member(request.user, number)
    pending = filings.pending_of(member.company)
    context = {
        "company": member.company,
        "data": member.data,
        "choices": rules.offer_for(request.user, member.company, member.data, pending),
        "pending": pending,
        "office": history.office_text(member.data.get("office")),
        "history": history.of(
            member.company, everything=request.GET.get("historial") == "completo"
        ),
    }
    return render(request, "companies/filings/company.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: SignedInRequest, number: str, filing_type: str) -> HttpResponse:
    member = access.company_for_member(request.user, number)
    if filing_type not in forms.FORMS:
        raise Http404
    choices = rules.offer_for(
        request.user, member.company, member.data, filings.pending_of(member.company)
    )
    refusal = rules.refusal(choices, filing_type)
    if refusal:  # the page offers only what the table allows; a typed address says why not
        messages.error(request, refusal)
        return redirect("companies:company_filings", number)
    form = forms.FORMS[filing_type](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = filings.start(
                company=member.company,
                user=request.user,
                filing_type=filing_type,
                payload=form.payload(),
                effective_on=form.cleaned_data["effective_on"],
            )
        except filings.FilingRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        else:
            return redirect("companies:filing", number, filing.public_id)
    context = {"company": member.company, "form": form, "type_label": _label(filing_type)}
    return render(request, "companies/filings/new.html", context)


def _label(filing_type: str) -> str:
    return str(FilingType(filing_type).label)


@login_required
@require_GET
def detail(request: SignedInRequest, number: str, public_id: UUID) -> HttpResponse:
    member = access.company_for_member(request.user, number)
    filing = access.filing_of(member, public_id)
    signers = filings.signers(filing)
    context = {
        "company": member.company,
        "filing": filing,
        "signers": signers,
        "may_sign": filing.status == ApplicationStatus.AWAITING_SIGNATURES
        and any(s.curp == request.user.curp and s.signed_at is None for s in signers),
        "may_submit": filing.status == ApplicationStatus.AWAITING_SIGNATURES
        and filing.filer_id == request.user.pk
        and all(s.signed_at for s in signers),
        "may_withdraw": filing.filer_id == request.user.pk and flow.can_withdraw(filing),
    }
    return render(request, "companies/filings/detail.html", context)


@login_required
@require_POST
def act(request: SignedInRequest, number: str, public_id: UUID, action: str) -> HttpResponse:
    member = access.company_for_member(request.user, number)
    filing = access.filing_of(member, public_id)
    here = reverse("companies:filing", args=[number, filing.public_id])
    try:
        if action == "sign":
            when = authenticated_at(request)
            if not is_fresh(when):
                query = urlencode({"fresh": "1", "next": here})
                return redirect(f"{reverse('oidc_authentication_init')}?{query}")
            filings.sign(filing, user=request.user, authenticated_at=when)
            messages.success(request, _("Your signature was recorded."))
        elif action == "submit" and filing.filer_id == request.user.pk:
            filings.submit(filing, actor=request.user)
            messages.success(request, _("The filing was submitted to the register."))
        elif action == "withdraw" and filing.filer_id == request.user.pk:
            filings.withdraw(filing, actor=request.user)
            messages.success(request, _("The filing was withdrawn. Nothing was deleted."))
        else:
            raise Http404
    except (filings.FilingRefused, flow.TransitionNotAllowed, flow.GuardFailed) as refused:
        messages.error(request, str(refused))
    return redirect(here)
