"""A company's registered filings as the pages show them: each with what it changed, in words
(the field's name, before, after)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from companies.models import ApplicationStatus, Company, CompanyFiling, Municipality


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Line:
    filing: CompanyFiling
    effective_on: date
    changes: list[Change]


def office_text(office: dict[str, Any] | None) -> str:
    if not office:
        return ""
    code = office.get("municipality", "")
    town = str(Municipality(code).label) if code in Municipality.values else code
    number = " ".join(
        p for p in (office.get("exterior_number"), office.get("interior_number")) if p
    )
    parts = [f"{office.get('street', '')} {number}".strip(), office.get("neighbourhood", "")]
    return ", ".join(p for p in (*parts, f"C.P. {office.get('postal_code', '')}", town) if p)


def _text(field: str, value: Any) -> str:
    if field == "office":
        return office_text(value)
    if field in ("administrators", "shareholders", "liquidators"):
        return ", ".join(p["name"] for p in value or []) or "—"
    if field == "comisario":
        return value["name"] if value else "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "—" if value in (None, "") else str(value)


def field_label(field: str) -> str:
    return {
        "name": _("Name"),
        "office": _("Registered office"),
        "purpose": _("Purpose"),
        "activity_codes": _("Activities (SCIAN)"),
        "capital": _("Share capital"),
        "administrators": _("Administration"),
        "comisario": _("Comisario"),
        "shareholders": _("Shareholders or partners"),
        "liquidators": _("Liquidators"),
    }.get(field, field)


def described(changes: dict[str, list[Any]]) -> list[Change]:
    return [
        Change(field_label(field), _text(field, before), _text(field, after))
        for field, (before, after) in changes.items()
    ]


def lines(filings: Iterable[CompanyFiling]) -> list[Line]:
    return [Line(filing, filing.effective_on, described(filing.changes)) for filing in filings]


SHOWN = 20  # filings a page lists unless asked for all


@dataclass(frozen=True)
class History:
    lines: list[Line]
    more: bool  # earlier filings exist that ``lines`` leaves out


def of(company: Company, *, everything: bool = False) -> History:
    """The company's registered filings, newest first, the latest ``SHOWN`` unless
    ``everything``: one query."""
    registered = company.filings.filter(status=ApplicationStatus.REGISTERED)
    newest = registered.order_by("-registered_at", "-pk")
    found = list(newest if everything else newest[: SHOWN + 1])
    more = not everything and len(found) > SHOWN
    return History(lines(found[:SHOWN] if more else found), more)
