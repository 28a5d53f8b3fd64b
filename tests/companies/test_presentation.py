"""How pages, documents and e-mails write dates, times and amounts of money."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from companies import documents
from companies.models import Company, Document
from tests.companies.test_documents import register, text_of
from tests.factories import complete_application

pytestmark = pytest.mark.django_db

# 14:05 in Querétaro.
MOMENT = datetime(2026, 12, 2, 20, 5, tzinfo=UTC)
CAPITALISED_MONTH = re.compile(
    r"\b(Enero|Febrero|Marzo|Abril|Mayo|Junio|Julio|Agosto|Septiembre|Octubre|Noviembre|Diciembre)\b"
)
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\b(?! CST)")  # a time of day without its zone


@pytest.fixture
def company(applicant) -> Company:
    company = register(complete_application(applicant), rfc="TES261126AB1")
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
    certificate = text_of(documents.render_certificate(company))
    assert "2 de diciembre de 2026" in certificate
    articles = text_of(documents.render_articles(company))
    assert re.search(r"\d{1,2} de [a-z]+ de \d{4} a las \d{2}:\d{2} CST", articles)
    assert "America/Mexico_City" not in articles  # the zone is said once, as CST
    for text in (certificate, articles, text_of(documents.render_register(company))):
        assert not CAPITALISED_MONTH.search(text)
