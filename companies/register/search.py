"""Reads of the register: the search by number, RFC or name (trigrams on PostgreSQL, rapidfuzz
elsewhere), a company's entry as its public page shows it, and the companies a person
controls."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, StrIndex
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from companies.filing.names import SearchMatch, normalise_name, search_match
from companies.models import (
    Company,
    Document,
    Founder,
    RegisterChange,
)
from companies.register import name_words

# A registration number or an RFC, upper case: both have digits (an RFC its date), a name's
# single word rarely, so a name search does not ask for it first.
IDENTIFIER = re.compile(r"(?=.*[0-9])[A-Z0-9Ñ&-]{1,20}")


MAX_COUNTED = 200  # matches a search counts; past them it says "more than 200" (10 pages)
MAX_RESEMBLING = 2000  # companies a search without PostgreSQL returns, at most (> MAX_COUNTED)
FEW_MATCHES = 2000  # matches up to which a search counts them all, with its first page


@dataclass(frozen=True)
class Counted:
    """How many companies a search found: ``count`` exactly, or at least ``count`` more."""

    count: int
    exact: bool


def count_up_to(found: QuerySet[Company], ceiling: int | None = None) -> Counted:
    """How many companies ``found`` holds, counting no further than ``ceiling`` (by default
    ``MAX_COUNTED``): beyond it the count is ``ceiling`` and not exact.

    A common word matches tens of thousands of names in a register of a million, and counting
    them all took longer than finding the best twenty: a name search returns no more than
    ``MAX_RESEMBLING`` companies, so a count that reaches them is not exact either (a rare
    name's pages carry their exact count, ``matched``).
    """
    ceiling = MAX_COUNTED if ceiling is None else ceiling
    ceiling = min(ceiling, MAX_RESEMBLING - 1)
    counted = found.order_by()[: ceiling + 1].count()
    return Counted(count=min(counted, ceiling), exact=counted <= ceiling)


def matched(rows: Sequence[Company]) -> int | None:
    """How many companies matched the search these rows are a page of, if the rows say so:
    those of a name with no more than ``FEW_MATCHES`` matches do (``companies_named``),
    counted in the same query."""
    matches: int | None = getattr(rows[0], "matches", None) if rows else None
    return matches if matches is not None and matches <= FEW_MATCHES else None


def search_register(query: str) -> QuerySet[Company]:
    """Registration number or RFC exactly (any case); otherwise ``companies_named`` the query;
    nothing for no query."""
    if not query.strip():
        return Company.objects.none()
    identifier = query.strip().upper()
    if IDENTIFIER.fullmatch(identifier):  # no NUL byte or other junk reaches PostgreSQL
        exact = Company.objects.select_related("legal_form").filter(
            Q(registration_number=identifier) | Q(rfc=identifier)
        )
        if exact.exists():
            return exact.order_by("registration_number")
    return companies_named(normalise_name(query))


def companies_resembling(normalised: str) -> QuerySet[Company]:
    """Companies whose name has every word of ``normalised``, typos forgiven, best first.

    Scored in Python with rapidfuzz (``names.search_match``): every name is read, which is
    enough for the register an embedded SQLite database holds; PostgreSQL uses its index
    instead (``companies_named``). At most ``MAX_RESEMBLING`` companies are returned, more than
    a search counts (``count_up_to``).
    """
    words = normalised.split()
    ranked: list[tuple[SearchMatch, str, str, int]] = []
    for pk, name, number, normalised_name in Company.objects.values_list(
        "pk", "name", "registration_number", "normalised_name"
    ).iterator():
        match = search_match(words, normalised_name)
        if match is not None:
            ranked.append((match, name, number, pk))
    ranked.sort(key=lambda row: (-row[0].words_found, -row[0].closeness, row[1], row[2]))
    best = [pk for *_, pk in ranked[:MAX_RESEMBLING]]
    # The rank as the place of ",pk," in one string of the ranked keys: a single parameter,
    # where a CASE of one WHEN per company took a second to build and run for a thousand.
    ranking = Value("," + ",".join(map(str, best)) + ",")
    key = Concat(Value(","), Cast("pk", CharField()), Value(","))
    return (
        Company.objects.select_related("legal_form")
        .filter(pk__in=best)
        .order_by(StrIndex(ranking, key))
    )


def companies_named(normalised: str) -> QuerySet[Company]:
    """Companies whose name has every word of ``normalised`` (a ``normalise_name`` result),
    the nearest names first, typos and the start of a word being enough.

    On PostgreSQL a searched word is found in a name when one of the name's words is
    trigram-word-similar to it (pg_trgm's ``%>``, word similarity of at least
    ``pg_trgm.word_similarity_threshold``, 0.6 unless configured): the names' words are looked
    up first, then their companies (``name_words``), so that no search reads or ranks every
    name that has a common word. The best come first: how well the words are found (the sum of
    each word's similarity), then the shortest name, then the earliest registered; at most
    ``MAX_RESEMBLING`` of them. They carry their count, up to ``FEW_MATCHES`` (``matches``,
    from the words' index in the same query, see ``matched``); beyond, they are counted no
    further than ``MAX_COUNTED`` (``count_up_to``). Elsewhere (SQLite) rapidfuzz scores every name
    (``companies_resembling``).
    """
    words = normalised.split()
    companies = Company.objects.select_related("legal_form")
    if not words:
        return companies.none()
    if connection.vendor != "postgresql":
        return companies_resembling(normalised)
    found = name_words.words_like(words)
    best = name_words.companies_with(found).select_related("legal_form")
    return best.annotate(matches=name_words.count_at_most(found, FEW_MATCHES + 1))


def explain_name_search(normalised: str) -> str:
    """PostgreSQL's plans of a name search's queries for its first page (the words like the
    searched ones, ``name_words.words_like``, then their companies), analysed: the indexes
    they use."""
    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        list(companies_named(normalised)[:21])
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n".join(plans)


def entry(number: str) -> Company:
    """The company with this registration number, for its public page; 404 if there is none."""
    return get_object_or_404(
        Company.objects.select_related("legal_form", "application"), registration_number=number
    )


def history(
    company: Company, documents: Iterable[Document] | None = None
) -> list[tuple[datetime, str]]:
    """What happened to the entry, oldest first: the register's changes and the documents
    (``documents``, if already read: each document's ``company`` is this one)."""
    lines: list[tuple[datetime, str]] = []
    for change in company.changes.order_by("pk"):
        if change.kind == RegisterChange.Kind.REGISTERED:
            lines.append((change.created_at, _("Entered in the register")))
        elif change.kind == RegisterChange.Kind.UPDATED and change.data.get("campos"):
            continue  # a registered filing: the page lists it, with what it changed
        elif change.kind == RegisterChange.Kind.UPDATED and change.data.get("rfc"):
            lines.append(
                (change.created_at, _("RFC %(rfc)s given by the tax registry") % change.data)
            )
        else:
            lines.append((change.created_at, str(change.get_kind_display())))
    issued = company.documents.all() if documents is None else documents
    for document in sorted(issued, key=lambda document: document.issued_at):
        lines.append(
            (
                document.issued_at,
                _("%(document)s issued (version %(version)s)")
                % {"document": document.label, "version": document.version},
            )
        )
    return sorted(lines, key=lambda line: line[0])


def companies_controlled_by(curp: str, *, excluding_application: int) -> list[Company]:
    """Active companies of a legal form other than the S.A.S. in which this person holds more
    than half of the capital in their own name, as entered in the register at incorporation
    (LGSM art. 260: an S.A.S. shareholder may not control another kind of company). Signing
    for a company that holds shares is not holding them."""
    companies = (
        Company.objects.filter(
            status=Company.Status.ACTIVE,
            application__founders__curp=curp,
            application__founders__kind=Founder.Kind.NATURAL,
        )
        .exclude(legal_form__code="sas")
        .exclude(application_id=excluding_application)
        .prefetch_related("application__founders")
        .distinct()
        .order_by("registration_number")
    )
    controlled = []
    for company in companies:
        assert company.application is not None
        founders = list(company.application.founders.all())
        total = sum(f.contribution for f in founders)
        held = sum(f.contribution for f in founders if f.curp == curp and not f.is_company)
        if total and held * 2 > total:
            controlled.append(company)
    return controlled
