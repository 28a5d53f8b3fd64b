"""The public register: anyone can search it and read a company's page, without signing in."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from companies.filing.names import normalise_name
from companies.models import AgencyAccess, Company, LegalForm
from companies.register import search
from companies.register.search import search_register
from tests.conftest import skip_or_fail
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


# -- search on each database ------------------------------------------------------------------


def enter(number: str, name: str, rfc: str = "") -> Company:
    """A register entry without its application: all the search reads."""
    return Company.objects.create(
        registration_number=number,
        name=name,
        normalised_name=normalise_name(name),
        legal_form=LegalForm.objects.get(code="sas"),
        rfc=rfc,
        registered_at=timezone.now(),
    )


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("PostgreSQL is needed for trigram search")


@pytest.fixture
def bakeries(db):
    enter("QRO-2026-000101", "Panadería La Queretana, S.A.S.", rfc="PQU260101AB1")
    enter("QRO-2026-000102", "Panadería Bernal, S.A.S.")
    enter("QRO-2026-000103", "Refaccionaria Queretana del Bajío, S.A.S.")
    enter("QRO-2026-000104", "Tortillería La Esperanza, S.A.S.")
    enter("QRO-2026-000105", "La Queretana Panadería Fina, S.A.S.")


def found(query: str) -> list[str]:
    return [company.registration_number[-3:] for company in search_register(query)]


FORGIVEN = [
    ("panaderia queretana", ["101", "105"]),
    ("PANADERÍA LA QUERETANA, S.A.S.", ["101", "105"]),
    ("queretana panaderia", ["101", "105"]),
    ("panaderia queretna", ["101", "105"]),  # a typo
    ("panad quereta", ["101", "105"]),  # the start of each word
    ("panaderia", ["102", "101", "105"]),  # every word found: the shortest name first
    ("queretana", ["101", "105", "103"]),
    ("esperansa", ["104"]),
    ("tortilería", ["104"]),
]
UNRELATED = ["ferretería", "zacatecas", "panaderia zacatecas", "xyz"]


@pytest.mark.parametrize(("query", "numbers"), FORGIVEN)
def test_trigram_search_forgives_accents_case_order_typos_and_partial_words(
    postgresql, bakeries, query, numbers
):
    assert found(query) == numbers


@pytest.mark.parametrize("query", UNRELATED)
def test_trigram_search_finds_nothing_for_an_unrelated_query(postgresql, bakeries, query):
    assert found(query) == []


@pytest.mark.parametrize("query", ["QRO-2026-000103", "qro-2026-000103 ", "pqu260101ab1"])
def test_trigram_search_takes_a_number_or_rfc_exactly(postgresql, bakeries, query):
    expected = ["101"] if query.startswith("pqu") else ["103"]
    assert found(query) == expected
    assert found("QRO-2026-00010") == []  # a number is never matched approximately


def resembling(query: str) -> list[str]:
    """SQLite's path, run on every database."""
    companies = search.companies_resembling(normalise_name(query))
    return [n[-3:] for n in companies.values_list("registration_number", flat=True)]


@pytest.mark.parametrize(("query", "numbers"), FORGIVEN)
def test_search_without_postgresql_forgives_as_much_and_ranks_alike(bakeries, query, numbers):
    assert resembling(query) == numbers


@pytest.mark.parametrize("query", UNRELATED)
def test_search_without_postgresql_finds_nothing_for_an_unrelated_query(bakeries, query):
    assert resembling(query) == []


def test_search_without_postgresql_puts_the_exact_name_before_near_ones(db):
    enter("QRO-2026-000201", "Panaderías Unidas, S.A.S.")
    enter("QRO-2026-000202", "Panadería Unida, S.A.S.")
    enter("QRO-2026-000203", "Unida Panadera, S.A.S.")
    assert resembling("panaderia unida") == ["202", "201", "203"]


@pytest.fixture
def demo_companies(db):
    """Named like the three companies of ``companies.management.demo``."""
    enter("QRO-2026-000001", "Tortillería La Esperanza, S.A.S.")
    enter("QRO-2026-000002", "Talleres Bernal, S.A.S.")
    enter("QRO-2026-000003", "Viñedos de Tequisquiapan, S.A. de C.V.")


TYPOS = [
    ("Tortilleria Esperansa", "Tortillería La Esperanza, S.A.S."),
    ("Vinedos Tequisquiapn", "Viñedos de Tequisquiapan, S.A. de C.V."),
    ("Talleres Bernl", "Talleres Bernal, S.A.S."),
]


@pytest.mark.parametrize(("query", "name"), TYPOS)
def test_register_page_finds_a_demo_company_despite_a_typo(client, demo_companies, query, name):
    page = client.get(reverse("companies:register_search"), {"q": query}).content.decode()
    assert name in page and "1 empresa encontrada" in page


@pytest.mark.parametrize(("query", "name"), TYPOS)
def test_agency_api_finds_a_demo_company_despite_a_typo(client, demo_companies, query, name):
    AgencyAccess.objects.create(client="MX-DEV/GOV/SAT/padron", service="empresas")
    response = client.get(
        "/api/v1/empresas", {"nombre": query}, HTTP_X_ROAD_CLIENT="MX-DEV/GOV/SAT/padron"
    )
    assert [item["nombre"] for item in response.json()["items"]] == [name]


def test_register_page_and_api_find_nothing_for_an_unrelated_name(client, demo_companies):
    page = client.get(reverse("companies:register_search"), {"q": "Ferretería Zacatecas"})
    assert "0 empresas encontradas" in page.content.decode()
    AgencyAccess.objects.create(client="MX-DEV/GOV/SAT/padron", service="empresas")
    response = client.get(
        "/api/v1/empresas", {"nombre": "Ferreteria"}, HTTP_X_ROAD_CLIENT="MX-DEV/GOV/SAT/padron"
    )
    assert response.json()["count"] == 0


def test_search_survives_a_nul_byte(client, bakeries):
    response = client.get(reverse("companies:register_search"), {"q": "pan\x00aderia"})
    assert response.status_code == 200
    assert found("QRO-2026-000101\x00") == []


def test_search_results_come_twenty_a_page_each_exactly_once(client, db):
    for n in range(1, 46):
        enter(f"QRO-2026-{n:06d}", f"Panadería Número {n}, S.A.S.")
    enter("QRO-2026-000999", "Ferretería El Martillo, S.A.S.")
    pages = [
        client.get(reverse("companies:register_search"), {"q": "panaderia", "page": n}).context[
            "page"
        ]
        for n in (1, 2, 3)
    ]
    assert [len(page) for page in pages] == [20, 20, 5]
    assert pages[0].paginator.num_pages == 3 and pages[0].paginator.count == 45
    numbers = [company.registration_number for page in pages for company in page]
    assert len(set(numbers)) == 45 and "QRO-2026-000999" not in numbers


def test_company_page_history_shows_entry_rfc_and_documents(client, registered):
    from companies.documents import issuance
    from companies.register.changes import record_change

    record_change(registered, "registered")
    record_change(registered, "updated")
    issuance.issue_documents(company_id=registered.pk)
    page = client.get("/empresas/QRO-2026-000042/").content.decode()
    history = page[page.index('<ol class="timeline">') :]
    assert history.index("Inscrita en el registro") < history.index(
        "RFC TES261126AB1 asignado por el registro fiscal"
    )
    assert "Certificado de constitución emitido (versión 1)" in history
