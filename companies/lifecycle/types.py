"""What each filing type checks and what it changes in the register's data.

Each type has ``problems(data, legal_form, payload)`` (the law's rules, each with its own
message, on a payload the JSON Schema already accepted) and ``apply(data, payload)`` (the next
register data). The rules rest on the LGSM (Ley General de Sociedades Mercantiles) as we read it
(shared/DOMAIN.md); the legal form's own facts (``LegalForm``: whether the administrator must be
a shareholder, whether a board is allowed) are data, not code.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from stdnum.mx import curp as stdnum_curp

from companies.models import FilingType, LegalForm, Municipality
from companies.register.states import QUERETARO

Data = dict[str, Any]


# -- change of registered office -------------------------------------------------------------
# The registered office (domicilio) is part of the articles (LGSM art. 6, fr. VII), so moving it
# amends them: an extraordinary meeting in an S.A. (art. 182, fr. XII), the partners in an S. de
# R.L. (art. 78, fr. VIII; art. 83), the shareholders in an S.A.S. (art. 264). The register of
# commerce is kept per state (Código de Comercio art. 18): an office in another state is
# registered there, not here.


def office_problems(data: Data, legal_form: LegalForm, payload: Data) -> list[str]:
    if payload["state"] != QUERETARO:
        return [
            _(
                "The new office is outside the State of Querétaro, and this register keeps only "
                "companies domiciled in it. Register the change of office at the Public Registry "
                "of Commerce of the state the company moves to; it will ask this register for "
                "the company's record."
            )
        ]
    found = []
    if payload["municipality"] not in Municipality.values:
        found.append(_("Choose one of Querétaro's 18 municipalities."))
    if not payload["postal_code"].startswith("76"):
        found.append(_("Querétaro's postal codes begin with 76."))
    if _office(payload) == data.get("office"):
        found.append(_("This is already the registered office."))
    return found


def _office(payload: Data) -> Data:
    return {
        "street": payload["street"],
        "exterior_number": payload["exterior_number"],
        "interior_number": payload.get("interior_number", ""),
        "neighbourhood": payload["neighbourhood"],
        "postal_code": payload["postal_code"],
        "municipality": payload["municipality"],
        "state": payload["state"],
    }


def office_apply(data: Data, payload: Data) -> Data:
    return {**data, "office": _office(payload)}


# -- administrators: appoint, remove, change of name ---------------------------------------
# The administration is in the hands of one or more temporary, revocable mandataries (S.A.: LGSM
# art. 142; two or more form a board, art. 143), appointed and removed by the shareholders'
# meeting (art. 181, fr. II); of one or more gerentes in an S. de R.L., partners or not (art.
# 74), appointed and removed by the partners (art. 78, fr. III). In an S.A.S. the company is
# represented by one administrator, who must be a shareholder (art. 269).


def _moved(data: Data, payload: Data) -> tuple[list[Data], list[str]]:
    administrators = copy.deepcopy(list(data.get("administrators") or []))
    found = []
    for number, move in enumerate(payload["moves"], start=1):
        curp = move["curp"]
        holder = next((a for a in administrators if a["curp"] == curp), None)
        where = {"n": number, "curp": curp}
        if not stdnum_curp.is_valid(curp):
            found.append(_("Move %(n)s: %(curp)s is not a valid CURP.") % where)
        elif move["action"] == "appoint" and holder is not None:
            found.append(_("Move %(n)s: %(curp)s is already an administrator.") % where)
        elif move["action"] == "appoint":
            administrators.append({"curp": curp, "name": move["name"].strip()})
        elif holder is None:
            found.append(_("Move %(n)s: %(curp)s is not an administrator.") % where)
        elif move["action"] == "remove":
            administrators.remove(holder)
        else:
            holder["name"] = move["name"].strip()
    return administrators, found


def administrators_problems(data: Data, legal_form: LegalForm, payload: Data) -> list[str]:
    administrators, found = _moved(data, payload)
    if found:
        return found
    if not administrators:
        found.append(_("The company cannot be left without an administrator."))
    if not legal_form.board_allowed and len(administrators) > 1:
        found.append(
            _("An %(form)s has one administrator (LGSM art. 269).")
            % {"form": legal_form.abbreviation}
        )
    if legal_form.administrator_must_be_founder:
        holders = {s["curp"] for s in data.get("shareholders") or []}
        outsiders = [a["name"] for a in administrators if a["curp"] not in holders]
        if outsiders:
            found.append(
                _("In an %(form)s the administrator must be a shareholder: %(names)s is not.")
                % {"form": legal_form.abbreviation, "names": ", ".join(outsiders)}
            )
    return found


def administrators_apply(data: Data, payload: Data) -> Data:
    administrators, _problems = _moved(data, payload)
    return {**data, "administrators": administrators}


Problems = Callable[[Data, LegalForm, Data], list[str]]
Apply = Callable[[Data, Data], Data]
TYPES: dict[str, tuple[Problems, Apply]] = {
    FilingType.OFFICE_CHANGE: (office_problems, office_apply),
    FilingType.ADMINISTRATORS: (administrators_problems, administrators_apply),
}


def problems(filing_type: str, data: Data, legal_form: LegalForm, payload: Data) -> list[str]:
    return TYPES[filing_type][0](data, legal_form, payload)


def apply(filing_type: str, data: Data, payload: Data) -> Data:
    return TYPES[filing_type][1](data, payload)
