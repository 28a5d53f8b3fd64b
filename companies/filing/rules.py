"""The legal form's rules applied to an application's founders, capital and administration.

The rules themselves are rows (``LegalForm``); this module only reads them and explains, in the
applicant's language, what to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum.mx import curp as curp_number

from companies import registries
from companies.filing.money import pesos
from companies.models import Application, Founder, LegalForm

ADULT_AGE = 18
ONE_PESO = Decimal("1.00")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def founder_problems(
    form: LegalForm,
    founders: Sequence[Founder],
    capital: Decimal | None,
    *,
    today: date,
    share_value: Decimal = ONE_PESO,
) -> list[Problem]:
    """Everything the legal form says about founders, capital and administration."""
    return [
        *membership_problems(form, founders, capital, today=today, share_value=share_value),
        *administration_problems(form, founders),
    ]


def membership_problems(
    form: LegalForm,
    founders: Sequence[Founder],
    capital: Decimal | None,
    *,
    today: date,
    share_value: Decimal = ONE_PESO,
) -> list[Problem]:
    """Who the founders are and what they contribute (the founders step)."""
    return [
        *_count_problems(form, founders),
        *_kind_problems(form, founders),
        *_age_problems(founders, today),
        *_capital_problems(form, founders, capital),
        *_share_problems(form, founders, share_value),
    ]


def membership_problems_of(
    application: Application, founders: Sequence[Founder], *, today: date
) -> list[Problem]:
    """``membership_problems`` under this application's legal form, capital and share value."""
    assert application.legal_form is not None
    return membership_problems(
        application.legal_form,
        founders,
        application.capital,
        today=today,
        share_value=application.share_value,
    )


def founder_problems_of(
    application: Application, founders: Sequence[Founder], *, today: date
) -> list[Problem]:
    """``founder_problems`` under this application's legal form, capital and share value."""
    assert application.legal_form is not None
    return [
        *membership_problems_of(application, founders, today=today),
        *administration_problems(application.legal_form, founders),
    ]


def _share_problems(
    form: LegalForm, founders: Sequence[Founder], share_value: Decimal
) -> list[Problem]:
    """Shares have one nominal value: every contribution is a whole number of them."""
    if form.capital_unit != LegalForm.CapitalUnit.SHARES:
        return []
    if share_value <= 0:
        return [Problem("share_value", _("The value of each share must be more than zero pesos."))]
    return [
        Problem(
            "contribution_not_whole_shares",
            _(
                "%(person)s's contribution of MXN %(amount)s is not a whole number of shares of "
                "MXN %(value)s. Change the contribution or the value of each share."
            )
            % {
                "person": founder,
                "amount": pesos(founder.contribution),
                "value": pesos(share_value),
            },
        )
        for founder in founders
        if founder.contribution > 0 and founder.contribution % share_value != 0
    ]


def _count_problems(form: LegalForm, founders: Sequence[Founder]) -> list[Problem]:
    count = len(founders)
    if count < form.min_founders:
        message = ngettext(
            "A %(form)s needs at least %(n)d founder. Add founders.",
            "A %(form)s needs at least %(n)d founders. Add founders.",
            form.min_founders,
        ) % {"form": form.abbreviation, "n": form.min_founders}
        return [Problem("too_few_founders", message)]
    if form.max_founders is not None and count > form.max_founders:
        message = _("A %(form)s can have at most %(n)d partners. Remove %(extra)d.") % {
            "form": form.abbreviation,
            "n": form.max_founders,
            "extra": count - form.max_founders,
        }
        return [Problem("too_many_founders", message)]
    return []


def _kind_problems(form: LegalForm, founders: Sequence[Founder]) -> list[Problem]:
    companies = [f.legal_name for f in founders if f.is_company]
    if not form.natural_persons_only or not companies:
        return []
    message = _(
        "A %(form)s can only be founded by people, not by companies: remove %(companies)s from the founders."
    ) % {"form": form.abbreviation, "companies": ", ".join(companies)}
    return [Problem("company_founder_not_allowed", message)]


def is_minor(curp: str, *, today: date) -> bool:
    """Under 18 on ``today``, by the birth date the CURP encodes."""
    born = curp_number.get_birth_date(curp)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age < ADULT_AGE


def _age_problems(founders: Sequence[Founder], today: date) -> list[Problem]:
    """A minor can neither found a company nor sign for a company that founds one."""
    problems = []
    for founder in founders:
        if not is_minor(founder.curp, today=today):
            continue
        if founder.is_company:
            message = _(
                "%(person)s, who signs on behalf of %(company)s, is under 18. An adult must sign for the company."
            ) % {"person": founder.person_name, "company": founder.legal_name}
        else:
            message = _("%(person)s is under 18 and cannot found a company.") % {"person": founder}
        problems.append(Problem("founder_minor", message))
    return problems


def _capital_problems(
    form: LegalForm, founders: Sequence[Founder], capital: Decimal | None
) -> list[Problem]:
    if capital is None:
        return [Problem("capital_missing", _("Enter the company's share capital."))]
    problems = []
    if capital < form.minimum_capital:
        problems.append(
            Problem(
                "capital_too_low",
                _("The share capital must be at least MXN %(minimum)s.")
                % {"minimum": pesos(form.minimum_capital)},
            )
        )
    total = sum((f.contribution for f in founders), Decimal("0"))
    if founders and total != capital:
        problems.append(
            Problem(
                "capital_mismatch",
                _(
                    "The founders' contributions add up to MXN %(total)s but the share capital is "
                    "MXN %(capital)s. Change the contributions or the capital so they match."
                )
                % {"total": pesos(total), "capital": pesos(capital)},
            )
        )
    for founder in founders:
        if founder.contribution <= 0:
            problems.append(
                Problem(
                    "contribution_missing",
                    _("Enter %(person)s's contribution; it must be more than zero.")
                    % {"person": founder},
                )
            )
    return problems


def administration_problems(form: LegalForm, founders: Sequence[Founder]) -> list[Problem]:
    administrators = [f for f in founders if f.is_administrator]
    companies = [f for f in administrators if f.is_company]
    if companies:
        return [
            Problem(
                "company_administrator",
                _(
                    "%(company)s is a company and cannot be an administrator. Choose a person instead."
                )
                % {"company": founder.legal_name},
            )
            for founder in companies
        ]
    if founders and not administrators:
        return [Problem("no_administrator", _("Choose who will administer the company."))]
    if len(administrators) > 1 and not form.board_allowed:
        return [
            Problem(
                "single_administrator",
                _("A %(form)s has a single administrator. Choose only one.")
                % {"form": form.abbreviation},
            )
        ]
    return []


def founder_sends_to_review(founder: Founder) -> bool:
    """Whether what the tax registry said about this founder's RFC when they were added (their
    own, or their company's) will send the application to a clerk when it is submitted. The
    population registry's negative answers keep a person out of the application altogether."""
    return founder.tax_status not in TAX_STANDINGS_NOT_HELD_AGAINST


TAX_STANDINGS_NOT_HELD_AGAINST = {"", registries.Outcome.ACTIVE, registries.Outcome.UNAVAILABLE}


def registered_automatically(application: Application) -> bool:
    """A clean application of this legal form is registered with no clerk (an S.A.S.); every
    other one goes to the clerks' queue."""
    return application.legal_form is not None and application.legal_form.code == "sas"


def deed_date(day: date, *, today: date, name_reserved_on: date | None) -> tuple[bool, bool]:
    """Whether a deed of ``day`` is dated after today, and before the name was reserved: a
    notary signs it once the name is reserved, and not in the future."""
    return day > today, bool(name_reserved_on and day < name_reserved_on)
