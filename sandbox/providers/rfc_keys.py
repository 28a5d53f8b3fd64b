"""Composing RFCs the way the tax registry issues them, deterministically.

An RFC is a name key (3 letters for a legal person, 4 for a natural person), a date
(YYMMDD), a two-character homoclave and a check digit. SAT derives the homoclave from the
full name with an unpublished table; the sandbox derives it from a hash of a seed string
instead (the registration number for new companies), so that the same input always gives
the same RFC. The check digit comes from python-stdnum.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata

from stdnum.mx import rfc as stdnum_rfc

_HOMOCLAVE_FIRST = "123456789ABCDEFGHIJKLMNPQRSTUV"
_HOMOCLAVE_SECOND = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"

_LEGAL_FORM_SUFFIX = re.compile(
    r"[\s,]+(S\.?\s*A\.?(\s*[SB]\.?)?|S\.?\s+DE\s+R\.?\s*L\.?)(\s+DE\s+C\.?\s*V\.?)?\s*$"
)
_COMPANY_STOP_WORDS = frozenset(
    [
        "A",
        "AL",
        "AND",
        "CIA",
        "COMPAÑIA",
        "CON",
        "DE",
        "DEL",
        "E",
        "EL",
        "EN",
        "LA",
        "LAS",
        "LOS",
        "MAC",
        "MC",
        "OF",
        "PARA",
        "POR",
        "SOC",
        "SOCIEDAD",
        "THE",
        "VAN",
        "VON",
        "Y",
    ]
)


def plain_upper(text: str) -> str:
    """Upper case without accents; Ñ stays, as the RFC alphabet has it."""
    kept = []
    for char in text.upper():
        if char == "Ñ":
            kept.append(char)
        else:
            kept.append(unicodedata.normalize("NFD", char)[0])
    return "".join(kept)


def company_name_key(company_name: str) -> str:
    """The three letters of a legal person's RFC, from its name without the legal form."""
    name = _LEGAL_FORM_SUFFIX.sub("", plain_upper(company_name))
    words = re.findall(r"[A-ZÑ]+", name)
    meaningful = [word for word in words if word not in _COMPANY_STOP_WORDS] or words
    if len(meaningful) >= 3:
        key = "".join(word[0] for word in meaningful[:3])
    elif len(meaningful) == 2:
        key = meaningful[0][0] + meaningful[1][:2]
    else:
        key = "".join(meaningful)[:3]
    return key.ljust(3, "X")


def homoclave(seed: str) -> str:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return (
        _HOMOCLAVE_FIRST[digest[0] % len(_HOMOCLAVE_FIRST)]
        + _HOMOCLAVE_SECOND[digest[1] % len(_HOMOCLAVE_SECOND)]
    )


def complete_rfc(name_key: str, date: datetime.date, seed: str) -> str:
    """Name key + YYMMDD + homoclave derived from `seed` + check digit."""
    without_check_digit = f"{name_key}{date:%y%m%d}{homoclave(seed)}"
    return without_check_digit + stdnum_rfc.calc_check_digit(without_check_digit)


def legal_person_rfc(company_name: str, incorporated_on: datetime.date, seed: str) -> str:
    return complete_rfc(company_name_key(company_name), incorporated_on, seed)
