"""The steps of the filing wizard: which apply to an application and which are complete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from companies.filing import rules
from companies.models import Application, PersonStatus


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise
    applies: Callable[[Application], bool]
    is_complete: Callable[[Application], bool]


def _always(application: Application) -> bool:
    return True


def _notarised(application: Application) -> bool:
    return bool(application.legal_form and application.legal_form.notary_required)


def _name_done(application: Application) -> bool:
    return bool(application.proposed_name) and application.name_verdict.get("allowed", False)


def _founders_done(application: Application) -> bool:
    founders = list(application.founders.all())
    if not founders or application.legal_form is None:
        return False
    if any(f.person_status != PersonStatus.ACTIVE for f in founders):
        return False
    return not rules.membership_problems_of(application, founders, today=timezone.localdate())


def _administration_done(application: Application) -> bool:
    has_admin = any(f.is_administrator for f in application.founders.all())
    if _needs_comisario(application):
        return has_admin and bool(application.comisario_curp)
    return has_admin


def _needs_comisario(application: Application) -> bool:
    return bool(application.legal_form and application.legal_form.requires_comisario)


STEPS: tuple[Step, ...] = (
    Step("forma", _("Legal form"), _always, lambda a: a.legal_form_id is not None),
    Step("nombre", _("Name"), _always, _name_done),
    Step(
        "domicilio",
        _("Registered office"),
        _always,
        lambda a: bool(a.municipality and a.postal_code),
    ),
    Step("objeto", _("Purpose"), _always, lambda a: bool(a.purpose and a.activity_codes)),
    Step("socios", _("Founders and capital"), _always, _founders_done),
    Step("administracion", _("Administration"), _always, _administration_done),
    Step("estatutos", _("Articles"), _always, lambda a: bool(a.articles)),
    Step("notaria", _("Notary and deed"), _notarised, lambda a: a.deed_number is not None),
    Step("revision", _("Review"), _always, lambda a: False),
)
BY_SLUG = {step.slug: step for step in STEPS}


def steps_for(application: Application) -> list[Step]:
    return [step for step in STEPS if step.applies(application)]


def next_step(application: Application, current: str) -> Step:
    steps = steps_for(application)
    slugs = [s.slug for s in steps]
    index = slugs.index(current) if current in slugs else -1
    return steps[min(index + 1, len(steps) - 1)]


def first_incomplete(application: Application) -> Step:
    return next((s for s in steps_for(application) if not s.is_complete(application)), STEPS[-1])


def ready_for_review(application: Application) -> bool:
    return all(s.is_complete(application) for s in steps_for(application) if s.slug != "revision")
