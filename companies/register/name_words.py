"""The words of registered companies' names, the name search's way into a register of a million:
written whenever a company's name is (``index_company_name``), read on PostgreSQL by
``search.companies_named`` in two small queries instead of the trigrams of every name.

A query's words are first looked up, typos and the start of a word forgiven, among the names'
distinct words (``words_like``: a few tens of thousands of rows and their trigram index, pg_trgm's
``%>`` at ``pg_trgm.word_similarity_threshold``, 0.6 unless configured). Then the companies are
read from the rarest searched word's entries only (``ranked_companies``), in the order of one
index (the word, the name's length, the company), the name in the index checked for the other
words: a common word's first page reads about as many entries as it shows, a rare one's all of
its few, and a word no name has reads none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    F,
    Field,
    FilteredRelation,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, StrIndex
from django.db.models.lookups import Contains, GreaterThan

from companies.models import Company, NameWord, NameWordCompany

Rows = TypeVar("Rows", Company, NameWordCompany)


def index_company_name(company: Company) -> None:
    """Enter the words of the company's normalised name for the name search, in place of those
    of the name it had before, if any: call it whenever a company's name is written (its
    registration, a change of name), in the same transaction."""
    name = company.normalised_name
    words = sorted(set(name.split()))
    with transaction.atomic():
        entries = NameWordCompany.objects.filter(company=company)
        before = list(entries.values_list("word_id", flat=True))
        if before:
            entries.delete()
            NameWord.objects.filter(pk__in=before).update(companies=F("companies") - 1)
        NameWord.objects.bulk_create([NameWord(word=word) for word in words], ignore_conflicts=True)
        found = dict(NameWord.objects.filter(word__in=words).values_list("word", "pk"))
        NameWordCompany.objects.bulk_create(
            NameWordCompany(word_id=found[word], company=company, name=name, name_length=len(name))
            for word in words
        )
        NameWord.objects.filter(pk__in=found.values()).update(companies=F("companies") + 1)


def index_all_names() -> None:
    """``index_company_name`` for every company not yet indexed, in SQL (PostgreSQL only), and
    every word's count of companies made right: for a register filled in bulk (a benchmark's,
    an import). Migration 0023 does the same for the companies registered before it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO companies_nameword (word, companies)
            SELECT DISTINCT word, 0
            FROM companies_company, unnest(string_to_array(normalised_name, ' ')) AS words(word)
            WHERE word <> ''
            ON CONFLICT (word) DO NOTHING
            """
        )
        cursor.execute(
            """
            INSERT INTO companies_namewordcompany (word_id, company_id, name, name_length)
            SELECT DISTINCT name_word.id, company.id, company.normalised_name,
                   length(company.normalised_name)
            FROM companies_company AS company
            CROSS JOIN LATERAL unnest(string_to_array(company.normalised_name, ' ')) AS words(word)
            JOIN companies_nameword AS name_word ON name_word.word = words.word
            WHERE NOT EXISTS (
                SELECT FROM companies_namewordcompany AS indexed
                WHERE indexed.company_id = company.id
            )
            """
        )
        cursor.execute(
            """
            UPDATE companies_nameword AS name_word
            SET companies = coalesce(counted.companies, 0)
            FROM companies_nameword AS every_word
            LEFT JOIN (
                SELECT word_id, count(*) AS companies
                FROM companies_namewordcompany GROUP BY word_id
            ) AS counted ON counted.word_id = every_word.id
            WHERE every_word.id = name_word.id
              AND name_word.companies <> coalesce(counted.companies, 0)
            """
        )


@dataclass(frozen=True)
class WordLike:
    """A word of the register's names like a searched word: how like (pg_trgm's word similarity,
    0 to 1) and how many companies' names have it."""

    pk: int
    word: str
    score: float
    companies: int


def words_like(words: Sequence[str]) -> list[list[WordLike]]:
    """For each searched word, in turn, the names' words like it, the likest first (PostgreSQL
    only): an empty list for a word no name has anything like."""
    found: list[list[WordLike]] = [[] for _ in words]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT searched.n, name_word.id, name_word.word,
                   word_similarity(searched.word, name_word.word), name_word.companies
            FROM unnest(%s::text[]) WITH ORDINALITY AS searched(word, n)
            JOIN companies_nameword AS name_word ON name_word.word %%> searched.word
            WHERE name_word.companies > 0
            ORDER BY searched.n, 4 DESC, name_word.word
            """,
            [list(words)],
        )
        for n, pk, word, score, companies in cursor.fetchall():
            found[n - 1].append(WordLike(pk, word, score, companies))
    return found


def companies_with(found: Sequence[Sequence[WordLike]]) -> QuerySet[Company]:
    """The companies whose names have, for every searched word, one of the words like it
    (``found``, from ``words_like``), best first: the likest words (the sum of each searched
    word's best score), then the shortest name, then the earliest registered.

    Read from the entries of the searched word fewest names have (``_rarest``), in the order
    of its index (word, name's length, company; the name included), the other searched words
    checked on the name the index holds: PostgreSQL reads only the companies of the page. A
    name with two words like the rarest one is read once, through the likest."""
    if not found or not all(found):
        return Company.objects.none()
    rarest = _rarest(found)
    keys = [like.pk for like in rarest]
    entries: QuerySet[Company] = Company.objects.alias(
        entry=FilteredRelation("name_words", condition=Q(name_words__word_id__in=keys))
    ).filter(entry__word_id__in=keys)  # an inner join
    companies = _with_every_word(entries, found, "entry__")
    if all(len(likes) == 1 for likes in found):  # one score for all: the index's order
        return companies.order_by("entry__name_length", "entry__company_id")
    words_found = sum(
        (_likest(likes, "entry__") for likes in found),
        start=Value(0.0, output_field=FloatField()),
    )
    return companies.alias(score=words_found).order_by(
        "-score", "entry__name_length", "entry__company_id"
    )


def count_at_most(found: Sequence[Sequence[WordLike]], ceiling: int) -> RawSQL:
    """How many companies ``companies_with(found)`` holds, counting no further than
    ``ceiling``: from the index of the names' words alone, in the same query as a page."""
    if not found or not all(found) or ceiling <= 0:
        return RawSQL("0", (), output_field=IntegerField())
    keys = [like.pk for like in _rarest(found)]
    entries = _with_every_word(NameWordCompany.objects.filter(word_id__in=keys), found, "")
    sql, params = entries.values("company_id")[:ceiling].query.sql_with_params()
    return RawSQL(  # noqa: S611 (Django's own SQL of the query above, with its parameters)
        f"SELECT count(*) FROM ({sql}) AS counted",  # noqa: S608
        params,
        output_field=IntegerField(),
    )


def _rarest(found: Sequence[Sequence[WordLike]]) -> Sequence[WordLike]:
    """The words like the searched word that fewest names have."""
    return min(found, key=lambda likes: sum(like.companies for like in likes))


def _with_every_word(
    rows: QuerySet[Rows], found: Sequence[Sequence[WordLike]], entry: str
) -> QuerySet[Rows]:
    """``rows`` (their entry's fields prefixed ``entry``) whose entry's word is the likest of
    the rarest searched word's its name has (so that a name is read once), and whose name has
    one of each other searched word's like words. (Each condition an alias first: a condition
    on ``entry__`` written in the filter would join the entries a second time.)"""
    rarest = _rarest(found)
    if len(rarest) > 1:
        rows = rows.alias(likest_word=_likest(rarest, entry, score=False)).filter(
            **{f"{entry}word_id": F("likest_word")}
        )
    for n, likes in enumerate(found):
        if likes is not rarest:
            rows = rows.alias(**{f"word_{n}": _likest(likes, entry)}).filter(
                **{f"word_{n}__isnull": False}
            )
    return rows


def _likest(likes: Sequence[WordLike], entry: str, *, score: bool = True) -> Case:
    """The score of the likest of ``likes`` the entry's name has, or (``score`` false) that
    word's key; NULL if the name has none."""
    padded = Concat(Value(" "), F(f"{entry}name"), Value(" "), output_field=CharField())
    output: Field[Any, Any] = FloatField() if score else BigIntegerField()
    return Case(
        *(
            When(
                Q(  # a quick LIKE first: most names have none of them anywhere
                    Contains(F(f"{entry}name"), Value(like.word)),
                    GreaterThan(StrIndex(padded, Value(f" {like.word} ")), 0),
                ),
                then=Value(like.score if score else like.pk, output_field=output),
            )
            for like in likes
        ),
        default=None,
        output_field=output,
    )
