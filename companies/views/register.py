"""The public register: search by name, RFC or registration number, and a page per company."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from companies.access import may_read_founders_documents
from companies.documents import verification
from companies.filing import read
from companies.lifecycle import access as filing_access
from companies.lifecycle import history as filing_history
from companies.models import Company
from companies.pieces import read as pieces_read
from companies.register import search as register_search
from companies.register import states
from portal.htmx import fragment_or_page
from portal.requests import PortalRequest

PAGE_SIZE = 20


class RegisterPaginator(Paginator):
    """Pages of a register search that count no further than ``search.MAX_COUNTED`` matches
    (``exact`` is false past them: "more than 200 companies", the pages stopping there). The
    first page is read before counting: when not full it is the whole count, and a rare name's
    carries its count (``search.matched``), so a search of one page takes one query."""

    def __init__(self, found: QuerySet[Company], per_page: int) -> None:
        super().__init__(found, per_page)
        self.found = found
        self.exact = True
        self._first: Sequence[Any] | None = None

    @cached_property
    def count(self) -> int:
        first = list(self.found[: self.per_page])
        self._first = first
        if len(first) < self.per_page:
            return len(first)
        matches = register_search.matched(first)
        if matches is not None:
            return matches
        counted = register_search.count_up_to(self.found)
        self.exact = counted.exact
        return counted.count

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if number == 1 and self._first is not None:
            return Page(self._first, number, self)
        return super().page(number)


@require_GET
def search(request: PortalRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:150]
    results = register_search.search_register(query)
    page = RegisterPaginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"query": query, "page": page}
    return fragment_or_page(request, "companies/register/search.html", "results", context)


@require_GET
def company(request: HttpRequest, number: str) -> HttpResponse:
    entry = register_search.entry(number)
    application = entry.application
    issued = list(entry.documents.all())  # read once, for the history and the downloads
    context: dict[str, Any] = {
        "company": entry,
        "application": application,
        "administrators": read.administrators(application) if application else [],
        "history": register_search.history(entry, issued),
        "documents": verification.document_rows(request.user, entry, issued),
        # The other agencies' procedures, for its founders only (a refusal's reason is theirs).
        "pieces": pieces_read.rows(entry)
        if may_read_founders_documents(request.user, entry)
        else [],
    }
    state = states.current(entry.pk)  # the register data as the filings left it (issue 14)
    if state is not None:
        context["data"] = state.data
        context["office"] = filing_history.office_text(state.data.get("office"))
        context["filings"] = filing_history.of(
            entry, everything=request.GET.get("historial") == "completo"
        )
        context["is_member"] = filing_access.is_member(request.user, entry, state.data)
    return render(request, "companies/register/company.html", context)
