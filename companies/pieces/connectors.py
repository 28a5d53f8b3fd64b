"""The connectors: each downstream procedure, described in ``companies/data/connectors.json``.

A connector says which agency runs the procedure, its X-Road service (empty for an agency that
has not joined: then its own instructions and address are shown instead), which companies it
applies to (legal forms, municipalities of the office, SCIAN activities by prefix, whether the
company hires), the fields it needs, its fee and its expected answer time. An agency joins by a
change to the file, never to the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from companies.models import Application

CONNECTORS_FILE = Path(__file__).resolve().parent.parent / "data" / "connectors.json"
FIELDS = frozenset(
    {
        "registration_number",
        "company_name",
        "legal_form",
        "rfc",
        "registered_office",
        "activity_codes",
    }
)


@dataclass(frozen=True)
class Words:
    """A text in English and Spanish (the data's own, not the catalogue's)."""

    en: str
    es: str

    def __str__(self) -> str:
        return self.es if (get_language() or "es").startswith("es") else self.en


@dataclass(frozen=True)
class Connector:
    code: str
    agency: Words
    procedure: Words
    answer: Words
    service: str
    path: str
    legal_forms: frozenset[str]
    municipalities: frozenset[str]
    activity_prefixes: tuple[str, ...]
    hires_employees: bool | None
    fields: tuple[str, ...]
    fee: Decimal
    expected_hours: int
    instructions: Words | None
    address: str

    @property
    def joined(self) -> bool:
        """Whether the agency takes the procedure over X-Road (else: its instructions)."""
        return bool(self.service)

    def applies_to(self, application: Application) -> bool:
        form = application.legal_form.code if application.legal_form else ""
        if self.legal_forms and form not in self.legal_forms:
            return False
        if self.municipalities and application.municipality not in self.municipalities:
            return False
        codes = application.activity_codes or []
        if self.activity_prefixes and not any(
            code.startswith(self.activity_prefixes) for code in codes
        ):
            return False
        return self.hires_employees is None or bool(application.hires_employees) == (
            self.hires_employees
        )


def _words(raw: Any, where: str) -> Words:
    if not isinstance(raw, dict) or not raw.get("en") or not raw.get("es"):
        raise ValueError(f"{where}: an object with 'en' and 'es' texts")
    return Words(en=str(raw["en"]), es=str(raw["es"]))


def parse(record: dict[str, Any]) -> Connector:
    """One connector of the file, or a ValueError naming what is wrong with it."""
    code = str(record["code"])
    applies = record.get("applies") or {}
    fields = tuple(record.get("fields") or ())
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise ValueError(f"connector {code}: unknown fields {unknown}; known are {sorted(FIELDS)}")
    service = str(record.get("service") or "")
    instructions = record.get("instructions")
    if not service and not instructions:
        raise ValueError(f"connector {code}: a service, or the agency's instructions")
    hires = applies.get("hires_employees")
    return Connector(
        code=code,
        agency=_words(record["agency"], f"connector {code}: agency"),
        procedure=_words(record["procedure"], f"connector {code}: procedure"),
        answer=_words(record["answer"], f"connector {code}: answer"),
        service=service,
        path=str(record.get("path") or ""),
        legal_forms=frozenset(applies.get("legal_forms") or ()),
        municipalities=frozenset(applies.get("municipalities") or ()),
        activity_prefixes=tuple(applies.get("activities") or ()),
        hires_employees=None if hires is None else bool(hires),
        fields=fields,
        fee=Decimal(str(record.get("fee") or "0")),
        expected_hours=int(record["expected_hours"]),
        instructions=_words(instructions, f"connector {code}: instructions")
        if instructions
        else None,
        address=str(record.get("address") or ""),
    )


@cache
def load(path: Path = CONNECTORS_FILE) -> tuple[Connector, ...]:
    records = json.loads(path.read_text(encoding="utf-8"))
    connectors = tuple(parse(record) for record in records)
    codes = [c.code for c in connectors]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: a connector code appears twice")
    return connectors


def by_code(code: str) -> Connector:
    return next(c for c in load() if c.code == code)


def applicable(application: Application) -> list[Connector]:
    """The procedures this application's company will need, in the file's order."""
    return [c for c in load() if c.applies_to(application)]
