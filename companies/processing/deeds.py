"""Is this deed the incorporation of this application's company? The comparison, explained.

The notary registry says what a deed is (its act), of which company, when, and between whom
(``registries.Deed``); the application says what was filed (``Filed``). Every difference is a
``Mismatch`` with its own reason for the review, and the evidence stored with the check keeps
both sides so that a clerk sees them next to each other (``comparison``).

Only the dates can be judged without the registry: the wizard's deed step refuses a date in the
future or before the name was reserved (``date_mismatches``); the rest is a review reason.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from companies.filing import rules
from companies.filing.names import normalise_name, normalise_person_name
from companies.models import Application
from companies.registries import Deed, DeedParty

INCORPORATION = "incorporation"
MEMBER_ROLES = frozenset({"shareholder", "partner"})  # who founds; not the comisario, an attorney


class Mismatch(enum.StrEnum):
    NOT_FOUND = "deed_not_found"
    OTHER_COMPANY = "other_company"
    OTHER_LEGAL_FORM = "other_legal_form"
    NOT_INCORPORATION = "not_incorporation"
    FOUNDER_NOT_PARTY = "founder_not_party"
    OTHER_DATE = "other_date"
    IN_FUTURE = "dated_in_future"
    BEFORE_RESERVATION = "before_reservation"


REASONS = {
    Mismatch.NOT_FOUND: gettext_noop("The notary registry has no deed with this number"),
    Mismatch.OTHER_COMPANY: gettext_noop(
        "The deed is of another company: its name is not the one applied for"
    ),
    Mismatch.OTHER_LEGAL_FORM: gettext_noop("The deed is of a company of another legal form"),
    Mismatch.NOT_INCORPORATION: gettext_noop(
        "The deed is not an incorporation (constitución) but another act"
    ),
    Mismatch.FOUNDER_NOT_PARTY: gettext_noop(
        "A founder is not among the shareholders or partners in the deed"
    ),
    Mismatch.OTHER_DATE: gettext_noop(
        "The deed's date in the notary registry is not the date in the application"
    ),
    Mismatch.IN_FUTURE: gettext_noop("The deed is dated in the future"),
    Mismatch.BEFORE_RESERVATION: gettext_noop("The deed is dated before the name was reserved"),
}


@dataclass(frozen=True)
class FiledFounder:
    """A founder as the deed should name them. A company is known by its RFC and name (the
    person who signs on its behalf is not the party), a person by CURP, RFC and name."""

    name: str
    curp: str
    rfc: str
    is_company: bool


@dataclass(frozen=True)
class Filed:
    """What the application says the deed is."""

    company_name: str  # with the legal form, as a deed writes it
    legal_form: str  # in the notary registry's words: sa_de_cv, s_de_rl_de_cv
    deed_date: date | None
    name_reserved_on: date | None
    founders: tuple[FiledFounder, ...]


def filed(application: Application, *, name_reserved_on: date | None) -> Filed:
    code = application.legal_form.code if application.legal_form else ""
    return Filed(
        company_name=application.full_name,
        legal_form=code.replace("-", "_"),
        deed_date=application.deed_date,
        name_reserved_on=name_reserved_on,
        founders=tuple(
            FiledFounder(
                name=f.legal_name if f.is_company else f.person_name,
                curp="" if f.is_company else f.curp,
                rfc=f.rfc,
                is_company=f.is_company,
            )
            for f in application.founders.all()
        ),
    )


def date_mismatches(
    day: date | None, *, today: date, name_reserved_on: date | None
) -> list[Mismatch]:
    """A deed is signed once the name is reserved, and not after today (``rules.deed_date``)."""
    if day is None:
        return []
    late, early = rules.deed_date(day, today=today, name_reserved_on=name_reserved_on)
    return [Mismatch.IN_FUTURE] * late + [Mismatch.BEFORE_RESERVATION] * early


def mismatches(deed: Deed | None, filed: Filed, *, today: date) -> list[Mismatch]:
    """Every way the registry's deed (None: it has none) differs from what was filed."""
    found = [Mismatch.NOT_FOUND] if deed is None else _deed_mismatches(deed, filed)
    for day in (filed.deed_date, deed.executed_on if deed else None):
        found += date_mismatches(day, today=today, name_reserved_on=filed.name_reserved_on)
    return sorted(set(found), key=list(Mismatch).index)


def _deed_mismatches(deed: Deed, filed: Filed) -> list[Mismatch]:
    checks = {
        Mismatch.OTHER_COMPANY: normalise_name(deed.company_name)
        != normalise_name(filed.company_name),
        Mismatch.OTHER_LEGAL_FORM: bool(deed.legal_form) and deed.legal_form != filed.legal_form,
        Mismatch.NOT_INCORPORATION: deed.act != INCORPORATION,
        Mismatch.FOUNDER_NOT_PARTY: any(party_of(f, deed.parties) is None for f in filed.founders),
        Mismatch.OTHER_DATE: deed.executed_on != filed.deed_date,
    }
    return [mismatch for mismatch, differs in checks.items() if differs]


def party_of(founder: FiledFounder, parties: Iterable[DeedParty]) -> DeedParty | None:
    """The shareholder or partner of the deed who is this founder, if any."""
    members = (p for p in parties if not p.roles or MEMBER_ROLES & set(p.roles))
    return next((p for p in members if _same(founder, p)), None)


def _same(founder: FiledFounder, party: DeedParty) -> bool:
    """By CURP and RFC where both sides have them; by name where the registry gives none."""
    pairs = ((founder.curp, party.curp), (founder.rfc, party.rfc))
    known = [(ours, theirs) for ours, theirs in pairs if ours and theirs]
    if known:
        return all(ours.upper() == theirs for ours, theirs in known)
    if founder.is_company:
        return normalise_name(founder.name) == normalise_name(party.name)
    return normalise_person_name(founder.name) == normalise_person_name(party.name)


# -- the evidence, stored with the check and shown to the clerk ----------------------------


def evidence(
    record: dict[str, Any], deed: Deed | None, filed: Filed, found: Sequence[Mismatch]
) -> dict[str, Any]:
    """Both sides of the comparison as JSON: the registry's answer as it came, the application's
    side as it was compared, and the mismatches."""
    parties = deed.parties if deed else ()
    founders = []
    for founder in filed.founders:
        party = party_of(founder, parties)
        founders.append(
            {
                "name": founder.name,
                "curp": founder.curp,
                "rfc": founder.rfc,
                "in_deed_as": None if party is None else party.name,
            }
        )
    return {
        "registry": record,
        "application": {
            "company_name": filed.company_name,
            "legal_form": filed.legal_form,
            "deed_date": _iso(filed.deed_date),
            "name_reserved_on": _iso(filed.name_reserved_on),
            "founders": founders,
        },
        "mismatches": [m.value for m in found],
    }


def reasons(detail: dict[str, Any]) -> list[str]:
    """The review reasons of a deed check's evidence, one per mismatch."""
    return [REASONS[Mismatch(code)] for code in detail.get("mismatches", [])]


@dataclass(frozen=True)
class Line:
    """One row of the clerk's comparison: what the registry says, what the application says,
    and the reasons this row gives (none when they agree)."""

    label: str
    registry: object
    application: object
    problems: tuple[str, ...] = ()
    compared: bool = True  # False: shown for the clerk's information only


def comparison(detail: dict[str, Any]) -> list[Line]:
    """The deed check's evidence as rows for the review page, in the reader's language."""
    registry, filed_side = detail.get("registry") or {}, detail.get("application") or {}
    found = {Mismatch(code) for code in detail.get("mismatches", [])}

    def problems(*concerned: Mismatch) -> tuple[str, ...]:
        return tuple(_(REASONS[m]) for m in concerned if m in found)

    lines = [
        Line(
            _("Company"),
            registry.get("company_name"),
            filed_side.get("company_name"),
            problems(Mismatch.NOT_FOUND, Mismatch.OTHER_COMPANY),
        ),
        Line(
            _("Legal form"),
            _legal_form(registry.get("legal_form")),
            _legal_form(filed_side.get("legal_form")),
            problems(Mismatch.OTHER_LEGAL_FORM),
        ),
        Line(
            _("Act"),
            _act(registry.get("act")),
            _act(INCORPORATION),
            problems(Mismatch.NOT_INCORPORATION),
        ),
        Line(
            _("Deed date"),
            _date(registry.get("executed_on")),
            _date(filed_side.get("deed_date")),
            problems(Mismatch.OTHER_DATE, Mismatch.IN_FUTURE),
        ),
        Line(
            _("Name reserved on"),
            None,
            _date(filed_side.get("name_reserved_on")),
            problems(Mismatch.BEFORE_RESERVATION),
        ),
    ]
    return lines + _founder_lines(registry, filed_side)


def _founder_lines(registry: dict[str, Any], filed_side: dict[str, Any]) -> list[Line]:
    parties = {p.get("name"): p for p in registry.get("parties") or [] if isinstance(p, dict)}
    lines = []
    for founder in filed_side.get("founders") or []:
        party = parties.pop(founder.get("in_deed_as"), None)
        ids = " · ".join(i for i in (founder.get("curp"), founder.get("rfc")) if i)
        lines.append(
            Line(
                _("Founder"),
                _party(party) if party else None,
                f"{founder.get('name')} ({ids})" if ids else founder.get("name"),
                () if party else (_(REASONS[Mismatch.FOUNDER_NOT_PARTY]),),
            )
        )
    others = [
        Line(_("Other party"), _party(p), _("Not a founder in the application"), compared=False)
        for p in parties.values()
    ]
    return lines + others


def _party(party: dict[str, Any]) -> str:
    ids = " · ".join(i for i in (party.get("curp"), party.get("rfc")) if i)
    roles = ", ".join(_(ROLES[r]) if r in ROLES else r for r in party.get("roles") or [])
    return " · ".join(part for part in (str(party.get("name") or ""), ids, roles) if part)


ACTS = {
    "incorporation": gettext_noop("Incorporation (constitución)"),
    "bylaw_amendment": gettext_noop("Amendment of the bylaws (reforma de estatutos)"),
    "power_of_attorney": gettext_noop("Power of attorney (poder)"),
}
ROLES = {
    "shareholder": gettext_noop("shareholder"),
    "partner": gettext_noop("partner"),
    "administrator": gettext_noop("administrator"),
    "comisario": gettext_noop("comisario"),
    "attorney": gettext_noop("attorney-in-fact"),
}
LEGAL_FORMS = {"sas": "S.A.S.", "sa_de_cv": "S.A. de C.V.", "s_de_rl_de_cv": "S. de R.L. de C.V."}


def _act(code: object) -> str | None:
    return (
        _(ACTS[code]) if isinstance(code, str) and code in ACTS else (str(code) if code else None)
    )


def _legal_form(code: object) -> str | None:
    return LEGAL_FORMS.get(str(code), str(code)) if code else None


def _date(iso: object) -> date | None:
    return date.fromisoformat(iso) if isinstance(iso, str) and iso else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
