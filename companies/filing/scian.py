"""The SCIAN catalogue of economic activities that a company's corporate purpose is chosen from.

SCIAN (Sistema de Clasificación Industrial de América del Norte, México) is INEGI's
classification; ``data/scian.json`` holds its 2023 edition, built by ``data/build_scian.py`` (see
``data/SCIAN_SOURCE.md``). An :class:`Activity` is a six-digit class, the level an entrepreneur
chooses; sectors, subsectors, ramas and subramas only name the groups above it.

Search matches codes by prefix and titles by every word of the query, ignoring accents and case:
"cafe" finds "Cafeterías, fuentes de sodas, neverías, refresquerías y similares".

Plain Python, no Django: safe to import anywhere.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "data" / "scian.json"
CLASS_CODE = re.compile(r"\d{6}")

# Words that say nothing about an activity: dropped from a query that has other words.
STOP_WORDS = frozenset(
    {"a", "al", "con", "de", "del", "e", "el", "en", "la", "las", "lo", "los", "o", "para"}
    | {"por", "u", "un", "una", "y"}
)

# How a query word matched a class; a class ranks by its worst-matched word.
BY_CODE, BY_WORD_START, BY_SUBSTRING = 0, 1, 2


@dataclass(frozen=True)
class Sector:
    code: str  # "46", or a range: "31-33", "48-49"
    title: str


@dataclass(frozen=True)
class Activity:
    """A SCIAN class: six digits, e.g. 722514 "Restaurantes con servicio de preparación de tacos
    y tortas", in sector 72."""

    code: str
    title: str
    sector_code: str
    sector_title: str


def fold(text: str) -> str:
    """Lower case without accents: "Cafeterías" -> "cafeterias", "ÑANDÚ" -> "nandu"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


@dataclass(frozen=True)
class _Entry:
    activity: Activity
    folded: str  # the folded title, for substring matches
    words: tuple[str, ...]  # its words, for word-start matches


class Catalogue:
    """The SCIAN classes with their sectors, and the titles of the levels in between."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.edition: str = data["edition"]
        self.source: str = data["source"]
        self.sectors: tuple[Sector, ...] = tuple(
            Sector(s["code"], s["title"]) for s in data["sectors"]
        )
        sectors = {s.code: s for s in self.sectors}
        if len(sectors) != len(self.sectors):
            raise ValueError("duplicate sector code in the SCIAN catalogue")

        self._groups: dict[str, str] = {}
        for level in ("subsectors", "ramas", "subramas"):
            for group in data.get(level, ()):
                self._groups[group["code"]] = group["title"]

        self._entries: dict[str, _Entry] = {}
        for item in data["classes"]:
            code = item["code"]
            if not CLASS_CODE.fullmatch(code):
                raise ValueError(f"SCIAN class code {code!r} is not six digits")
            if code in self._entries:
                raise ValueError(f"SCIAN class {code} appears twice")
            sector = sectors.get(item["sector"])
            if sector is None:
                raise ValueError(f"SCIAN class {code} names unknown sector {item['sector']!r}")
            activity = Activity(code, item["title"], sector.code, sector.title)
            self._entries[code] = _Entry(
                activity, fold(activity.title), tuple(words(item["title"]))
            )
        self._entries = dict(sorted(self._entries.items()))

    @classmethod
    def from_file(cls, path: Path) -> Catalogue:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Activity]:
        return (entry.activity for entry in self._entries.values())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.strip() in self._entries

    def get(self, code: str) -> Activity | None:
        """The class with this six-digit code, or None (also for a sector, rama... code)."""
        entry = self._entries.get(code.strip())
        return entry.activity if entry else None

    def sector(self, code: str) -> Sector | None:
        """A sector by its code: "46", "31-33" (also found as "31", "32" or "33")."""
        code = code.strip()
        for sector in self.sectors:
            first, _, last = sector.code.partition("-")
            if code == sector.code or (len(code) == 2 and first <= code <= (last or first)):
                return sector
        return None

    def group_title(self, code: str) -> str | None:
        """The title of a subsector (3 digits), rama (4) or subrama (5), if the data has it."""
        return self._groups.get(code.strip())

    def search(self, query: str, *, limit: int = 20) -> list[Activity]:
        """Classes whose code starts with the query, or whose title has every word of it.

        Words are compared without accents or case, and each may match the start of a title
        word ("cafe" -> "Cafeterías") or, failing that, any part of the title ("mascota" ->
        "...para mascotas"). Order: classes found by code first, then those whose words all start
        title words, then the rest; in each group, titles that begin with the first word of the
        query come first, then by code. An empty query finds nothing.
        """
        if limit <= 0:
            return []
        terms = words(query)
        meaningful = [t for t in terms if t not in STOP_WORDS]
        terms = meaningful or terms
        if not terms:
            return []

        found: list[tuple[int, int, str, Activity]] = []
        for code, entry in self._entries.items():
            worst = BY_CODE
            for term in terms:
                how = _match(term, code=code, entry=entry)
                if how is None:
                    break
                worst = max(worst, how)
            else:
                leads = 0 if entry.words and entry.words[0].startswith(terms[0]) else 1
                found.append((worst, leads, code, entry.activity))
        found.sort(key=lambda hit: hit[:3])
        return [hit[3] for hit in found[:limit]]


def _match(term: str, *, code: str, entry: _Entry) -> int | None:
    if term.isdigit() and code.startswith(term):
        return BY_CODE
    if any(word.startswith(term) for word in entry.words):
        return BY_WORD_START
    if term in entry.folded:
        return BY_SUBSTRING
    return None


@cache
def load_catalogue() -> Catalogue:
    """The SCIAN 2023 catalogue shipped with the portal, read once per process."""
    return Catalogue.from_file(CATALOGUE_FILE)
