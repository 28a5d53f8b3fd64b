"""The verification code printed on a certificate (``7K3M-9QXA-2BCD-EF45``): how it is made and
how a code someone typed is read back. Light on purpose: registration uses it in the web process.
"""

from __future__ import annotations

import re

from django.utils.crypto import salted_hmac

from companies.models import REFERENCE_ALPHABET, Company

CODE_LENGTH = 16  # characters of REFERENCE_ALPHABET (5 bits each): 80 bits
CODE_GROUP = 4
_SALT = "companies.documents.verification_code"  # kept: codes already issued depend on it
_SEPARATORS = re.compile(r"[\s\-–—.]+")


def derive(registration_number: str) -> str:
    """16 characters without 0/O or 1/I, in groups of four: the same for a number every time,
    and impossible to guess without the SECRET_KEY (HMAC-SHA256 of the registration number).
    Stored with the company, so rotating the SECRET_KEY later does not orphan printed codes."""
    digest = salted_hmac(_SALT, registration_number, algorithm="sha256").digest()
    number = int.from_bytes(digest[: CODE_LENGTH * 5 // 8], "big")
    return _grouped(
        "".join(
            REFERENCE_ALPHABET[(number >> (5 * shift)) & 0b11111]
            for shift in reversed(range(CODE_LENGTH))
        )
    )


def code_of(company: Company) -> str:
    """The company's verification code: the one stored at registration, or derived now (for
    companies registered before codes were stored; ``store_missing`` keeps it)."""
    return company.verification_code or derive(company.registration_number)


def store_missing(company: Company) -> None:
    """Store the code of a company registered before codes were stored."""
    if not company.verification_code:
        company.verification_code = derive(company.registration_number)
        company.save(update_fields=["verification_code"])


def normalise(text: str) -> str | None:
    """``7k3m 9qxa-...`` -> ``7K3M-9QXA-...``; None when it cannot be a verification code."""
    characters = _SEPARATORS.sub("", text).upper()
    if len(characters) != CODE_LENGTH or any(c not in REFERENCE_ALPHABET for c in characters):
        return None
    return _grouped(characters)


def _grouped(characters: str) -> str:
    return "-".join(
        characters[start : start + CODE_GROUP] for start in range(0, CODE_LENGTH, CODE_GROUP)
    )
