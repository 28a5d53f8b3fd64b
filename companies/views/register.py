"""The public register: search by name, RFC or registration number, and a page per company."""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies.documents import verification
from companies.models import Company, RegisterChange
from companies.register import search as register_search
from portal.htmx import fragment_or_page
from portal.requests import PortalRequest

PAGE_SIZE = 20


@require_GET
def search(request: PortalRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:150]
    results = register_search.search_register(query) if query else Company.objects.none()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"query": query, "page": page}
    return fragment_or_page(request, "companies/register/search.html", "results", context)


@require_GET
def company(request: HttpRequest, number: str) -> HttpResponse:
    entry = get_object_or_404(
        Company.objects.select_related("legal_form", "application"), registration_number=number
    )
    application = entry.application
    context = {
        "company": entry,
        "application": application,
        "administrators": application.founders.filter(is_administrator=True) if application else [],
        "history": _history(entry),
        "documents": verification.document_rows(request.user, entry),
    }
    return render(request, "companies/register/company.html", context)


def _history(company: Company) -> list[tuple[datetime, str]]:
    """What happened to the entry, oldest first: the register's changes and the documents."""
    lines: list[tuple[datetime, str]] = []
    for change in company.changes.order_by("pk"):
        if change.kind == RegisterChange.Kind.REGISTERED:
            lines.append((change.created_at, _("Entered in the register")))
        elif change.kind == RegisterChange.Kind.UPDATED and change.data.get("rfc"):
            lines.append(
                (change.created_at, _("RFC %(rfc)s given by the tax registry") % change.data)
            )
        else:
            lines.append((change.created_at, str(change.get_kind_display())))
    for document in company.documents.select_related("company__legal_form").order_by("issued_at"):
        lines.append(
            (
                document.issued_at,
                _("%(document)s issued (version %(version)s)")
                % {"document": document.label, "version": document.version},
            )
        )
    return sorted(lines, key=lambda line: line[0])
