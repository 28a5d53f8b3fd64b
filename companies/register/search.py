"""Reads of the register: the search by number, RFC or name (trigrams on PostgreSQL, rapidfuzz
elsewhere), a company's entry as its public page shows it, and the companies a person
controls."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    TrigramSimilarity,
    TrigramWordDistance,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import CharField, Count, F, Q, QuerySet, Value, Window
from django.db.models.functions import Cast, Concat, StrIndex, Upper
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from companies.filing.names import SearchMatch, normalise_name, search_match
from companies.models import (
    Company,
    Document,
    Founder,
    RegisterChange,
)

# A registration number or an RFC, upper case: both have digits (an RFC its date), a name's
# single word rarely, so a name search does not ask for it first.
IDENTIFIER = re.compile(r"(?=.*[0-9])[A-Z0-9Ñ&-]{1,20}")


MAX_COUNTED = 200  # matches a search counts; past them it says "more than 200" (10 pages)
MAX_RESEMBLING = 2000  # companies a search without PostgreSQL returns, at most (> MAX_COUNTED)
FEW_MATCHES = 2000  # PostgreSQL's estimate of matches up to which they are all ranked


@dataclass(frozen=True)
class Counted:
    """How many companies a search found: ``count`` exactly, or at least ``count`` more."""

    count: int
    exact: bool


def count_up_to(found: QuerySet[Company], ceiling: int | None = None) -> Counted:
    """How many companies ``found`` holds, counting no further than ``ceiling`` (by default
    ``MAX_COUNTED``): beyond it the count is ``ceiling`` and not exact.

    A common word matches tens of thousands of names in a register of a million, and counting
    them all took longer than finding the best twenty. A common name's matches are counted in
    the search's order, nearest-first from the GiST index, which stops at ``ceiling + 1``; a
    rare name's, unordered (and its pages carry their ``matches``, ``matched``).
    """
    ceiling = MAX_COUNTED if ceiling is None else ceiling
    if found.query.order_by != ("distance",):  # a rare name's matches: no need to rank them
        found = found.order_by()
    counted = found[: ceiling + 1].count()
    return Counted(count=min(counted, ceiling), exact=counted <= ceiling)


def matched(rows: Sequence[Company]) -> int | None:
    """How many companies matched the search these rows are a page of, if the rows say so:
    those of a rare name do (``companies_named``), counted in the same query."""
    return getattr(rows[0], "matches", None) if rows else None


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

    On PostgreSQL a word is found when it is trigram-word-similar to the name (pg_trgm's ``%>``,
    word similarity of at least ``pg_trgm.word_similarity_threshold``, 0.6 unless configured).
    No search reads or sorts every match of a common word (there are tens of thousands in a
    register of a million). When PostgreSQL expects few matches (``FEW_MATCHES``, from its
    statistics: ``estimated_rows``), the GIN index of 0007 finds them at once and they are
    ranked in full: by how well the words are found (the sum of their word similarities), then
    how close the whole name is to the query, then by name and number. When it expects more, the GiST index of 0013 hands them out nearest-first by the
    word-similarity distance of the whole query (``<->>``, on ``upper(normalised_name)``, the
    expression only that index covers), so a page reads about as many entries as it shows;
    names at the same distance (every name holding a one-word query exactly) come in the
    index's order, the same from one page to the next while the register does not change.
    Elsewhere (SQLite) rapidfuzz scores every name (``companies_resembling``).
    """
    words = normalised.split()
    companies = Company.objects.select_related("legal_form")
    if not words:
        return companies.none()
    if connection.vendor != "postgresql":
        return companies_resembling(normalised)
    query = " ".join(words)
    matching = companies
    for word in words:  # one indexed condition per word: the GIN trigram index of 0007
        matching = matching.filter(TrigramWordSimilar(F("normalised_name"), Value(word)))
    if estimated_rows(matching) <= FEW_MATCHES:
        words_found = sum(
            (TrigramWordSimilarity(word, "normalised_name") for word in words), start=Value(0.0)
        )
        ranked = matching.alias(
            words_found=words_found, closeness=TrigramSimilarity("normalised_name", query)
        ).order_by("-words_found", "-closeness", "name", "registration_number")
        return ranked.annotate(matches=Window(Count("pk")))  # the few counted with the page
    nearest = companies.alias(upper_name=Upper("normalised_name"))
    for word in words:  # the same conditions, on the GiST index's expression
        nearest = nearest.filter(TrigramWordSimilar(F("upper_name"), Value(word)))
    return nearest.alias(distance=TrigramWordDistance(query, "upper_name")).order_by("distance")


def estimated_rows(companies: QuerySet[Company]) -> int:
    """How many rows PostgreSQL expects ``companies`` to hold (its plan, not a count)."""
    plan = json.loads(companies.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


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
