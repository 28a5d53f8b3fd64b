"""The wizard's messages are the portal's own, name the field, and are shown once, beside it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django import forms as django_forms
from django.core import validators
from django.urls import reverse
from django.utils import translation

from companies.documents import forms as document_forms
from companies.filing import forms as filing_forms
from companies.filing import founder_forms
from companies.models import Application, LegalForm
from companies.review import forms as review_forms
from tests.factories import complete_application

pytestmark = pytest.mark.django_db

DJANGOS_OWN = re.compile(r"Asegúrese|Introduzca|Ensure this|Enter a (whole )?number")


def step(application: Application, slug: str) -> str:
    return reverse("companies:step", args=[application.public_id, slug])


def post(client, application, slug, data) -> str:
    response = client.post(step(application, slug), data)
    assert response.status_code == 200
    return response.content.decode()


def summary_of(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match, "the page has no error summary"
    return match.group(0)


@pytest.fixture
def sa(client, applicant) -> Application:
    client.force_login(applicant)
    return complete_application(applicant, legal_form="sa-de-cv")


ARTICLES = {"duration": "fixed", "foreigners": "admission", "share_transfer": "free"}


@pytest.mark.parametrize("years", ["0", "100", "1.5"])
def test_years_out_of_range_are_told_once_in_our_words(client, sa, years):
    page = post(
        client, sa, "estatutos", {**ARTICLES, "fiscal_year": "calendar", "duration_years": years}
    )
    message = "Escribe por cuántos años existirá la empresa (de 1 a 99)."
    assert page.count(message) == 1
    assert not DJANGOS_OWN.search(page)
    assert 'href="#id_duration_years">Años</a>' in summary_of(page)  # the summary names the field


@pytest.mark.parametrize(
    ("data", "message", "label"),
    [
        (
            {"notary_number": "0", "deed_number": "18250"},
            "El número de la notaría es un número entero del 1 al 999, como en la escritura.",
            "Número de notaría",
        ),
        (
            {"notary_number": "1000", "deed_number": "18250"},
            "El número de la notaría es un número entero del 1 al 999, como en la escritura.",
            "Número de notaría",
        ),
        (
            {"notary_number": "5", "deed_number": "0"},
            "El número de escritura es un número entero, 1 o más: cópialo de la escritura.",
            "Número de escritura",
        ),
    ],
)
def test_notary_and_deed_numbers_out_of_range_are_told_once(client, sa, data, message, label):
    page = post(client, sa, "notaria", {**data, "deed_date": "2026-11-20"})
    assert page.count(message) == 1
    assert not DJANGOS_OWN.search(page)
    assert f">{label}</a>" in summary_of(page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"capital-capital": "-5"},
            "El capital social no puede ser negativo: escríbelo en pesos, p. ej. 10000.",
        ),
        (
            {"capital-capital": "10000.505"},
            "Escribe el capital social con dos decimales como máximo (centavos), p. ej. 10000.50.",
        ),
        (
            {"capital-capital": "10000", "capital-share_value": "0.001"},
            "Escribe el valor de cada acción con dos decimales como máximo (centavos), p. ej. 1000.00.",
        ),
    ],
)
def test_the_capital_form_tells_its_limits_once_in_our_words(client, sa, data, message):
    page = post(client, sa, "socios", {"action": "capital", **data})
    assert page.count(message) == 1
    assert not DJANGOS_OWN.search(page)
    assert "Capital social (MXN)</a>" in summary_of(page) or "Valor de cada acción (MXN)</a>" in (
        summary_of(page)
    )


def test_a_founders_contribution_with_centavos_of_centavos_is_told_once(client, sa):
    page = post(
        client,
        sa,
        "socios",
        {
            "action": "add",
            "founder-kind": "natural",
            "founder-curp": "HETL780223MQTRRZ05",
            "founder-nationality": "MEX",
            "founder-email": "luz@example.mx",
            "founder-contribution": "100.001",
        },
    )
    message = "Escribe la aportación con dos decimales como máximo (centavos), p. ej. 5000.50."
    assert page.count(message) == 1
    assert not DJANGOS_OWN.search(page)


def every_form() -> list[django_forms.BaseForm]:
    application = Application(legal_form=LegalForm(capital_unit=LegalForm.CapitalUnit.SHARES))
    sa = LegalForm(capital_unit=LegalForm.CapitalUnit.SHARES, requires_comisario=True)
    return [
        filing_forms.LegalFormForm(),
        filing_forms.NameForm(),
        filing_forms.OfficeForm(),
        filing_forms.PurposeForm(),
        founder_forms.FounderForm(application=application),
        filing_forms.CapitalForm(legal_form=sa),
        filing_forms.ArticlesForm(),
        filing_forms.NotaryForm(today=date(2026, 12, 2), name_reserved_on=None),
        review_forms.RequestChangesForm(),
        document_forms.VerifyFileForm(),
        document_forms.VerificationCodeForm(),
    ]


LIMIT_CODES = {
    validators.MinValueValidator: ["min_value"],
    validators.MaxValueValidator: ["max_value"],
    validators.DecimalValidator: ["max_digits", "max_decimal_places", "max_whole_digits"],
}


def test_no_limit_or_number_falls_back_on_djangos_message():
    """Every min/max/digits validator of a number has a message of ours, and so has every number
    that is not one (text lengths have their own messages, with the count of what was typed)."""
    with translation.override("en"):
        missing = []
        for form in every_form():
            for name, field in form.fields.items():
                for validator in field.validators:
                    for code in LIMIT_CODES.get(type(validator), []):
                        if code not in field.error_messages:
                            missing.append(f"{type(form).__name__}.{name}: {code}")
                if isinstance(field, django_forms.IntegerField | django_forms.DecimalField):
                    default = type(field).default_error_messages["invalid"]
                    if field.error_messages["invalid"] == default:
                        missing.append(f"{type(form).__name__}.{name}: invalid")
    assert missing == []


def test_a_valid_capital_is_still_saved(client, sa):
    response = client.post(
        step(sa, "socios"),
        {"action": "capital", "capital-capital": "12000", "capital-share_value": "1000"},
    )
    assert response.status_code == 302
    sa.refresh_from_db()
    assert (sa.capital, sa.share_value) == (Decimal("12000"), Decimal("1000"))
