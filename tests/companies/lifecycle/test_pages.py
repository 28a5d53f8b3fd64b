"""The filing pages: the people of the company see and file what the table allows; everybody
else gets 404 on every page and action; the public page shows the current data and history."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from companies.lifecycle import filings
from companies.models import CompanyFiling
from tests.conftest import fresh_login
from tests.factories import NEW_OFFICE, start_filing, submitted_filing

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(db):
    from tests.factories import EntrepreneurFactory

    return EntrepreneurFactory(curp="RIJP881016MQTXMT01", first_name="Patricia", last_name="Ríos")


def paths(number, filing_id):
    return [
        f"/empresas/{number}/tramites/",
        f"/empresas/{number}/tramites/nuevo/office_change/",
        f"/empresas/{number}/tramites/{filing_id}/",
    ]


def test_a_stranger_gets_404_on_every_page_and_action(
    client, registered_company, applicant, stranger
):
    filing = start_filing(registered_company, applicant)
    client.force_login(stranger)
    number = registered_company.registration_number
    for path in paths(number, filing.public_id):
        assert client.get(path).status_code == 404, path
    for action in ("sign", "submit", "withdraw"):
        path = f"/empresas/{number}/tramites/{filing.public_id}/{action}/"
        assert client.post(path).status_code == 404, path
    filing.refresh_from_db()
    assert filing.status == "awaiting_signatures"


def test_a_filing_of_another_company_is_404(client, registered_company, applicant):
    from tests import factories

    other = factories.registered_company(factories.complete_application(applicant), number=50)
    filing = start_filing(other, applicant)
    client.force_login(applicant)
    path = f"/empresas/{registered_company.registration_number}/tramites/{filing.public_id}/"
    assert client.get(path).status_code == 404
    missing = f"/empresas/{registered_company.registration_number}/tramites/{uuid.uuid4()}/"
    assert client.get(missing).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, registered_company):
    response = client.get(f"/empresas/{registered_company.registration_number}/tramites/")
    assert response.status_code == 302


def test_the_administrator_is_offered_exactly_what_the_table_allows(
    client, in_english, registered_company, applicant, other_applicant
):
    number = registered_company.registration_number
    client.force_login(applicant)
    page = client.get(f"/empresas/{number}/tramites/").content.decode()
    assert f'href="/empresas/{number}/tramites/nuevo/office_change/"' in page
    assert f'href="/empresas/{number}/tramites/nuevo/administrators/"' in page
    client.force_login(other_applicant)
    page = client.get(f"/empresas/{number}/tramites/").content.decode()
    assert "nuevo/office_change/" not in page
    assert "Only the company&#x27;s administrator may file this." in page
    assert f'href="/empresas/{number}/tramites/nuevo/administrators/"' in page


def test_a_pending_filing_is_shown_and_blocks_the_offers(
    client, in_english, registered_company, applicant
):
    start_filing(registered_company, applicant)
    client.force_login(applicant)
    page = client.get(f"/empresas/{registered_company.registration_number}/tramites/")
    text = page.content.decode()
    assert "nuevo/" not in text
    assert "is still pending" in text


def test_the_office_form_files_signs_and_submits(
    client, in_english, registered_company, applicant, django_capture_on_commit_callbacks
):
    number = registered_company.registration_number
    fresh_login(client, applicant)
    form = {**NEW_OFFICE, "effective_on": timezone.localdate().isoformat()}
    response = client.post(f"/empresas/{number}/tramites/nuevo/office_change/", form)
    filing = CompanyFiling.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/empresas/{number}/tramites/{filing.public_id}/"
    client.post(f"/empresas/{number}/tramites/{filing.public_id}/sign/")
    client.post(f"/empresas/{number}/tramites/{filing.public_id}/submit/")
    filing.refresh_from_db()
    assert filing.status == "submitted"


def test_another_state_in_the_form_says_what_to_do(
    client, in_english, registered_company, applicant
):
    number = registered_company.registration_number
    client.force_login(applicant)
    form = {**NEW_OFFICE, "state": "00", "effective_on": timezone.localdate().isoformat()}
    response = client.post(f"/empresas/{number}/tramites/nuevo/office_change/", form)
    assert response.status_code == 200
    assert "Public Registry of Commerce" in response.content.decode()
    assert not CompanyFiling.objects.exists()


def test_signing_without_a_fresh_sign_in_goes_to_the_e_identity(
    client, registered_company, applicant
):
    filing = start_filing(registered_company, applicant)
    client.force_login(applicant)
    number = registered_company.registration_number
    response = client.post(f"/empresas/{number}/tramites/{filing.public_id}/sign/")
    assert response.status_code == 302 and "fresh=1" in response["Location"]
    assert not filing.signatures.exists()


def test_the_public_page_shows_the_current_data_and_the_dated_changes(
    client, in_english, registered_company, applicant
):
    filings.process(submitted_filing(registered_company, applicant).pk)
    page = client.get(f"/empresas/{registered_company.registration_number}/").content.decode()
    assert "Calle Madero 45, Centro Histórico, C.P. 76020, San Juan del Río" in page
    assert "Av. Zaragoza 10, Centro, C.P. 76000, Querétaro" in page  # before
    assert "Change of registered office" in page
    assert "File a change for this company" not in page  # anonymous


def test_the_dashboard_links_each_company_to_its_filings(client, registered_company, applicant):
    client.force_login(applicant)
    page = client.get("/solicitudes/").content.decode()
    assert f"/empresas/{registered_company.registration_number}/tramites/" in page


def test_the_form_of_a_type_the_table_refuses_says_why_instead(
    client, in_english, registered_company, other_applicant
):
    number = registered_company.registration_number
    client.force_login(other_applicant)
    response = client.get(f"/empresas/{number}/tramites/nuevo/office_change/", follow=True)
    assert response.redirect_chain[-1][0] == f"/empresas/{number}/tramites/"
    assert "Only the company&#x27;s administrator may file this." in response.content.decode()


def test_the_page_lists_the_latest_filings_and_all_of_them_on_request(
    client, in_english, registered_company, applicant, monkeypatch
):
    from companies.lifecycle import history
    from tests.factories import NEW_OFFICE

    monkeypatch.setattr(history, "SHOWN", 1)
    back = {**NEW_OFFICE, "street": "Av. Zaragoza", "municipality": "014"}
    for payload in (NEW_OFFICE, back):
        filings.process(submitted_filing(registered_company, applicant, payload=payload).pk)
    url = f"/empresas/{registered_company.registration_number}/"
    page = client.get(url).content.decode()
    assert "Show every filing" in page
    assert page.count("Change of registered office") == 1
    everything = client.get(url, {"historial": "completo"}).content.decode()
    assert everything.count("Change of registered office") == 2
    assert "Show every filing" not in everything
