"""Reads, and the access checks that go with them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, StrIndex
from django.shortcuts import get_object_or_404
from django.utils import timezone

from companies.models import (
    Application,
    ApplicationStatus,
    Company,
    Document,
    Founder,
    NameReservation,
)
from companies.names import Candidate, SearchMatch, Source, normalise_name, search_match
from portal.models import User

IDENTIFIER = re.compile(r"[A-Z0-9Ñ&-]{1,20}")  # a registration number or an RFC, upper case
MAX_RESEMBLING = 1000  # companies a search without PostgreSQL returns, at most


def name_candidates(
    *, ignore_holder: User | None = None, now: datetime | None = None
) -> list[Candidate]:
    """Names a new one is compared with: the register and reservations still in force."""
    now = now or timezone.now()
    registered = Company.objects.filter(status=Company.Status.ACTIVE).values_list(
        "name", "normalised_name"
    )
    reserved = NameReservation.objects.filter(
        status=NameReservation.Status.ACTIVE, expires_at__gt=now
    )
    if ignore_holder is not None:
        reserved = reserved.exclude(holder=ignore_holder)
    return [Candidate(name, normalised, Source.REGISTERED) for name, normalised in registered] + [
        Candidate(name, normalised, Source.RESERVED)
        for name, normalised in reserved.values_list("name", "normalised_name")
    ]


def name_reserved_on(application: Application) -> date | None:
    """The day the application's name was first reserved for it; None if it never was."""
    first = (
        NameReservation.objects.filter(
            application=application, normalised_name=application.normalised_name
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localdate(first) if first else None


def visible_applications(user: User) -> QuerySet[Application]:
    """Applications a person may see: those they filed and those they are a founder of."""
    if not user.curp:
        return Application.objects.filter(filer=user)
    return Application.objects.filter(Q(filer=user) | Q(founders__curp=user.curp)).distinct()


def application_for(user: User, public_id: UUID) -> Application:
    """The application if this person may see it; 404 for everybody else (no hint it exists)."""
    queryset = visible_applications(user).select_related("legal_form", "filer")
    return get_object_or_404(queryset, public_id=public_id)


def application_for_filer(user: User, public_id: UUID) -> Application:
    return get_object_or_404(
        Application.objects.select_related("legal_form", "filer"), public_id=public_id, filer=user
    )


def dashboard(user: User) -> dict[str, list[Application]]:
    mine = list(visible_applications(user).select_related("legal_form").order_by("-updated_at"))
    return {
        "to_sign": [a for a in mine if _waits_for_signature_of(a, user)],
        "drafts": [a for a in mine if a.is_editable and a.filer_id == user.pk],
        "in_progress": [a for a in mine if not a.is_editable and a.status != "registered"],
        "registered": [a for a in mine if a.status == "registered"],
    }


def _waits_for_signature_of(application: Application, user: User) -> bool:
    if application.status != ApplicationStatus.AWAITING_SIGNATURES or not user.curp:
        return False
    version = application.versions.order_by("-number").first()
    if version is None:
        return False
    return application.founders.filter(curp=user.curp).exclude(signatures__version=version).exists()


QUEUE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CHECKING,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
)


def queue(
    *,
    status: str = "",
    legal_form: str = "",
    flag: str = "",
    clerk: User | None = None,
) -> QuerySet[Application]:
    """What needs a human, oldest first (the least time left on the 24-hour clock)."""
    applications = Application.objects.filter(status__in=QUEUE_STATUSES)
    if status in QUEUE_STATUSES:
        applications = applications.filter(status=status)
    if legal_form:
        applications = applications.filter(legal_form__code=legal_form)
    if flag == "attention":
        applications = applications.filter(needs_attention=True)
    elif flag == "unassigned":
        applications = applications.filter(assigned_to__isnull=True)
    elif flag == "mine" and clerk is not None:
        applications = applications.filter(assigned_to=clerk)
    return applications.select_related("legal_form", "assigned_to").order_by(
        "first_submitted_at", "pk"
    )


def for_review(public_id: UUID) -> Application:
    queryset = Application.objects.select_related("legal_form", "filer", "assigned_to")
    return get_object_or_404(queryset, public_id=public_id)


def search_register(query: str) -> QuerySet[Company]:
    """Registration number or RFC exactly (any case); otherwise ``companies_named`` the query."""
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
    instead (``companies_named``). At most ``MAX_RESEMBLING`` companies are returned.
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
    the best matches first, typos and the start of a word being enough.

    On PostgreSQL a word is found when it is trigram-word-similar to the name (pg_trgm's ``%>``,
    word similarity of at least ``pg_trgm.word_similarity_threshold``, 0.6 unless configured).
    Elsewhere (SQLite) rapidfuzz scores every name (``companies_resembling``).
    """
    words = normalised.split()
    companies = Company.objects.select_related("legal_form")
    if not words:
        return companies.none()
    if connection.vendor != "postgresql":
        return companies_resembling(normalised)
    for word in words:  # one indexed condition per word: the GIN trigram index of 0007
        companies = companies.filter(TrigramWordSimilar(F("normalised_name"), Value(word)))
    words_found = sum(
        (TrigramWordSimilarity(word, "normalised_name") for word in words), start=Value(0.0)
    )
    return companies.annotate(
        words_found=words_found, closeness=TrigramSimilarity("normalised_name", " ".join(words))
    ).order_by("-words_found", "-closeness", "name", "registration_number")


def current_documents(company: Company) -> list[Document]:
    """The latest version of each kind of the company's documents, in the kinds' order."""
    return latest_of_each_kind(company.documents.all())


def latest_of_each_kind(issued: Iterable[Document]) -> list[Document]:
    """Of some documents, the highest version of each kind, in the kinds' order."""
    latest: dict[str, Document] = {}
    for document in issued:
        if document.kind not in latest or document.version > latest[document.kind].version:
            latest[document.kind] = document
    return [latest[kind] for kind in Document.Kind.values if kind in latest]


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
