"""The public register: search by name, RFC or registration number, and a page per company."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from companies.documents import verification
from companies.filing import read
from companies.register import search as register_search
from portal.htmx import fragment_or_page
from portal.requests import PortalRequest

PAGE_SIZE = 20


@require_GET
def search(request: PortalRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:150]
    results = register_search.search_register(query)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"query": query, "page": page}
    return fragment_or_page(request, "companies/register/search.html", "results", context)


@require_GET
def company(request: HttpRequest, number: str) -> HttpResponse:
    entry = register_search.entry(number)
    application = entry.application
    context = {
        "company": entry,
        "application": application,
        "administrators": read.administrators(application) if application else [],
        "history": register_search.history(entry),
        "documents": verification.document_rows(request.user, entry),
    }
    return render(request, "companies/register/company.html", context)
