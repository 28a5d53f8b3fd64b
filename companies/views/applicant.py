"""The entrepreneur's pages: dashboard and the filing wizard (each step a page, htmx optional)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access
from companies.filing import (
    articles,
    drafts,
    founder_forms,
    founder_notices,
    founders,
    read,
    reservations,
    rules,
    scian,
    wizard,
)
from companies.filing import forms as filing_forms
from companies.filing.names import NameVerdict
from companies.models import Application, ApplicationStatus, Founder
from companies.pieces import read as pieces_read
from portal.htmx import wants_fragment
from portal.requests import SignedInRequest

View = Callable[..., HttpResponse]
entrepreneur_only = permission_required("portal.file_applications", raise_exception=True)


def filer_view(handler: View) -> View:
    """Signed-in entrepreneur, filer of this application, application still editable."""

    @login_required
    @entrepreneur_only
    @wraps(handler)
    def wrapped(
        request: SignedInRequest, public_id: UUID, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        application = access.application_for_filer(request.user, public_id)
        if not application.is_editable:
            messages.info(request, _("This application can no longer be edited."))
            return redirect("companies:dashboard")
        return handler(request, application, *args, **kwargs)

    return wrapped


@login_required
@entrepreneur_only
@require_GET
def dashboard(request: SignedInRequest) -> HttpResponse:
    context = read.dashboard(request.user)
    return render(request, "companies/dashboard.html", context)


@login_required
@entrepreneur_only
@require_POST
def new_application(request: SignedInRequest) -> HttpResponse:
    application = drafts.create_application(filer=request.user)
    return redirect("companies:step", application.public_id, "forma")


@filer_view
@require_GET
def resume(request: SignedInRequest, application: Application) -> HttpResponse:
    concerned = [
        s.slug for s in wizard.steps_for(application) if s.slug in application.changes_sections
    ]
    if application.status == ApplicationStatus.CHANGES_REQUESTED and concerned:
        return redirect("companies:step", application.public_id, concerned[0])
    return redirect(
        "companies:step", application.public_id, wizard.first_incomplete(application).slug
    )


@filer_view
@require_http_methods(["GET", "POST"])
def step(request: SignedInRequest, application: Application, slug: str) -> HttpResponse:
    current = wizard.BY_SLUG.get(slug)
    if current is None or not current.applies(application):
        raise Http404
    return STEP_HANDLERS[slug](request, application)


def _render_step(
    request: SignedInRequest,
    application: Application,
    slug: str,
    *,
    fragment: str = "",
    **context: Any,
) -> HttpResponse:
    """The step's page; to htmx asking for its ``fragment``, that part alone (its own context:
    the list of steps is not worked out for a part that does not show it)."""
    if fragment and wants_fragment(request):
        return render(request, f"companies/wizard/{slug}.html#{fragment}", context)
    step_states = [(s, s.is_complete(application)) for s in wizard.steps_for(application)]
    return render(
        request,
        f"companies/wizard/{slug}.html",
        {
            "application": application,
            "step_states": step_states,
            "current": wizard.BY_SLUG[slug],
            **context,
        },
    )


def _continue(request: SignedInRequest, application: Application, slug: str) -> HttpResponse:
    messages.success(request, _("Saved."))
    target = wizard.next_step(application, slug)
    return redirect("companies:step", application.public_id, target.slug)


def legal_form_step(request: SignedInRequest, application: Application) -> HttpResponse:
    form = filing_forms.LegalFormForm(
        request.POST or None, initial={"legal_form": application.legal_form}
    )
    if request.method == "POST" and form.is_valid():
        drafts.choose_legal_form(
            application=application, legal_form=form.cleaned_data["legal_form"]
        )
        return _continue(request, application, "forma")
    return _render_step(request, application, "forma", form=form, legal_forms=read.legal_forms())


def name_step(request: SignedInRequest, application: Application) -> HttpResponse:
    form = filing_forms.NameForm(request.POST or None, initial={"name": application.proposed_name})
    if request.method == "POST" and form.is_valid():
        verdict = reservations.name_application(
            application=application, name=form.cleaned_data["name"]
        )
        if verdict.allowed:
            return _continue(request, application, "nombre")
        form.add_error("name", _("Choose another name: see why below."))
    return _render_step(
        request, application, "nombre", form=form, verdict=application.name_verdict or None
    )


@filer_view
@require_http_methods(["GET", "POST"])
def name_check(request: SignedInRequest, application: Application) -> HttpResponse:
    """Availability as the applicant types (htmx GET, the name alone), or as a page without
    JavaScript: the step's own form posts here, so its CSRF token stays out of the URL."""
    form = filing_forms.NameForm(request.POST if request.method == "POST" else request.GET)
    verdict: NameVerdict | None = None
    if form.is_valid():
        verdict = reservations.check_name(name=form.cleaned_data["name"], holder=application.filer)
    context = {
        "verdict": reservations.verdict_as_data(verdict) if verdict else None,
        "checked": True,
    }
    return _render_step(request, application, "nombre", fragment="verdict", form=form, **context)


def office_step(request: SignedInRequest, application: Application) -> HttpResponse:
    form = filing_forms.OfficeForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        form.save()
        return _continue(request, application, "domicilio")
    return _render_step(request, application, "domicilio", form=form)


def purpose_step(request: SignedInRequest, application: Application) -> HttpResponse:
    initial = {
        "purpose": application.purpose,
        "activity_codes": ", ".join(application.activity_codes),
        "hires_employees": _yes_or_no(application.hires_employees),
    }
    form = filing_forms.PurposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        drafts.save_fields(
            application=application,
            purpose=form.cleaned_data["purpose"],
            activity_codes=form.cleaned_data["activity_codes"],
            hires_employees=form.cleaned_data["hires_employees"],
        )
        return _continue(request, application, "objeto")
    catalogue = scian.load_catalogue()
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "form": form,
        "query": query,
        "results": catalogue.search(query) if query else [],
        "chosen": [a for c in application.activity_codes if (a := catalogue.get(c))],
    }
    fragment = "results" if "q" in request.GET else ""
    return _render_step(request, application, "objeto", fragment=fragment, **context)


def _yes_or_no(answer: bool | None) -> str:
    return "" if answer is None else "yes" if answer else "no"


def founders_step(request: SignedInRequest, application: Application) -> HttpResponse:
    action = request.POST.get("action", "") if request.method == "POST" else ""
    founder_form = founder_forms.FounderForm(
        request.POST if action == "add" else None, application=application, prefix="founder"
    )
    capital_form = filing_forms.CapitalForm(
        request.POST if action == "capital" else None,
        initial={"capital": application.capital, "share_value": application.share_value},
        prefix="capital",
        legal_form=application.legal_form,
    )
    if action == "add" and founder_form.is_valid():
        if _add_founder(request, application, founder_form):
            return redirect("companies:step", application.public_id, "socios")
    elif action == "capital" and capital_form.is_valid():
        drafts.set_capital(
            application=application,
            capital=capital_form.cleaned_data["capital"],
            share_value=capital_form.cleaned_data.get("share_value"),
        )
        return redirect("companies:step", application.public_id, "socios")
    elif action in ("remove", "recheck"):
        return _change_founder(request, application, action)
    elif action == "continue" and wizard.BY_SLUG["socios"].is_complete(application):
        return _continue(request, application, "socios")
    founders = read.founders(application)
    return _render_step(
        request,
        application,
        "socios",
        form=capital_form if action == "capital" else founder_form,  # the one to correct
        founder_form=founder_form,
        capital_form=capital_form,
        founders=founders,
        problems=_membership_problems(
            application, founders, asked_to_continue=action == "continue"
        ),
        reviewed=[f.pk for f in founders if rules.founder_sends_to_review(f)],
    )


def _membership_problems(
    application: Application, founders: list[Founder], *, asked_to_continue: bool
) -> list[rules.Problem]:
    """What still stops the step, once there is something to judge: a first visit with nothing
    entered is not met with a list of problems."""
    entered = bool(founders) or application.capital is not None
    if application.legal_form is None or not (entered or asked_to_continue):
        return []
    return rules.membership_problems_of(application, founders, today=timezone.localdate())


def _add_founder(
    request: SignedInRequest, application: Application, form: founder_forms.FounderForm
) -> bool:
    try:
        founder = founders.add_founder(
            application=application,
            founder=form.save(commit=False),
            user_id=request.user.curp or "",
        )
    except founders.FounderRefused as refused:
        form.add_refusal(refused.field, refused.message)
        return False
    notice = founder_notices.on_adding(founder)
    messages.add_message(request, notice.level, notice.text)
    return True


def _change_founder(
    request: SignedInRequest, application: Application, action: str
) -> HttpResponse:
    founder = access.founder_of(application, request.POST.get("founder"))
    if action == "remove":
        founders.remove_founder(application=application, founder_id=founder.pk)
        messages.success(request, _("%(person)s was removed.") % {"person": founder})
    else:
        try:
            founders.recheck_founder(founder=founder, user_id=request.user.curp or "")
        except founders.FounderRefused as refused:
            messages.error(request, refused.message)
    return redirect("companies:step", application.public_id, "socios")


def administration_step(request: SignedInRequest, application: Application) -> HttpResponse:
    initial = {
        "administrators": read.administrators(application),
        "comisario_name": application.comisario_name,
        "comisario_curp": application.comisario_curp,
    }
    form = filing_forms.AdministrationForm(
        request.POST or None, application=application, initial=initial
    )
    if request.method == "POST" and form.is_valid() and application.legal_form:
        chosen = list(form.cleaned_data["administrators"])
        founders = read.founders(application)
        for founder in founders:
            founder.is_administrator = founder in chosen
        for problem in rules.administration_problems(application.legal_form, founders):
            form.add_error("administrators", problem.message)
        if not form.errors:
            drafts.set_administration(
                application=application,
                administrators=chosen,
                comisario_name=form.cleaned_data.get("comisario_name", ""),
                comisario_curp=form.cleaned_data.get("comisario_curp", ""),
            )
            return _continue(request, application, "administracion")
    has_company_founders = read.has_company_founders(application)
    return _render_step(
        request,
        application,
        "administracion",
        form=form,
        has_company_founders=has_company_founders,
    )


def articles_step(request: SignedInRequest, application: Application) -> HttpResponse:
    form = filing_forms.ArticlesForm(request.POST or None, initial=application.articles or None)
    if request.method == "POST" and form.is_valid():
        chosen_options = {name: form.cleaned_data[name] for name in articles.OPTIONS}
        drafts.save_fields(application=application, articles=chosen_options)
        return _continue(request, application, "estatutos")
    options = application.articles or {f: form[f].initial for f in form.fields}
    if "preview" in request.GET:
        chosen = filing_forms.ArticlesForm(request.GET)
        options = chosen.cleaned_data if chosen.is_valid() else options
    context = {"form": form, "clauses": articles.clauses(application, options)}
    fragment = "preview" if "preview" in request.GET else ""
    return _render_step(request, application, "estatutos", fragment=fragment, **context)


def notary_step(request: SignedInRequest, application: Application) -> HttpResponse:
    initial = {f: getattr(application, f) for f in ("notary_number", "deed_number", "deed_date")}
    form = filing_forms.NotaryForm(
        request.POST or None,
        initial=initial,
        today=timezone.localdate(),
        name_reserved_on=read.name_reserved_on(application),
    )
    if request.method == "POST" and form.is_valid():
        drafts.save_fields(
            application=application,
            notary_number=form.cleaned_data["notary_number"],
            deed_number=form.cleaned_data["deed_number"],
            deed_date=form.cleaned_data["deed_date"],
        )
        return _continue(request, application, "notaria")
    return _render_step(request, application, "notaria", form=form)


def review_step(request: SignedInRequest, application: Application) -> HttpResponse:
    pieces = pieces_read.preview(application)
    return _render_step(
        request,
        application,
        "revision",
        ready=wizard.ready_for_review(application),
        pieces=pieces,
        pieces_fee=pieces_read.total_fee(pieces),
    )


STEP_HANDLERS: dict[str, Callable[[SignedInRequest, Application], HttpResponse]] = {
    "forma": legal_form_step,
    "nombre": name_step,
    "domicilio": office_step,
    "objeto": purpose_step,
    "socios": founders_step,
    "administracion": administration_step,
    "estatutos": articles_step,
    "notaria": notary_step,
    "revision": review_step,
}
