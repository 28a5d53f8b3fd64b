"""SAT's certificates as asn1crypto (under pyHanko) reads them: the one accommodation.

X.520 defines x500UniqueIdentifier (2.5.4.45) as a BIT STRING, and asn1crypto parses it as one;
SAT writes the holder's RFC there as a PrintableString, so every name with it fails to parse
("tag should have been 3, but 19 was found", asn1crypto issue #228) and with it pyHanko's
validation of any e.firma. ``accept_sat_names`` widens that one attribute to a choice of the BIT
STRING and the strings found in the wild; names without it are read exactly as before. It runs
once, when the app is ready (``CompaniesConfig.ready``), before any signature is read.
"""

from __future__ import annotations

from asn1crypto import core, x509  # type: ignore[import-untyped]

ATTRIBUTE = "unique_identifier"  # asn1crypto's name for 2.5.4.45


class UniqueIdentifier(core.Choice):
    """2.5.4.45 as X.520 defines it (a BIT STRING) or as SAT and others write it (text)."""

    _alternatives = [
        ("bit_string", core.OctetBitString),
        ("printable_string", core.PrintableString),
        ("utf8_string", core.UTF8String),
    ]


def accept_sat_names() -> None:
    """Let asn1crypto read the RFC SAT writes in 2.5.4.45 (idempotent)."""
    x509.NameTypeAndValue._oid_specs[ATTRIBUTE] = UniqueIdentifier
