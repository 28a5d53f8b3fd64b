"""How pages, documents and e-mails write dates, times and amounts of money."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from companies import workflow
from companies.documents import rendering
from companies.filing.money import pesos
from companies.models import Company, Document, Payment
from tests.conftest import fresh_login, verified_login
from tests.factories import complete_application, in_review
from tests.pdf import text_of

pytestmark = pytest.mark.django_db

# 14:05 in Querétaro.
MOMENT = datetime(2026, 12, 2, 20, 5, tzinfo=UTC)
CAPITALISED_MONTH = re.compile(
    r"\b(Enero|Febrero|Marzo|Abril|Mayo|Junio|Julio|Agosto|Septiembre|Octubre|Noviembre|Diciembre)\b"
)
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\b(?! CST)")  # a time of day without its zone


@pytest.fixture
def company(registered_company) -> Company:
    company = registered_company
    Company.objects.filter(pk=company.pk).update(registered_at=MOMENT)
    company.refresh_from_db()
    Document.objects.create(
        company=company,
        kind=Document.Kind.CERTIFICATE,
        version=1,
        title="Constancia",
        file="documents/x.pdf",
        size=1000,
        sha256="0" * 64,
        issued_at=MOMENT,
    )
    return company


def visible_text(html: str) -> str:
    """The page's text, without tags and attributes (whose machine-readable times are fine)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_register_page_writes_dates_in_lowercase_and_times_with_their_zone(client, company):
    html = client.get(reverse("companies:register_company", args=[company.registration_number]))
    text = visible_text(html.content.decode())
    assert "2 de diciembre de 2026" in text
    assert "02/12/2026 14:05 CST" in text  # the document's issue, in the documents table
    assert not CAPITALISED_MONTH.search(text)
    assert not TIME_OF_DAY.search(text)


def test_the_register_page_in_english(client, company, in_english):
    html = in_english.get(reverse("companies:register_company", args=[company.registration_number]))
    text = visible_text(html.content.decode())
    assert "2 December 2026" in text and "2 Dec 2026, 14:05 CST" in text
    assert not TIME_OF_DAY.search(text)


def test_the_documents_write_dates_in_lowercase_and_signatures_with_their_zone(company):
    certificate = text_of(rendering.render_certificate(company))
    assert "2 de diciembre de 2026" in certificate
    articles = text_of(rendering.render_articles(company))
    assert re.search(r"\d{1,2} de [a-z]+ de \d{4} a las \d{2}:\d{2} CST", articles)
    assert "America/Mexico_City" not in articles  # the zone is said once, as CST
    for text in (certificate, articles, text_of(rendering.render_register(company))):
        assert not CAPITALISED_MONTH.search(text)


# -- Amounts of money -------------------------------------------------------------------------

# "MXN" followed by anything but a grouped amount with two decimals ("MXN 10,000.00").
UNGROUPED = re.compile(r"MXN\s+(?!\d{1,3}(?:,\d{3})*\.\d{2}(?!\d))[\d.,]+")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("10000"), "10,000.00"),
        ("5000.00", "5,000.00"),  # a frozen version keeps amounts as text
        (1850, "1,850.00"),
        (Decimal("7076469.38"), "7,076,469.38"),
        (Decimal("1"), "1.00"),
        (None, ""),
    ],
)
def test_an_amount_is_grouped_by_thousands_with_two_decimals(value, expected):
    for language in ("es-mx", "en"):
        with translation.override(language):
            assert pesos(value) == expected


def test_the_money_filter_is_the_one_format():
    assert Template("{% load money %}MXN {{ x|money }}").render(Context({"x": "5000"})) == (
        "MXN 5,000.00"
    )


def amounts_on(html: str) -> list[str]:
    return re.findall(r"MXN\s+[\d.,]+", visible_text(html))


def assert_grouped(html: str, *expected: str) -> None:
    text = visible_text(html)
    assert UNGROUPED.findall(text) == []
    for amount in expected:
        assert amount in text, (amount, amounts_on(html))


def step(application, slug: str) -> str:
    return reverse("companies:step", args=[application.public_id, slug])


def test_the_wizard_groups_every_amount(client, applicant):
    application = complete_application(applicant, legal_form="sa-de-cv")
    client.force_login(applicant)
    forma = client.get(step(application, "forma")).content.decode()
    assert_grouped(forma, "MXN 1,850.00", "MXN 7,076,469.38")  # fee, the S.A.S.'s revenue cap
    socios = client.get(step(application, "socios")).content.decode()
    assert_grouped(socios, "MXN 6,000.00", "MXN 4,000.00")
    estatutos = client.get(step(application, "estatutos")).content.decode()
    assert_grouped(estatutos, "MXN 10,000.00", "MXN 1.00")  # capital, share value
    revision = client.get(step(application, "revision")).content.decode()
    assert_grouped(revision, "MXN 10,000.00", "MXN 6,000.00", "MXN 4,000.00", "MXN 1.00")


def test_the_founders_problems_group_their_amounts(client, applicant):
    application = complete_application(applicant)
    application.capital = Decimal("12500")
    application.share_value = Decimal("3000")
    application.save()
    client.force_login(applicant)
    socios = client.get(step(application, "socios")).content.decode()
    assert_grouped(socios, "MXN 10,000.00", "MXN 12,500.00", "MXN 3,000.00")


def test_signing_and_the_fee_group_their_amounts(client, applicant):
    application = complete_application(applicant, legal_form="sa-de-cv")
    workflow.send_for_signatures(application, actor=applicant)
    Payment.objects.create(application=application, reference="QRO-FEE-1", amount=1850)
    fresh_login(client, applicant, seconds_ago=0)
    sign = client.get(reverse("companies:sign", args=[application.public_id])).content.decode()
    assert_grouped(sign, "MXN 10,000.00", "MXN 6,000.00")
    room = client.get(reverse("companies:signatures", args=[application.public_id]))
    assert_grouped(room.content.decode(), "MXN 1,850.00")


def test_the_clerks_review_groups_its_amounts(client, applicant, clerk):
    application = in_review(applicant)
    page = verified_login(client, clerk).get(
        reverse("companies:review", args=[application.public_id])
    )
    assert_grouped(page.content.decode(), "MXN 10,000.00", "MXN 6,000.00", "MXN 4,000.00")


def test_the_documents_group_their_amounts(company):
    for render in (rendering.render_certificate, rendering.render_articles):
        text = text_of(render(company))
        assert UNGROUPED.findall(text) == []
        assert "MXN 10,000.00" in text
