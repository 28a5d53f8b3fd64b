"""The register's data of a company, dated: what it is now and what it was on any day.

A company's first state is written at registration from its application (``initial``); each
registered filing adds the next one (``companies.lifecycle``). The data is plain JSON in the
register's own words (``office``, ``administrators``, ``shareholders``...), so that a state
reads the same whichever application or filing produced it, and ``diff`` can say what changed.
Migration 0021 backfilled the companies registered before states existed with the same shape
(it keeps its own copy of ``data_of``: a migration must not follow this code as it changes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from companies.models import Application, Company, CompanyState, Founder

QUERETARO = "22"  # INEGI's code of the State of Querétaro

# The fields of a state a filing may touch, in the order the pages list them.
FIELDS = (
    *("name", "office", "purpose", "activity_codes", "capital"),
    *("administrators", "comisario", "shareholders", "liquidators"),
)


def _person(founder: Founder) -> dict[str, Any]:
    return {"curp": founder.curp, "name": founder.person_name}


def data_of(application: Application, founders: list[Founder]) -> dict[str, Any]:
    """The register's data of a company as its application filed it."""
    return {
        "name": application.full_name,
        "office": {
            "street": application.street,
            "exterior_number": application.exterior_number,
            "interior_number": application.interior_number,
            "neighbourhood": application.neighbourhood,
            "postal_code": application.postal_code,
            "municipality": application.municipality,
            "state": QUERETARO,
        },
        "purpose": application.purpose,
        "activity_codes": list(application.activity_codes),
        "capital": None if application.capital is None else f"{application.capital:.2f}",
        "administrators": [_person(f) for f in founders if f.is_administrator],
        "shareholders": [
            {
                **_person(f),
                "kind": f.kind,
                "legal_name": f.legal_name,
                "rfc": f.rfc,
                "contribution": f"{f.contribution:.2f}",
            }
            for f in founders
        ],
        "comisario": (
            {"curp": application.comisario_curp, "name": application.comisario_name}
            if application.comisario_name
            else None
        ),
        "liquidators": [],
    }


def initial(company: Company) -> CompanyState:
    """The company's state at registration (call in the registration's transaction)."""
    application = company.application
    assert application is not None
    founders = list(application.founders.order_by("pk"))
    return CompanyState.objects.create(
        company=company,
        valid_from=timezone.localdate(company.registered_at),
        data=data_of(application, founders),
    )


def as_of(company_id: int, day: date) -> CompanyState | None:
    """The company's register data on ``day`` (None before it was registered): one query."""
    return (
        CompanyState.objects.filter(company_id=company_id, valid_from__lte=day)
        .order_by("-valid_from", "-pk")
        .first()
    )


def current(company_id: int) -> CompanyState | None:
    """The company's register data today: one query."""
    return as_of(company_id, timezone.localdate())


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field of ``FIELDS`` that changed."""
    return {
        field: [before.get(field), after.get(field)]
        for field in FIELDS
        if before.get(field) != after.get(field)
    }
