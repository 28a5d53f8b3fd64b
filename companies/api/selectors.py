"""The agency API's reads: one company with what its resource shows, and the search."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import rfc as stdnum_rfc

from companies.api.errors import ApiError, ErrorCode, company_not_found
from companies.filing import signing
from companies.filing.names import normalise_name
from companies.models import (
    ApplicationStatus,
    Company,
    CompanyFiling,
    Document,
    Founder,
    Signature,
)
from companies.register import search as register_search
from companies.register import states

NUMBER = re.compile(r"[A-Z0-9-]{1,20}")  # checked before a query: no NUL byte reaches SQL
ENTRY_FIELDS = (
    *("registration_number", "name", "rfc", "status", "registered_at"),
    *("legal_form__code", "legal_form__abbreviation", "legal_form__name"),
    *("application__street", "application__exterior_number", "application__interior_number"),
    *("application__neighbourhood", "application__postal_code", "application__municipality"),
    *("application__purpose", "application__activity_codes", "application__capital"),
    "application__comisario_name",
)


SUMMARY_FIELDS = (
    *("registration_number", "name", "rfc", "status", "registered_at"),
    "legal_form__abbreviation",
)


@dataclass(frozen=True)
class Entry:
    """A register entry as its resources show it: the company and its administrators; ``state``,
    its current register data (``register.states``: what the filings changed since registration),
    which the resources read instead of the application when there is one."""

    company: Company
    administrators: list[Founder]
    state: dict[str, Any] | None = None


def company(number: str) -> Company:
    """The company with this registration number, or ``not_found``."""
    if not NUMBER.fullmatch(number):
        raise company_not_found(number)
    companies = Company.objects.select_related("legal_form", "application").only(*ENTRY_FIELDS)
    found = companies.filter(registration_number=number).first()
    if found is None:
        raise company_not_found(number)
    return found


def entry(number: str) -> Entry:
    """The company with this registration number and its administrators, or ``not_found``."""
    found = company(number)
    current = states.current(found.pk)
    if current is not None:
        return Entry(found, [], current.data)
    if found.application_id is None:
        return Entry(found, [])
    administrators = (
        Founder.objects.filter(application_id=found.application_id, is_administrator=True)
        .only("given_names", "first_surname", "second_surname")
        .order_by("pk")
    )
    return Entry(found, list(administrators))


def valid_rfc(value: str) -> str:
    """The RFC in its compact form (format and date checked), or ``invalid_rfc``."""
    try:
        return str(stdnum_rfc.validate(value))
    except StdnumError as exc:
        message = _("%(rfc)s is not a valid RFC.") % {"rfc": value}
        raise ApiError(ErrorCode.INVALID_RFC, message) from exc


def search(*, rfc: str | None, name: str | None) -> QuerySet[Company]:
    """Companies by RFC (exact) or by name, as the public register finds them (best first)."""
    if (rfc is None) == (name is None):
        message = _("Search by rfc or by nombre: give exactly one of them.")
        raise ApiError(ErrorCode.INVALID_QUERY, message)
    if rfc is not None:
        companies = Company.objects.select_related("legal_form")
        return companies.filter(rfc=valid_rfc(rfc)).order_by("registration_number")
    normalised = normalise_name(name or "")
    if not normalised:
        message = _("The name to search for needs at least one letter or digit.")
        raise ApiError(ErrorCode.INVALID_QUERY, message)
    return register_search.companies_named(normalised)


@dataclass(frozen=True)
class Page:
    """One page of a search, and how many companies the search found: ``count`` exactly, or
    at least ``count`` when not ``exact`` (a search stops counting, ``count_up_to``)."""

    count: int
    exact: bool
    has_more: bool
    companies: Sequence[Company]


def page_of(found: QuerySet[Company], *, offset: int, limit: int) -> Page:
    """A page of ``found`` and its count, which reads no further than ``MAX_COUNTED`` matches
    (or the page's end, if further): a first page that is not full is its own count, and a
    rare name's page carries its count (``register_search.matched``)."""
    rows = list(found.only(*SUMMARY_FIELDS)[offset : offset + limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not has_more and (rows or not offset):
        return Page(count=offset + len(rows), exact=True, has_more=False, companies=rows)
    matches = register_search.matched(rows)
    if matches is not None:
        return Page(count=matches, exact=True, has_more=has_more, companies=rows)
    ceiling = max(register_search.MAX_COUNTED, offset + limit)
    counted = register_search.count_up_to(found, ceiling)
    return Page(count=counted.count, exact=counted.exact, has_more=has_more, companies=rows)


def document(company: Company, *, kind: str, version: int) -> Document:
    """One issued document of the company, or ``not_found``."""
    found = (
        Document.objects.select_related("company")
        .filter(company=company, kind=kind, version=version)
        .first()
    )
    if found is None:
        raise ApiError(
            ErrorCode.NOT_FOUND,
            _("%(number)s has no such document, or not in that version.")
            % {"number": company.registration_number},
            status=404,
        )
    return found


def articles_signers(company: Company) -> list[Signature]:
    """The founders' e.firma signatures the registered articles carry (none when a founder
    approved with a click: the articles were then drawn anew)."""
    application = company.application
    return signing.signed_with_efirma_by_all(application) if application is not None else []


def registered_filings(company: Company) -> list[CompanyFiling]:
    """The company's registered filings, oldest first, with the filings they correct."""
    return list(
        CompanyFiling.objects.filter(company=company, status=ApplicationStatus.REGISTERED)
        .select_related("corrects")
        .order_by("registered_at", "pk")
    )
