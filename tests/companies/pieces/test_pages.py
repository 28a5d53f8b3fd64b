"""The pieces as people see them: asked for in the wizard, previewed with fees and times before
submission, followed on the status page and the company's page (its founders only), and the
24-hour promise measured per piece on /estadisticas/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, Piece
from companies.pieces import filing
from tests.factories import (
    ApplicationFactory,
    EntrepreneurFactory,
    complete_application,
    registered_company,
)

pytestmark = pytest.mark.django_db


def step_url(application, slug: str) -> str:
    return reverse("companies:step", args=[application.public_id, slug])


def registered(applicant, **fields) -> Company:
    application = complete_application(applicant)
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    registered_company(application, rfc="TES261126AB1")
    company = Company.objects.get(application=application)
    filing.open_pieces(company)
    return company


def test_the_purpose_step_asks_whether_the_company_hires(in_english, applicant):
    in_english.force_login(applicant)
    application = ApplicationFactory(filer=applicant)
    page = in_english.get(step_url(application, "objeto")).content.decode()
    assert "Will the company hire employees?" in page
    data = {
        "purpose": "Elaboración y venta de tortillas de maíz al público.",
        "activity_codes": "311830",
        "hires_employees": "yes",
    }
    in_english.post(step_url(application, "objeto"), data)
    application.refresh_from_db()
    assert application.hires_employees is True
    in_english.post(step_url(application, "objeto"), {**data, "hires_employees": "no"})
    application.refresh_from_db()
    assert application.hires_employees is False
    page = in_english.get(step_url(application, "objeto")).content.decode()
    assert re.search(r'<input type="radio" name="hires_employees" value="no"[^>]* checked', page)


def test_the_review_step_lists_the_pieces_with_their_fees_and_times(in_english, applicant):
    in_english.force_login(applicant)
    application = complete_application(applicant)
    application.hires_employees = True
    application.save()
    page = in_english.get(step_url(application, "revision")).content.decode()
    assert "After registration" in page
    assert "Inscription in the federal commercial register" in page
    assert "Employer registration" in page
    assert "Operating licence, low-risk route (SARE)" in page
    assert "within 24 hours" in page and "free" in page


def test_in_a_municipality_that_has_not_joined_the_review_shows_its_fee_and_that_it_is_in_person(
    in_english, applicant
):
    in_english.force_login(applicant)
    application = complete_application(applicant)
    application.municipality = "006"
    application.save()
    page = in_english.get(step_url(application, "revision")).content.decode()
    assert "Municipality of Corregidora" in page and "MXN 1,250.00" in page
    assert "you file it in person" in page


def test_the_status_page_shows_each_piece_with_its_number_reason_or_instructions(
    in_english, applicant
):
    company = registered(applicant, hires_employees=True)
    pieces = {p.connector: p for p in company.pieces.all()}
    Piece.objects.filter(pk=pieces["siger"].pk).update(
        state="answered", number="N-2026000042", answered_at=timezone.now()
    )
    Piece.objects.filter(pk=pieces["imss"].pk).update(
        state="refused", reason="Acuda a su subdelegación del IMSS."
    )
    in_english.force_login(applicant)
    url = reverse("companies:status", args=[company.application.public_id])
    page = in_english.get(url).content.decode()
    assert 'id="piece-siger" data-state="answered"' in page and "N-2026000042" in page
    assert 'data-state="refused"' in page and "Acuda a su subdelegación del IMSS." in page
    assert 'id="piece-queretaro-sare" data-state="filed"' in page
    assert 'hx-trigger="every' in page, "a piece still waits: the page keeps asking"


def test_a_company_in_corregidora_shows_that_municipality_s_instructions(in_english, applicant):
    company = registered(applicant, municipality="006")
    in_english.force_login(applicant)
    url = reverse("companies:status", args=[company.application.public_id])
    page = in_english.get(url).content.decode()
    assert 'data-state="instructions"' in page and "Ex Hacienda El Cerrito 100" in page


def test_the_company_page_shows_the_pieces_to_its_founders_only(client, applicant):
    company = registered(applicant)
    Piece.objects.filter(company=company, connector="siger").update(
        state="refused", reason="Razón privada de la Secretaría."
    )
    url = reverse("companies:register_company", args=[company.registration_number])
    assert "Razón privada" not in client.get(url).content.decode()
    client.force_login(EntrepreneurFactory(curp="LOMP800101HQTPRD09"))  # a stranger
    assert "Razón privada" not in client.get(url).content.decode()
    client.force_login(applicant)
    assert "Razón privada" in client.get(url).content.decode()


def test_statistics_measure_the_promise_per_piece(in_english, applicant):
    company = registered(applicant)
    Piece.objects.filter(company=company, connector="siger").update(
        state="answered",
        number="N-2026000001",
        answered_at=company.registered_at + timedelta(hours=2),
    )
    response = in_english.get(reverse("companies:statistics") + "?dias=7")
    figures = {p.connector.code: p for p in response.context["figures"].pieces}
    assert (figures["siger"].count, figures["siger"].within_promise) == (1, 1)
    assert figures["siger"].median_hours == 2.0
    assert (figures["queretaro-sare"].count, figures["queretaro-sare"].within_promise) == (1, 0)
    assert "procedure by procedure" in response.content.decode()
