"""Founders: adding one (checked with the population and tax registries as they are added),
checking again, and removing one."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from companies import registries
from companies.filing import rules
from companies.filing.names import normalise_name
from companies.models import Application, Founder, PersonStatus


def remove_founder(*, application: Application, founder_id: int) -> None:
    application.founders.filter(pk=founder_id).delete()


class FounderRefused(Exception):
    """The population or tax registry gave a definite answer that rules this founder out."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def add_founder(*, application: Application, founder: Founder, user_id: str = "") -> Founder:
    """Check the person with the population registry (and the RFC, theirs or their company's,
    with the tax registry) and add them. For a company, the person is the one who signs on its
    behalf. A definite negative, or a person under 18 (who can neither found nor sign for a
    company), refuses them; a registry that cannot answer keeps them, marked to be checked
    again, so nothing typed is lost."""
    founder.application = application
    person = registries.check_person(founder.curp, application=application, user_id=user_id)
    if person.available and person.outcome != registries.Outcome.ACTIVE:
        raise FounderRefused("curp", _person_refusal(founder.curp, person.outcome))
    _apply_person(founder, person)
    if rules.is_minor(founder.curp, today=timezone.localdate()):
        raise FounderRefused("curp", _minor_refusal(founder))
    if founder.rfc:
        _apply_taxpayer(
            founder,
            registries.check_taxpayer(founder.rfc, application=application, user_id=user_id),
        )
    founder.save()
    return founder


def recheck_founder(*, founder: Founder, user_id: str = "") -> Founder:
    """Ask again the registries that could not answer. A definite refusal of the RFC keeps
    what the population registry said and is raised for the applicant to read."""
    person = registries.check_person(founder.curp, application=founder.application, user_id=user_id)
    _apply_person(founder, person)
    if person.available and person.outcome != registries.Outcome.ACTIVE:
        founder.person_status = {
            registries.Outcome.DECEASED: PersonStatus.DECEASED,
            registries.Outcome.WITHDRAWN: PersonStatus.WITHDRAWN,
        }.get(person.outcome, PersonStatus.NOT_FOUND)
    try:
        if founder.rfc and founder.tax_status in ("", "unavailable"):
            _apply_taxpayer(
                founder, registries.check_taxpayer(founder.rfc, application=founder.application)
            )
    finally:
        founder.save()
    return founder


def _apply_person(founder: Founder, answer: registries.Answer) -> None:
    founder.checked_at = timezone.now()
    if not answer.available:
        founder.person_status = PersonStatus.UNAVAILABLE
        return
    person = registries.person_from(answer)
    founder.person_status = PersonStatus.ACTIVE
    founder.given_names = person.given_names
    founder.first_surname = person.first_surname
    founder.second_surname = person.second_surname


def _apply_taxpayer(founder: Founder, answer: registries.Answer) -> None:
    if not answer.available:
        founder.tax_status = "unavailable"
        return
    if founder.is_company:
        _check_company_taxpayer(founder, answer)
    else:
        _check_person_taxpayer(founder, answer)
    founder.tax_status = registries.taxpayer_standing(answer)


def _check_person_taxpayer(founder: Founder, answer: registries.Answer) -> None:
    if answer.outcome == registries.Outcome.NOT_FOUND:
        raise FounderRefused(
            "rfc",
            _("The tax registry does not know RFC %(rfc)s. Check it, or leave it empty.")
            % {"rfc": founder.rfc},
        )
    owner = answer.record.get("curp")
    if owner and owner != founder.curp:
        raise FounderRefused(
            "rfc",
            _("RFC %(rfc)s belongs to someone else. Check it, or leave it empty.")
            % {"rfc": founder.rfc},
        )


def _check_company_taxpayer(founder: Founder, answer: registries.Answer) -> None:
    """The company's RFC must exist, and the tax registry's name for it must be the name typed
    (compared as company names are: without accents, punctuation or the legal form)."""
    if answer.outcome == registries.Outcome.NOT_FOUND:
        raise FounderRefused(
            "rfc",
            _(
                "The tax registry does not know RFC %(rfc)s. Copy it again from the company's tax certificate (constancia de situación fiscal)."
            )
            % {"rfc": founder.rfc},
        )
    registered = str(answer.record.get("name") or "")
    if registered and normalise_name(registered) != normalise_name(founder.legal_name):
        raise FounderRefused(
            "rfc",
            _(
                "The tax registry has RFC %(rfc)s under the name “%(registered)s”, not “%(name)s”. Check the RFC, or write the company's name as on its tax certificate."
            )
            % {"rfc": founder.rfc, "registered": registered, "name": founder.legal_name},
        )


def _minor_refusal(founder: Founder) -> str:
    if founder.is_company:
        return _(
            "%(person)s is under 18 and cannot sign on behalf of %(company)s: write the CURP of an adult who represents the company."
        ) % {"person": founder.person_name, "company": founder.legal_name}
    return _(
        "%(person)s is under 18, and only adults can found a company, so we did not add this person. Add an adult instead."
    ) % {"person": founder.person_name}


def _person_refusal(curp: str, outcome: registries.Outcome) -> str:
    if outcome == registries.Outcome.DECEASED:
        return _(
            "The population registry lists CURP %(curp)s as belonging to a deceased person. Check the CURP you typed."
        ) % {"curp": curp}
    if outcome == registries.Outcome.WITHDRAWN:
        return _(
            "CURP %(curp)s was withdrawn by the population registry. Ask this person for their current CURP."
        ) % {"curp": curp}
    return _(
        "The population registry does not know CURP %(curp)s. Compare it with the person's CURP document; if it is right, they should ask RENAPO."
    ) % {"curp": curp}
