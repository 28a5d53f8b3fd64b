"""What the applicant reads when a founder is added: what happened, what will happen because of
it and what to do about it.

Whether a founder sends the application to a clerk is decided by ``processing`` (the checks it
runs after submission); this module only puts that into words, so that what the applicant reads
at adding is what will really happen. Who cannot found at all (a minor, a deceased person) is
refused by ``founders.add_founder`` and never gets here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _

from companies.filing import rules
from companies.models import Founder, PersonStatus
from companies.registries import NEGATIVE_OPINION, Outcome


@dataclass(frozen=True)
class Notice:
    level: int  # a django.contrib.messages level: SUCCESS only when nothing needs doing
    text: str


def on_adding(founder: Founder) -> Notice:
    problems = []
    if founder.person_status == PersonStatus.UNAVAILABLE:
        problems.append(
            _(
                "We could not check %(curp)s with the population registry right now. Your draft is saved; we will try again."
            )
            % {"curp": founder.curp}
        )
    if founder.tax_status == Outcome.UNAVAILABLE and problems:
        problems.append(
            _("We could not check RFC %(rfc)s with the tax registry right now either.")
            % _names(founder)
        )
    elif founder.tax_status == Outcome.UNAVAILABLE:
        problems.append(_tax_unavailable(founder))
    elif rules.founder_sends_to_review(founder):
        problems += [_tax_standing(founder), _consequence(founder), _remedy(founder)]
    if problems:
        return Notice(messages.WARNING, " ".join(problems))
    return Notice(messages.SUCCESS, _added(founder))


def _names(founder: Founder) -> dict[str, str]:
    return {
        "person": founder.person_name,
        "company": founder.legal_name,
        "rfc": founder.rfc,
        "form": founder.application.legal_form.abbreviation
        if founder.application.legal_form
        else "",
    }


def _added(founder: Founder) -> str:
    if founder.is_company:
        text = _(
            "%(company)s was added: its RFC was checked with the tax registry, and %(person)s, who signs on its behalf, with the population registry."
        )
    elif founder.rfc:
        text = _(
            "We checked %(person)s with the population registry and their RFC with the tax registry, and added them to the application."
        )
    else:
        text = _(
            "We checked %(person)s with the population registry and added them to the application."
        )
    return text % _names(founder)


def _tax_unavailable(founder: Founder) -> str:
    if founder.is_company:
        text = _(
            "%(company)s was added and %(person)s, who signs on its behalf, was checked with the population registry. We could not check RFC %(rfc)s with the tax registry right now: use “Check again” later."
        )
    else:
        text = _(
            "%(person)s was added, but we could not check their RFC %(rfc)s with the tax registry right now: use “Check again” later."
        )
    return text % _names(founder)


def _tax_standing(founder: Founder) -> str:
    """What the tax registry said, in a sentence that starts with who was added."""
    if founder.is_company:
        texts = {
            Outcome.SUSPENDED: _(
                "%(company)s was added, but its RFC %(rfc)s is suspended at the tax registry (SAT)."
            ),
            Outcome.CANCELLED: _(
                "%(company)s was added, but its RFC %(rfc)s is cancelled at the tax registry (SAT)."
            ),
            NEGATIVE_OPINION: _(
                "%(company)s was added, but the tax registry (SAT) gives its RFC %(rfc)s a negative compliance opinion."
            ),
        }
        other = _(
            "%(company)s was added, but the tax registry (SAT) does not list its RFC %(rfc)s as active."
        )
    else:
        texts = {
            Outcome.SUSPENDED: _(
                "%(person)s was added, but their RFC %(rfc)s is suspended at the tax registry (SAT)."
            ),
            Outcome.CANCELLED: _(
                "%(person)s was added, but their RFC %(rfc)s is cancelled at the tax registry (SAT)."
            ),
            NEGATIVE_OPINION: _(
                "%(person)s was added, but the tax registry (SAT) gives their RFC %(rfc)s a negative compliance opinion."
            ),
        }
        other = _(
            "%(person)s was added, but the tax registry (SAT) does not list their RFC %(rfc)s as active."
        )
    return texts.get(founder.tax_status, other) % _names(founder)


def _consequence(founder: Founder) -> str:
    if rules.registered_automatically(founder.application):
        return _(
            "Because of this, your application will be reviewed by a registry clerk instead of being registered automatically, which may take longer."
        )
    return _(
        "A registry clerk reviews every %(form)s application and will have to look into this as well, which may take longer."
    ) % _names(founder)


def _remedy(founder: Founder) -> str:
    """What to do before submitting, so that the check is clean (the registries are asked again
    after submission)."""
    suspended = founder.tax_status == Outcome.SUSPENDED
    if founder.is_company and suspended:
        text = _(
            "To avoid it, %(company)s can file the notice of resumption of activities (aviso de reanudación de actividades) with SAT before you submit the application, or you can remove it from the founders."
        )
    elif founder.is_company and founder.tax_status == NEGATIVE_OPINION:
        text = _(
            "To avoid it, %(company)s can bring its tax obligations up to date with SAT before you submit the application, or you can remove it from the founders."
        )
    elif founder.is_company:
        text = _(
            "To avoid it, check the RFC on the company's tax certificate (constancia de situación fiscal), or remove %(company)s from the founders."
        )
    elif suspended:
        text = _(
            "To avoid it, %(person)s can file the notice of resumption of activities (aviso de reanudación de actividades) with SAT before you submit the application."
        )
    elif founder.tax_status == NEGATIVE_OPINION:
        text = _(
            "To avoid it, %(person)s can bring their tax obligations up to date with SAT before you submit the application."
        )
    else:
        text = _(
            "To avoid it, remove %(person)s and add them again with their current RFC, or with no RFC if they no longer have one."
        )
    return text % _names(founder)
