"""The public register: anyone can search it and read a company's page, without signing in."""

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, LegalForm
from companies.names import normalise_name
from tests.factories import complete_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(applicant):
    application = complete_application(applicant)
    application.status = "registered"
    application.save()
    return Company.objects.create(
        registration_number="QRO-2026-000042",
        name="Tortillería La Esperanza, S.A.S.",
        normalised_name=normalise_name("Tortillería La Esperanza"),
        legal_form=LegalForm.objects.get(code="sas"),
        rfc="TES261126AB1",
        application=application,
        registered_at=timezone.now(),
    )


@pytest.mark.parametrize(
    "query", ["tortilleria esperanza", "ESPERANZA", "qro-2026-000042", "tes261126ab1"]
)
def test_search_finds_by_name_ignoring_accents_or_exactly_by_number_or_rfc(
    client, registered, query
):
    page = client.get(reverse("companies:register_search"), {"q": query}).content.decode()
    assert "Tortillería La Esperanza, S.A.S." in page and "1 empresa encontrada" in page


def test_search_answers_htmx_with_the_results_only(client, registered):
    fragment = client.get(
        reverse("companies:register_search"), {"q": "esperanza"}, headers={"HX-Request": "true"}
    )
    assert fragment.content.decode().strip().startswith('<div id="results"')


def test_a_search_without_matches_says_so(client, registered):
    page = client.get(reverse("companies:register_search"), {"q": "ferretería"}).content.decode()
    assert "0 empresas encontradas" in page


def test_company_page_shows_the_public_entry_without_curps(client, registered):
    page = client.get(
        reverse("companies:register_company", args=["QRO-2026-000042"])
    ).content.decode()
    assert "TES261126AB1" in page and "Ana Sofía Ramírez Olvera" in page
    assert "RAOA900514MQTMLN01" not in page  # CURPs are personal data, not register data
    assert (
        client.get(reverse("companies:register_company", args=["QRO-2026-999999"])).status_code
        == 404
    )
