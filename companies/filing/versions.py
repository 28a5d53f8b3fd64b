"""What founders sign: a canonical, hashed snapshot of the application."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.utils import timezone

from companies import audit
from companies.filing import rules, wizard
from companies.models import Application, ApplicationVersion


def snapshot(application: Application) -> dict[str, Any]:
    """The structured content of the application, in a stable shape (no ids, no timestamps)."""
    legal_form = application.legal_form
    return {
        "legal_form": legal_form.code if legal_form else None,
        "name": application.proposed_name,
        "office": {
            "municipality": application.municipality,
            "street": application.street,
            "exterior_number": application.exterior_number,
            "interior_number": application.interior_number,
            "neighbourhood": application.neighbourhood,
            "postal_code": application.postal_code,
        },
        "purpose": application.purpose,
        "activity_codes": list(application.activity_codes),
        "capital": f"{application.capital:.2f}" if application.capital is not None else None,
        "share_value": f"{application.share_value:.2f}",
        "founders": [
            {
                "kind": f.kind,
                "curp": f.curp,
                "rfc": f.rfc,
                "name": str(f),
                "legal_name": f.legal_name,
                "representative": f.person_name if f.is_company else "",
                "nationality": f.nationality,
                "contribution": f"{f.contribution:.2f}",
                "administrator": f.is_administrator,
            }
            for f in application.founders.order_by("curp", "kind", "rfc")
        ],
        "comisario": {"name": application.comisario_name, "curp": application.comisario_curp},
        "articles": application.articles,
        "notary": {
            "state": application.notary_state,
            "number": application.notary_number,
            "deed_number": application.deed_number,
            "deed_date": application.deed_date.isoformat() if application.deed_date else None,
        }
        if legal_form and legal_form.notary_required
        else None,
    }


def blocking_problems(application: Application) -> list[str]:
    """Why the application cannot be sent for signatures yet, in the applicant's words."""
    incomplete = [
        str(s.title)
        for s in wizard.steps_for(application)
        if s.slug != "revision" and not s.is_complete(application)
    ]
    if incomplete:
        from django.utils.translation import gettext as _

        return [_("Complete these steps first: %(steps)s.") % {"steps": ", ".join(incomplete)}]
    founders = list(application.founders.all())
    problems = rules.founder_problems_of(application, founders, today=timezone.localdate())
    return [p.message for p in problems]


def freeze(application: Application) -> ApplicationVersion:
    content = snapshot(application)
    latest = application.versions.aggregate(n=Max("number"))["n"] or 0
    return ApplicationVersion.objects.create(
        application=application,
        number=latest + 1,
        content=content,
        sha256=audit.sha256(audit.canonical_json(content)),
    )


def current(application: Application) -> ApplicationVersion | None:
    return application.versions.order_by("-number").first()
