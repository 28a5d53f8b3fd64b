"""The public register: anyone can search it and read a company's page, without signing in."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from companies.filing.names import normalise_name
from companies.models import AgencyAccess, Company, LegalForm
from companies.register import search
from companies.register.name_words import index_company_name
from companies.register.search import search_register
from tests.conftest import skip_or_fail
from tests.factories import complete_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(applicant):
    application = complete_application(applicant)
    application.status = "registered"
    application.save()
    company = Company.objects.create(
        registration_number="QRO-2026-000042",
        name="Tortillería La Esperanza, S.A.S.",
        normalised_name=normalise_name("Tortillería La Esperanza"),
        legal_form=LegalForm.objects.get(code="sas"),
        rfc="TES261126AB1",
        application=application,
        registered_at=timezone.now(),
    )
    index_company_name(company)
    return company


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
    company = Company.objects.create(
        registration_number=number,
        name=name,
        normalised_name=normalise_name(name),
        legal_form=LegalForm.objects.get(code="sas"),
        rfc=rfc,
        registered_at=timezone.now(),
    )
    index_company_name(company)
    return company


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


# -- a common name: read a page at a time, counted no further than MAX_COUNTED ----------------


@pytest.fixture
def common(monkeypatch):
    """Every name taken for a common one (more matches than FEW_MATCHES): counted no further
    than MAX_COUNTED."""
    monkeypatch.setattr(search, "FEW_MATCHES", -1)


@pytest.fixture
def near_bakeries(db):
    enter("QRO-2026-000301", "Panadera Fina, S.A.S.")  # 0.7 of the word
    enter("QRO-2026-000302", "Panaderías Unidas, S.A.S.")  # 0.9
    enter("QRO-2026-000303", "Panadería Bernal, S.A.S.")  # the word itself
    enter("QRO-2026-000304", "Panificadora del Centro, S.A.S.")  # 0.3: not found
    enter("QRO-2026-000305", "Ferretería Bernal, S.A.S.")


@pytest.mark.parametrize("query", ["panaderia", "PANADERÍA", "Panadería, S.A.S."])
def test_a_common_name_comes_nearest_first_ignoring_accents_case_and_legal_form(
    postgresql, common, near_bakeries, query
):
    assert found(query) == ["303", "302", "301"]


def test_a_common_name_needs_every_word_and_forgives_a_typo(postgresql, common, near_bakeries):
    assert found("panaderia bernl") == ["303"]
    assert found("panaderia zacatecas") == []


def plan(query: str, *, ruled_out: tuple[str, ...] = ("seqscan",)) -> str:
    """PostgreSQL's plans of a name search's reads of the names' words, sequential scans (or
    other ways) ruled out so that the plans do not depend on how few rows a test enters."""
    with connection.cursor() as cursor:
        for way in ruled_out:  # until the test's transaction ends
            cursor.execute(f"SET LOCAL enable_{way} = off")
    return search.explain_name_search(normalise_name(query))


def test_a_name_search_looks_its_words_up_with_the_words_trigram_index(postgresql, bakeries):
    assert "companies_nameword_trgm" in plan("panaderia queretana")


def test_a_common_name_reads_its_words_companies_in_the_index_order(
    postgresql, common, near_bakeries
):
    steps = plan("panaderia")
    assert "using companies_namewordcompany_ranked" in steps
    assert "Seq Scan on companies_company" not in steps


def test_a_word_no_name_has_reads_no_company(postgresql, bakeries):
    steps = plan("farmasia")
    assert "companies_namewordcompany" not in steps and search_register("farmasia").count() == 0


def test_postgresql_reads_a_word_in_thousands_of_names_a_page_at_a_time(postgresql, db):
    form = LegalForm.objects.get(code="sas")
    now = timezone.now()
    for company in Company.objects.bulk_create(
        Company(
            registration_number=f"QRO-2025-{n:06d}",
            name=f"Tortillería {n}, S.A.S.",
            normalised_name=normalise_name(f"Tortilleria {n}"),
            legal_form=form,
            registered_at=now,
        )
        for n in range(1, search.FEW_MATCHES + 501)
    ):
        index_company_name(company)
    enter("QRO-2026-000001", "Tortillería, S.A.S.")
    assert search.count_up_to(search_register("tortilleria")) == search.Counted(
        count=search.MAX_COUNTED, exact=False
    )
    first = [c.name for c in search_register("tortilleria")[:20]]
    assert first[0] == "Tortillería, S.A.S."  # the word alone: the nearest name
    assert len(first) == 20 and all(name.startswith("Tortillería") for name in first)


def test_a_renamed_company_is_found_by_its_new_name_only(postgresql, bakeries):
    company = Company.objects.get(registration_number="QRO-2026-000102")
    company.normalised_name = normalise_name("Ferretería Bernal")
    company.save(update_fields=["normalised_name"])
    index_company_name(company)
    assert found("ferreteria bernal") == ["102"]
    assert found("panaderia bernal") == [] and found("panaderia") == ["101", "105"]


def test_a_common_name_is_counted_no_further_than_max_counted(client, common, monkeypatch):
    monkeypatch.setattr(search, "MAX_COUNTED", 25)
    for n in range(1, 31):
        enter(f"QRO-2026-{n:06d}", f"Panadería Número {n}, S.A.S.")
    assert search.count_up_to(search_register("panaderia")) == search.Counted(25, exact=False)
    response = client.get(reverse("companies:register_search"), {"q": "panaderia"})
    assert "Más de 25 empresas encontradas" in response.content.decode()
    assert response.context["page"].paginator.num_pages == 2  # the pages stop at the count
    last = client.get(reverse("companies:register_search"), {"q": "panaderia", "page": 2})
    assert len(last.context["page"]) == 5


def register_reads(client, query: str) -> tuple[str, int]:
    """The search page and how many queries read the register's companies (the look-up of the
    names' words apart: it reads companies_nameword only)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("companies:register_search"), {"q": query}).content.decode()
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if "companies_company" in q["sql"] and not q["sql"].startswith("EXPLAIN")
    ]
    return page, len(reads)


@pytest.mark.parametrize("matches", [3, 25])
def test_a_rare_name_is_shown_and_counted_in_one_query(postgresql, client, db, matches):
    for n in range(1, matches + 1):
        enter(f"QRO-2026-{n:06d}", f"Panadería Número {n}, S.A.S.")
    page, reads = register_reads(client, "panaderia")
    assert f"{matches} empresas encontradas" in page and reads == 1


# -- the names' words, kept for the search ------------------------------------------------------


def test_registration_enters_the_names_words_so_the_company_is_found_at_once(postgresql, applicant):
    from tests.factories import registered_company

    company = registered_company(complete_application(applicant))
    assert [found.pk for found in search_register(company.name)] == [company.pk]


def test_each_word_counts_the_companies_whose_names_have_it_through_a_change_of_name(db):
    from companies.models import NameWord

    enter("QRO-2026-000401", "Panadería Bernal, S.A.S.")
    renamed = enter("QRO-2026-000402", "Panadería Jalpan, S.A.S.")
    renamed.normalised_name = normalise_name("Ferretería Jalpan")
    index_company_name(renamed)
    index_company_name(renamed)  # again: nothing counted twice
    counts = dict(NameWord.objects.values_list("word", "companies"))
    assert counts == {"PANADERIA": 1, "BERNAL": 1, "JALPAN": 1, "FERRETERIA": 1}
