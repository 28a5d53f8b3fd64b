"""The pieces after registration in Chromium: an S.A.S. with a low-risk activity in Querétaro
capital shows its registration, its folio mercantil and its SARE licence, each with its number;
one in Corregidora, which has not joined, shows that municipality's instructions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from companies.models import Company
from tests.browser.conftest import sign_in_with_eidentity
from tests.factories import EntrepreneurFactory, complete_application, registered_company

pytestmark = pytest.mark.django_db(transaction=True)
ANA = "RAOA900514MQTMLN01"


def registered_with_pieces(*, municipality: str) -> Company:
    application = complete_application(EntrepreneurFactory())
    application.municipality = municipality
    application.save()
    registered_company(application, rfc="TES261126AB1")
    company = Company.objects.get(application=application)
    # As the worker does after registration; in a thread of its own, away from Playwright's loop.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(_file_pieces, company.application_id).result()
    return company


def _file_pieces(application_id: int) -> None:
    from django.db import connections

    from companies.pieces import filing

    try:
        company = Company.objects.get(application_id=application_id)
        for piece in filing.open_pieces(company):
            filing.file(application_id, piece.connector)
    finally:
        connections.close_all()


def test_a_low_risk_sas_in_querétaro_shows_its_folio_and_its_sare_licence(portal, new_page):
    company = registered_with_pieces(municipality="014")
    folio, licence = (
        company.pieces.get(connector=code).number for code in ("siger", "queretaro-sare")
    )
    ana = new_page()
    sign_in_with_eidentity(ana, ANA)
    ana.goto(f"/solicitudes/{company.application.public_id}/estado/")
    expect(ana.get_by_text(company.registration_number)).to_be_visible()
    expect(ana.locator("#piece-siger")).to_contain_text(folio)
    expect(ana.locator("#piece-siger")).to_contain_text("folio mercantil electrónico")
    expect(ana.locator("#piece-queretaro-sare")).to_contain_text(licence)
    assert folio.startswith("N-") and licence.startswith("SARE-QRO-")
    assert ana.console_errors == []


def test_a_company_in_corregidora_shows_that_municipality_s_instructions(portal, new_page):
    company = registered_with_pieces(municipality="006")
    ana = new_page()
    sign_in_with_eidentity(ana, ANA)
    ana.goto(f"/solicitudes/{company.application.public_id}/estado/")
    corregidora = ana.locator("#piece-corregidora-licence")
    expect(corregidora).to_contain_text("Corregidora aún no recibe este trámite en línea")
    expect(corregidora).to_contain_text("Ex Hacienda El Cerrito 100")
    expect(ana.locator("#piece-siger")).to_contain_text("N-")
    assert ana.console_errors == []
