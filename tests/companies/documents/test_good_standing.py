"""The certificate of good standing (constancia de vigencia): anyone downloads one, sealed, at
any time; each is stored with its hash, one a day per company for the same facts, and its own
verification code says what it stated and whether the company's standing has changed since."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from companies.documents import good_standing, seal
from companies.models import Company, GoodStandingCertificate, Standing
from companies.standing import standing
from companies.views import documents as document_views
from tests.pdf import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    from django.core.cache import cache

    cache.clear()


def ask(client, company: Company):
    return client.post(f"/empresas/{company.registration_number}/constancia/")


def downloaded(client, company: Company) -> tuple[GoodStandingCertificate, bytes]:
    response = ask(client, company)
    assert response.status_code == 302
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    return GoodStandingCertificate.objects.get(sha256=hashlib.sha256(body).hexdigest()), body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("active", Standing.GOOD),
        ("in_dissolution", Standing.IN_DISSOLUTION),
        ("dissolved", Standing.DISSOLVED),
        ("suspended", Standing.NOT_GOOD),  # a status it does not know is never good standing
    ],
)
def test_standing_follows_the_status_in_the_register(status, expected):
    assert standing(Company(status=status)) == expected


def test_the_public_company_page_offers_the_certificate_as_a_form_that_needs_no_javascript(
    client, company
):
    page = client.get(f"/empresas/{company.registration_number}/").content.decode()
    assert f'action="/empresas/{company.registration_number}/constancia/"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_anyone_downloads_a_sealed_certificate_stating_the_company_as_it_stands(client, company):
    certificate, pdf = downloaded(client, company)
    assert seal.validate_seal(pdf).valid
    assert certificate.size == len(pdf)
    assert certificate.facts == {
        "name": company.name,
        "registration_number": company.registration_number,
        "legal_form": "Sociedad por Acciones Simplificada (S.A.S.)",
        "rfc": "TES261126AB1",
        "status": "active",
        "standing": "good",
    }
    text = text_of(pdf)
    assert "Constancia de vigencia" in text
    for stated in (company.name, company.registration_number, "TES261126AB1", "Vigente"):
        assert stated in text
    assert certificate.code in text
    assert "se encuentra vigente" in text


def test_asking_again_the_same_day_hands_out_the_same_stored_certificate(client, company):
    first, first_pdf = downloaded(client, company)
    second, second_pdf = downloaded(client, company)
    assert first == second and first_pdf == second_pdf
    assert GoodStandingCertificate.objects.count() == 1


def test_a_change_of_standing_issues_a_new_certificate_at_once(client, company):
    first, _pdf = downloaded(client, company)
    company.status = Company.Status.DISSOLVED
    company.save()
    second, pdf = downloaded(client, company)
    assert second != first and second.code != first.code
    assert second.standing == Standing.DISSOLVED
    assert "no se encuentra vigente" in text_of(pdf)
    assert "Disuelta" in text_of(pdf)


def test_a_company_not_in_good_standing_is_certified_as_such(company):
    company.status = "in_dissolution"  # the life of a company after registration sets it
    certificate = good_standing.issue(company)
    assert certificate.standing == Standing.IN_DISSOLUTION
    text = text_of(good_standing.read(certificate))
    assert "no se encuentra vigente" in text and "En disolución" in text


def test_the_code_shows_what_it_stated_and_that_the_standing_has_not_changed(client, company):
    certificate, _pdf = downloaded(client, company)
    page = client.get(f"/verificar/{certificate.code}").content.decode()
    assert "constancia de vigencia" in page.lower()
    assert 'id="standing-unchanged"' in page
    assert certificate.sha256 in page
    assert f"/empresas/{company.registration_number}/constancias/{certificate.code}.pdf" in page


def test_the_code_says_when_the_standing_changed_since(client, company):
    certificate, _pdf = downloaded(client, company)
    company.status = Company.Status.DISSOLVED
    company.save()
    page = client.get(f"/verificar/{certificate.code.lower().replace('-', ' ')}", follow=True)
    text = page.content.decode()
    assert page.redirect_chain[-1][0] == f"/verificar/{certificate.code}"
    assert 'id="standing-changed"' in text
    assert "Vigente" in text and "Disuelta" in text


def test_an_uploaded_certificate_of_good_standing_is_authentic(client, company):
    certificate, pdf = downloaded(client, company)
    check = good_standing_check(pdf)
    assert check.authentic and check.good_standing == certificate
    page = client.post(
        "/verificar/", {"file": SimpleUploadedFile("c.pdf", pdf, "application/pdf")}
    ).content.decode()
    assert "auténtico" in page
    assert f"/verificar/{certificate.code}" in page


def good_standing_check(pdf: bytes):
    from companies.documents import verification

    return verification.check_file(pdf)


def test_an_altered_certificate_of_good_standing_is_not_authentic(client, company):
    from tests.pdf import flip

    _certificate, pdf = downloaded(client, company)
    assert not good_standing_check(flip(pdf, len(pdf) // 2)).authentic


def test_the_founders_status_page_offers_the_certificate(client, company, applicant):
    client.force_login(applicant)
    page = client.get(f"/solicitudes/{company.application.public_id}/estado/").content.decode()
    assert f"/empresas/{company.registration_number}/constancia/" in page


def test_asking_needs_a_post_and_a_company_of_the_register(client, company):
    assert client.get(f"/empresas/{company.registration_number}/constancia/").status_code == 405
    assert client.post("/empresas/QRO-2026-999999/constancia/").status_code == 404
    assert (
        client.get(f"/empresas/{company.registration_number}/constancias/X.pdf").status_code == 404
    )


def test_one_address_may_have_only_so_many_new_certificates_drawn_in_a_while(
    client, company, monkeypatch
):
    monkeypatch.setattr(document_views, "GOOD_STANDING_ISSUES_ALLOWED", 1)
    downloaded(client, company)
    company.status = Company.Status.DISSOLVED
    company.save()
    refused = ask(client, company)
    assert refused.status_code == 429
    assert "Espera unos minutos" in refused.content.decode()
    company.status = Company.Status.ACTIVE
    company.save()
    assert ask(client, company).status_code == 302, "the one issued today is handed out again"


def test_without_the_seal_nothing_is_issued_and_the_visitor_is_told_to_try_later(
    client, company, monkeypatch
):
    def unavailable(pdf, **kwargs):
        raise seal.TimestampUnavailable("the TSA does not answer")

    monkeypatch.setattr(seal, "seal_pdf", unavailable)
    response = ask(client, company)
    assert response.status_code == 503
    assert "no puede sellarse" in response.content.decode()
    assert not GoodStandingCertificate.objects.exists()


def test_issued_certificates_of_good_standing_are_never_changed_or_deleted(company):
    good_standing.issue(company)
    with pytest.raises(PermissionError):
        GoodStandingCertificate.objects.update(standing=Standing.DISSOLVED)
    with pytest.raises(PermissionError):
        GoodStandingCertificate.objects.all().delete()


def test_two_requests_at_once_keep_one_certificate(company, monkeypatch):
    """The second drawing, finished after the first was recorded, is dropped."""
    drawn = good_standing.render
    recorded = []

    def render_and_race(facts, **kwargs):
        pdf = drawn(facts, **kwargs)
        if not recorded:
            recorded.append(None)
            recorded[0] = good_standing.issue(company)  # the other request, done meanwhile
        return pdf

    monkeypatch.setattr(good_standing, "render", render_and_race)
    assert good_standing.issue(company) == recorded[0]
    assert GoodStandingCertificate.objects.count() == 1


def test_the_readme_limit_twenty_new_certificates_per_address_in_ten_minutes():
    assert document_views.GOOD_STANDING_ISSUES_ALLOWED == 20
    assert document_views.GOOD_STANDING_WINDOW_SECONDS == 600


def test_the_company_code_page_shows_the_standing_now(client, company):
    from companies.documents import codes

    codes.store_missing(company)
    page = client.get(f"/verificar/{company.verification_code}").content.decode()
    assert '<dd id="standing-now">Vigente</dd>' in page
    company.status = Company.Status.DISSOLVED
    company.save()
    page = client.get(f"/verificar/{company.verification_code}").content.decode()
    assert '<dd id="standing-now">Disuelta</dd>' in page
