"""Company names: normalisation and the availability verdict, explained.

Pure functions: the caller passes the names to compare with (registered companies and active
reservations, see ``selectors.name_candidates``). Names are compared after normalisation with
rapidfuzz's token-sort ratio, so word order and spacing do not hide a copy. ``search_match``
scores a name against a search, word by word, where the database cannot (SQLite).
"""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "name_rules.json"
TOO_SIMILAR = 92.0  # at or above: the name is refused
NEEDS_REVIEW = 80.0  # at or above: allowed, but a clerk looks at it
MAX_RESEMBLANCES = 5
# A searched word is found in a name when it is in the name, or when it is at least this similar
# (rapidfuzz's ratio, 0 to 100) to one of the name's words or to the start of one: a wrong
# letter is forgiven from five letters on, a missing or extra one from four; unrelated words
# score far lower (FERRETERIA against TORTILLERIA: 57).
SEARCH_WORD_FOUND = 80.0


class Outcome(enum.StrEnum):
    CLEAR = "clear"
    REVIEW = "review"
    TAKEN = "taken"
    REFUSED = "refused"


class Source(enum.StrEnum):
    REGISTERED = "registered"
    RESERVED = "reserved"


@dataclass(frozen=True)
class Candidate:
    name: str
    normalised: str
    source: Source


@dataclass(frozen=True)
class Resemblance:
    name: str
    source: Source
    score: float


@dataclass(frozen=True)
class WordProblem:
    word: str
    kind: str  # restricted, official, protected


@dataclass(frozen=True)
class NameRules:
    suffixes: tuple[str, ...]
    stop_words: frozenset[str]
    forbidden: tuple[tuple[str, WordProblem], ...]  # (normalised key, the rule as written)


@dataclass(frozen=True)
class NameVerdict:
    proposed: str
    normalised: str
    outcome: Outcome
    resemblances: tuple[Resemblance, ...] = ()
    word_problems: tuple[WordProblem, ...] = ()
    too_short: bool = False

    @property
    def allowed(self) -> bool:
        return self.outcome in {Outcome.CLEAR, Outcome.REVIEW}


@cache
def load_rules(path: Path = RULES_FILE) -> NameRules:
    raw = json.loads(path.read_text(encoding="utf-8"))
    suffixes = sorted((_fold(s) for s in raw["legal_form_suffixes"]), key=len, reverse=True)
    stop_words = frozenset(_fold(w) for w in raw["stop_words"])
    return NameRules(
        suffixes=tuple(suffixes),
        stop_words=stop_words,
        forbidden=tuple(
            (_drop_stop_words(_fold(f["word"]), stop_words), WordProblem(f["word"], f["kind"]))
            for f in raw["forbidden"]
        ),
    )


def _drop_stop_words(folded: str, stop_words: frozenset[str]) -> str:
    return " ".join(w for w in folded.split() if w not in stop_words)


def _fold(text: str) -> str:
    """Upper case, no accents (Ñ becomes N), '&' read as 'Y', punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.upper().replace("&", " Y "))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", letters).split())


def normalise_name(name: str, rules: NameRules | None = None) -> str:
    """The form two names are compared in: folded, legal-form suffix and stop words removed."""
    rules = rules or load_rules()
    folded = f" {_fold(name)} "
    for suffix in rules.suffixes:
        if folded.endswith(f" {suffix} "):
            folded = folded[: -len(suffix) - 1]
            break
    return _drop_stop_words(folded, rules.stop_words)


def normalise_person_name(name: str) -> str:
    """The form two people's names are compared in: folded (case, accents and punctuation
    aside); unlike a company's name, every word counts."""
    return _fold(name)


def judge_name(
    proposed: str, candidates: Iterable[Candidate], rules: NameRules | None = None
) -> NameVerdict:
    rules = rules or load_rules()
    normalised = normalise_name(proposed, rules)
    if len(normalised.replace(" ", "")) < 3:
        return NameVerdict(proposed, normalised, Outcome.REFUSED, too_short=True)
    problems = _word_problems(normalised, rules)
    resemblances = _resemblances(normalised, list(candidates))
    return NameVerdict(
        proposed, normalised, _outcome(problems, resemblances), resemblances, problems
    )


def _word_problems(normalised: str, rules: NameRules) -> tuple[WordProblem, ...]:
    padded = f" {normalised} "
    return tuple(problem for key, problem in rules.forbidden if f" {key} " in padded)


def _resemblances(normalised: str, candidates: list[Candidate]) -> tuple[Resemblance, ...]:
    matches = process.extract(
        normalised,
        [c.normalised for c in candidates],
        scorer=fuzz.token_sort_ratio,
        score_cutoff=NEEDS_REVIEW,
        limit=MAX_RESEMBLANCES,
    )
    return tuple(
        Resemblance(candidates[index].name, candidates[index].source, round(score, 1))
        for _choice, score, index in matches
    )


def _outcome(problems: tuple[WordProblem, ...], resemblances: tuple[Resemblance, ...]) -> Outcome:
    top = max((r.score for r in resemblances), default=0.0)
    if top >= 100.0:
        return Outcome.TAKEN
    if problems or top >= TOO_SIMILAR:
        return Outcome.REFUSED
    if resemblances:
        return Outcome.REVIEW
    return Outcome.CLEAR


@dataclass(frozen=True)
class SearchMatch:
    """How well a name answers a search: every word found, then how close the whole name is."""

    words_found: float  # the sum of each searched word's best score (0 to 100 each)
    closeness: float  # the whole search against the whole name, in any order: shorter is closer


def search_match(words: list[str], normalised: str) -> SearchMatch | None:
    """The match of a name (a ``normalise_name`` result) for searched words, or None when any
    word is not found in it (``SEARCH_WORD_FOUND``)."""
    name_words = normalised.split()
    scores = [_word_score(word, normalised=normalised, name_words=name_words) for word in words]
    if not scores or min(scores) < SEARCH_WORD_FOUND:
        return None
    return SearchMatch(sum(scores), fuzz.token_sort_ratio(" ".join(words), normalised))


def _word_score(word: str, *, normalised: str, name_words: list[str]) -> float:
    if word in normalised:
        return 100.0
    return max(
        (max(fuzz.ratio(word, w), fuzz.ratio(word, w[: len(word)])) for w in name_words),
        default=0.0,
    )
