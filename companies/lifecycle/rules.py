"""Who may file what on a registered company, now, and if not why: ONE table in data
(``companies/data/filing_rules.json``), read here and nowhere else.

The table says, for a role (shareholder or partner, administrator, liquidator), a company state
(active, in dissolution, dissolved, not in good standing) and a legal form, which filing types
that person may file; then blockers (a filing already pending, the company in dissolution or not
in good standing) take types away again, each with its reason. ``offer`` answers from those
facts alone, so the table is tested without a database; ``offer_for`` gathers the facts of a
person and a company.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from companies.models import Company, CompanyFiling, FilingType
from portal.models import User

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "filing_rules.json"

SHAREHOLDER, ADMINISTRATOR, LIQUIDATOR = "shareholder", "administrator", "liquidator"
ACTIVE, IN_DISSOLUTION, DISSOLVED = "active", "in_dissolution", "dissolved"
NOT_IN_GOOD_STANDING = "not_in_good_standing"
PENDING_FILING = "pending_filing"


@cache
def table() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return loaded


def type_rules(filing_type: str) -> dict[str, Any]:
    rules: dict[str, Any] = table()["types"][filing_type]
    return rules


def _per_form(mapping: dict[str, Any], legal_form: str) -> Any:
    return mapping.get(legal_form, mapping["*"])


def fee(filing_type: str) -> Decimal:
    return Decimal(type_rules(filing_type)["fee"])


def schema_version(filing_type: str) -> int:
    return int(type_rules(filing_type)["schema_version"])


def signer_roles(filing_type: str, legal_form: str) -> list[str]:
    """Whose signatures the filing needs: ``administrators``, ``shareholders``, ``liquidators``
    (every one of them, as the register shows them when the filing is sent for signatures)."""
    return list(_per_form(type_rules(filing_type)["signers"], legal_form))


def review_path(filing_type: str, legal_form: str) -> str:
    """``automatic``, ``automatic_if_sole_shareholder`` or ``clerk``."""
    return str(_per_form(type_rules(filing_type)["review"], legal_form))


@dataclass(frozen=True)
class Choice:
    """One filing type as offered to a person: allowed, or the reason it is not."""

    type: str
    allowed: bool
    reason: str = ""

    @property
    def label(self) -> str:
        return str(FilingType(self.type).label)


def _state_reason(state: str) -> str:
    return {
        IN_DISSOLUTION: _(
            "The company is being dissolved: only its liquidator files for it now, and only "
            "what the liquidation needs."
        ),
        DISSOLVED: _("The company is dissolved: the register takes no more filings for it."),
        NOT_IN_GOOD_STANDING: _(
            "The company is not in good standing: file what is overdue (the annual report) first."
        ),
    }.get(state, "")


def _role_reason(filing_type: str, state: str, legal_form: str) -> str:
    roles = {
        row["role"]
        for row in table()["allowed"]
        if filing_type in row["types"] and state in row["states"]
        if legal_form in row["legal_forms"]
    }
    if roles == {ADMINISTRATOR}:
        return _("Only the company's administrator may file this.")
    if roles:
        return _("Only the company's shareholders, partners or administrators may file this.")
    return _state_reason(state) or _("This company cannot file this.")


def offer(
    *, roles: set[str], state: str, legal_form: str, blockers: dict[str, str]
) -> list[Choice]:
    """Every filing type, allowed or with the reason it is not, for a person holding ``roles``
    in a company in ``state`` of ``legal_form``; ``blockers`` maps each blocker that holds
    (``pending_filing``...) to the reason to show."""
    permitted = {
        filing_type
        for row in table()["allowed"]
        if row["role"] in roles and state in row["states"] and legal_form in row["legal_forms"]
        for filing_type in row["types"]
    }
    blocked_by: dict[str, str] = {}
    for row in table()["blockers"]:
        reason = blockers.get(row["blocker"])
        if reason:
            for filing_type in row["blocks"]:
                blocked_by.setdefault(filing_type, reason)
    choices = []
    for filing_type in FilingType.values:
        if filing_type not in permitted:
            reason = _role_reason(filing_type, state, legal_form)
            choices.append(Choice(filing_type, False, reason))
        elif filing_type in blocked_by:
            choices.append(Choice(filing_type, False, blocked_by[filing_type]))
        else:
            choices.append(Choice(filing_type, True))
    return choices


# -- the facts of a person and a company ----------------------------------------------------


def company_state(company: Company) -> str:
    """The company's state for the table. The register knows "active" and "dissolved" today;
    "in dissolution" and "not in good standing" come with the dissolution filings and the
    compliance engine (issue 14, items 2h and 5), which set them on the company."""
    return DISSOLVED if company.status == Company.Status.DISSOLVED else ACTIVE


def roles_in(data: dict[str, Any], curp: str | None) -> set[str]:
    """The roles the person with ``curp`` holds in a company whose register data is ``data``."""
    if not curp:
        return set()
    holders = {
        SHAREHOLDER: data.get("shareholders") or [],
        ADMINISTRATOR: data.get("administrators") or [],
        LIQUIDATOR: data.get("liquidators") or [],
    }
    return {role for role, people in holders.items() if any(p["curp"] == curp for p in people)}


def pending_reason(pending: CompanyFiling | None) -> str:
    if pending is None:
        return ""
    return _(
        "“%(type)s”, started on %(date)s, is still pending: it must be registered, rejected or "
        "withdrawn before another filing."
    ) % {"type": pending.type_label, "date": pending.created_at.date().isoformat()}


def blockers_of(state: str, pending: CompanyFiling | None) -> dict[str, str]:
    found = {PENDING_FILING: pending_reason(pending)}
    if state in (IN_DISSOLUTION, NOT_IN_GOOD_STANDING):
        found[state] = _state_reason(state)
    return {blocker: reason for blocker, reason in found.items() if reason}


def offer_for(
    user: User, company: Company, data: dict[str, Any], pending: CompanyFiling | None
) -> list[Choice]:
    """What ``user`` may file for ``company`` now (its register data ``data`` and its pending
    filing, already read), and why not the rest."""
    state = company_state(company)
    return offer(
        roles=roles_in(data, user.curp),
        state=state,
        legal_form=company.legal_form.code,
        blockers=blockers_of(state, pending),
    )


def refusal(choices: list[Choice], filing_type: str) -> str:
    """The reason ``filing_type`` is not allowed, or "" when it is."""
    for choice in choices:
        if choice.type == filing_type:
            return choice.reason
    return _("This company cannot file this.")
