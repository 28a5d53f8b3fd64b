"""Composing a CURP from a person's names, birth date, sex and state (RENAPO's rules).

Letters: first letter and first inner vowel of the first surname, first letter of the
second surname (X if none), first letter of the given name (the second name when the first
is María or José); then YYMMDD, sex, state, the first inner consonants of the same three
names, a differentiator (digit before 2000, letter from 2000) and the check digit, which
comes from python-stdnum. Particles (de, la, del...) are skipped and Ñ is written X.
"""

from __future__ import annotations

import datetime
import re

from stdnum.mx import curp as stdnum_curp

from sandbox.providers.rfc_keys import plain_upper

_PARTICLES = frozenset(
    [
        "DA",
        "DAS",
        "DE",
        "DEL",
        "DER",
        "DI",
        "DIE",
        "DD",
        "EL",
        "LA",
        "LOS",
        "LAS",
        "LE",
        "LES",
        "MAC",
        "MC",
        "VAN",
        "VON",
        "Y",
    ]
)
_COMMON_FIRST_NAMES = frozenset(["MARIA", "MA", "JOSE", "J"])
_VOWELS = "AEIOU"
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"


def _words(name: str) -> list[str]:
    words = re.findall(r"[A-Z]+", plain_upper(name).replace("Ñ", "X"))
    return [word for word in words if word not in _PARTICLES] or words


def _first_inner(word: str, letters: str) -> str:
    return next((char for char in word[1:] if char in letters), "X")


def _significant_given_name(given_names: str) -> str:
    words = _words(given_names)
    if len(words) > 1 and words[0] in _COMMON_FIRST_NAMES:
        return words[1]
    return words[0]


def curp_stem(
    *,
    given_names: str,
    first_surname: str,
    second_surname: str | None,
    birth_date: datetime.date,
    sex: str,
    birth_state: str,
) -> str:
    """The first 16 characters of the CURP."""
    first = _words(first_surname)[0]
    second = _words(second_surname)[0] if second_surname else "X"
    given = _significant_given_name(given_names)
    letters = first[0] + _first_inner(first, _VOWELS) + second[0] + given[0]
    consonants = "".join(_first_inner(word, _CONSONANTS) for word in (first, second, given))
    if second == "X":
        consonants = consonants[0] + "X" + consonants[2]
    return f"{letters}{birth_date:%y%m%d}{sex}{birth_state}{consonants}"


def differentiators(birth_date: datetime.date) -> str:
    """The 17th character's alphabet: digits for the 1900s, letters from 2000."""
    return "0123456789" if birth_date.year < 2000 else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def complete_curp(stem: str, differentiator: str) -> str:
    """Stem + differentiator + check digit; a barred first word gets X as its 2nd letter."""
    body = stem + differentiator
    curp = body + stdnum_curp.calc_check_digit(body)
    if not stdnum_curp.is_valid(curp):
        body = body[0] + "X" + body[2:]
        curp = body + stdnum_curp.calc_check_digit(body)
    return curp
