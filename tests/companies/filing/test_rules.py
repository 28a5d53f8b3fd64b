from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from companies.filing.rules import founder_problems
from companies.models import Founder, LegalForm

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 26)
ADULT_CURPS = ["RAOA900514MQTMLN01", "MERC851102HQTNSR00", "HETL780223MQTRRZ05"]
MINOR_CURP = "RUSD120618HQTZNGA7"


def founders(*contributions: str, admins: int = 1, curps=ADULT_CURPS) -> list[Founder]:
    return [
        Founder(
            curp=curp,
            contribution=Decimal(amount),
            is_administrator=index < admins,
            given_names=f"Socio {index}",
        )
        for index, (curp, amount) in enumerate(zip(curps, contributions, strict=False))
    ]


def codes(form_code: str, people: list[Founder], capital: str | None) -> list[str]:
    form = LegalForm.objects.get(code=form_code)
    amount = Decimal(capital) if capital is not None else None
    return [p.code for p in founder_problems(form, people, amount, today=TODAY)]


def test_sas_with_one_founder_who_administers_is_fine():
    assert codes("sas", founders("1000"), "1000") == []


def test_sas_allows_only_one_administrator():
    assert codes("sas", founders("500", "500", admins=2), "1000") == ["single_administrator"]


@pytest.mark.parametrize("form_code", ["sa-de-cv", "s-de-rl-de-cv"])
def test_notarised_forms_need_two_founders(form_code):
    assert codes(form_code, founders("1000"), "1000") == ["too_few_founders"]
    assert codes(form_code, founders("500", "500", admins=2), "1000") == []


def test_srl_has_at_most_fifty_partners():
    many = [
        Founder(curp=ADULT_CURPS[0], contribution=Decimal(1), is_administrator=i == 0)
        for i in range(51)
    ]
    assert codes("s-de-rl-de-cv", many, "51") == ["too_many_founders"]


def test_capital_must_add_up_and_say_by_how_much():
    form = LegalForm.objects.get(code="sas")
    problems = founder_problems(form, founders("600", "300"), Decimal("1000"), today=TODAY)
    assert [p.code for p in problems] == ["capital_mismatch"]
    assert "MXN 900.00" in problems[0].message and "MXN 1,000.00" in problems[0].message


def test_capital_is_required_and_at_least_the_minimum():
    assert codes("sas", founders("0"), None) == ["capital_missing"]
    assert codes("sas", founders("0.50"), "0.50") == [
        "capital_too_low",
        "contribution_not_whole_shares",  # half of a MXN 1 share
    ]


def test_zero_contribution_is_refused():
    assert codes("sa-de-cv", founders("1000", "0", admins=1), "1000") == ["contribution_missing"]


def test_someone_must_administer():
    assert codes("sas", founders("1000", admins=0), "1000") == ["no_administrator"]


def test_a_minor_cannot_found_a_company():
    assert codes("sas", founders("1000", curps=[MINOR_CURP]), "1000") == ["founder_minor"]


def test_messages_are_in_spanish_by_default():
    form = LegalForm.objects.get(code="sa-de-cv")
    problem = founder_problems(form, founders("1000"), Decimal("1000"), today=TODAY)[0]
    assert problem.message == "Una S.A. de C.V. necesita al menos 2 socios. Agrega socios."


def company(contribution: str, *, curp: str = ADULT_CURPS[1], admin: bool = False) -> Founder:
    return Founder(
        kind=Founder.Kind.LEGAL,
        legal_name="Constructora Jurica, S.A. de C.V.",
        rfc="CJU150610I85",
        curp=curp,
        given_names="Carlos Eduardo",
        contribution=Decimal(contribution),
        is_administrator=admin,
    )


def test_an_sas_refuses_a_company_as_founder_and_names_it():
    form = LegalForm.objects.get(code="sas")
    people = [*founders("500"), company("500")]
    with translation.override("en"):
        problems = founder_problems(form, people, Decimal("1000"), today=TODAY)
    assert [p.code for p in problems] == ["company_founder_not_allowed"]
    assert problems[0].message == (
        "A S.A.S. can only be founded by people, not by companies: "
        "remove Constructora Jurica, S.A. de C.V. from the founders."
    )


@pytest.mark.parametrize("form_code", ["sa-de-cv", "s-de-rl-de-cv"])
def test_notarised_forms_may_be_founded_by_a_company(form_code):
    assert codes(form_code, [*founders("500"), company("500")], "1000") == []


def test_a_company_cannot_administer_and_is_named():
    form = LegalForm.objects.get(code="sa-de-cv")
    people = [*founders("500", admins=0), company("500", admin=True)]
    with translation.override("en"):
        problems = founder_problems(form, people, Decimal("1000"), today=TODAY)
    assert [p.code for p in problems] == ["company_administrator"]
    assert problems[0].message.startswith(
        "Constructora Jurica, S.A. de C.V. is a company and cannot be an administrator."
    )


def test_a_minor_cannot_sign_for_a_company_that_founds():
    form = LegalForm.objects.get(code="sa-de-cv")
    people = [*founders("500"), company("500", curp=MINOR_CURP)]
    with translation.override("en"):
        problems = founder_problems(form, people, Decimal("1000"), today=TODAY)
    assert [p.code for p in problems] == ["founder_minor"]
    assert "who signs on behalf of Constructora Jurica, S.A. de C.V., is under 18" in (
        problems[0].message
    )


def test_every_contribution_is_a_whole_number_of_shares():
    form = LegalForm.objects.get(code="sa-de-cv")
    people = founders("6000", "4500", admins=1)
    problems = founder_problems(
        form, people, Decimal("10500"), today=TODAY, share_value=Decimal("1000")
    )
    assert [p.code for p in problems] == ["contribution_not_whole_shares"]
    assert "MXN 4,500.00" in problems[0].message and "MXN 1,000.00" in problems[0].message
    fine = founder_problems(form, people, Decimal("10500"), today=TODAY, share_value=Decimal("500"))
    assert fine == []


def test_partnership_parts_have_no_share_value_to_respect():
    form = LegalForm.objects.get(code="s-de-rl-de-cv")
    people = founders("6000.50", "4499.50", admins=1)
    problems = founder_problems(
        form, people, Decimal("10500"), today=TODAY, share_value=Decimal("1000")
    )
    assert "contribution_not_whole_shares" not in [p.code for p in problems]
