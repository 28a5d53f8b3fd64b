"""The agency API: the register served to other agencies over X-Road (mounted at /api/v1/)."""

from __future__ import annotations

import json

import httpx
import hypothesis
import pytest
import schemathesis
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from companies.api import spool
from companies.api.access import last_client
from companies.filing.names import normalise_name
from companies.models import AgencyAccess, AgencyRequest, Company, LegalForm
from companies.register.changes import record_change
from companies.register.name_words import index_company_name
from tests.factories import complete_application

# Until portal/urls.py mounts the API, these tests route through a URLconf that does.
pytestmark = pytest.mark.django_db

AGENCY = "MX-DEV/GOV/SAT/padron"
SERVICES = ("empresas", "documentos", "cambios")
CURPS = ("RAOA900514MQTMLN01", "MERC851102HQTNSR00", "HETL780223MQTRRZ05")


def register_company(filer, *, number: str, name: str, rfc: str = "", legal_form: str = "sas"):
    application = complete_application(filer, legal_form=legal_form)
    application.status = "registered"
    application.save()
    company = Company.objects.create(
        registration_number=number,
        name=name,
        normalised_name=normalise_name(name),
        legal_form=LegalForm.objects.get(code=legal_form),
        rfc=rfc,
        application=application,
        registered_at=timezone.now(),
    )
    index_company_name(company)
    record_change(company, "registered")
    return company


@pytest.fixture
def company(applicant):
    return register_company(
        applicant,
        number="QRO-2026-000001",
        name="Tortillería La Esperanza, S.A.S.",
        rfc="TES261126AB1",
    )


def get(client, path: str, *, as_client: str | None = AGENCY, **extra):
    headers = {} if as_client is None else {"HTTP_X_ROAD_CLIENT": as_client}
    return client.get(f"/api/v1/{path}", **headers, **extra)


# -- access -----------------------------------------------------------------------------------


def test_refuses_a_request_without_x_road_client(client, agency, company):
    response = get(client, "empresas/QRO-2026-000001", as_client=None)
    assert response.status_code == 400
    assert response.json()["code"] == "missing_client"


def test_refuses_a_client_that_is_not_on_the_allowlist(client, agency, company):
    response = get(client, "empresas/QRO-2026-000001", as_client="MX-DEV/GOV/IMSS/afiliacion")
    assert response.status_code == 403
    assert response.json()["code"] == "access_denied"


def test_access_is_per_service_and_can_be_switched_off(client, company):
    AgencyAccess.objects.create(client=AGENCY, service="cambios")
    AgencyAccess.objects.create(client=AGENCY, service="empresas", active=False)
    assert get(client, "cambios").status_code == 200
    assert get(client, "empresas/QRO-2026-000001").status_code == 403
    assert get(client, "documentos/QRO-2026-000001").status_code == 403


@pytest.mark.parametrize("header", ["MX-DEV/GOV/SAT", "no-slashes", "MX-DEV/GOV/SAT/padron/extra"])
def test_refuses_a_client_that_names_no_subsystem(client, agency, header):
    response = get(client, "cambios", as_client=header)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_client"


def test_serves_an_allowlisted_client(client, agency, company):
    response = get(client, "empresas/QRO-2026-000001")
    assert response.status_code == 200
    assert response.json()["numero"] == "QRO-2026-000001"


def test_when_several_x_road_client_headers_arrive_the_last_counts(client, agency, company):
    # Django joins repeated headers with a comma, as WSGI servers do.
    served = get(client, "empresas/QRO-2026-000001", as_client=f"MX-DEV/GOV/X/y,{AGENCY}")
    refused = get(client, "empresas/QRO-2026-000001", as_client=f"{AGENCY},MX-DEV/GOV/X/y")
    assert (served.status_code, refused.status_code) == (200, 403)


@pytest.mark.parametrize(
    ("raw", "last"),
    [
        ("A/B/C/D", "A/B/C/D"),
        ("A/B/C/D, E/F/G/H", "E/F/G/H"),
        ("A/B/C/D,E/F/G,H/I", "E/F/G,H/I"),  # a comma may be part of an identifier
        ("A/B/C/D,E/F/G", "A/B/C/D,E/F/G"),  # the last names no subsystem: refused later
    ],
)
def test_last_client_reads_the_last_of_joined_headers(raw, last):
    assert last_client(raw) == last


def test_every_request_is_logged_and_its_x_road_id_echoed(client, agency, company):
    served = get(
        client,
        "empresas/QRO-2026-000001",
        HTTP_X_ROAD_ID="MX-DEV-3f1c",
        HTTP_X_ROAD_USERID="MXRAOA900514MQTMLN01",
    )
    get(client, "cambios?after=0", as_client="MX-DEV/GOV/IMSS/afiliacion")
    get(client, "documentos/QRO-2026-000001", as_client=None)
    assert served["X-Road-Id"] == "MX-DEV-3f1c"
    assert not AgencyRequest.objects.exists()  # spooled, not yet in the table
    assert spool.ingest() == 3
    rows = list(
        AgencyRequest.objects.order_by("pk").values_list(
            "x_road_id", "client", "service", "user_id", "method", "path", "status"
        )
    )
    assert rows == [
        (
            "MX-DEV-3f1c",
            AGENCY,
            "empresas",
            "MXRAOA900514MQTMLN01",
            "GET",
            "/api/v1/empresas/QRO-2026-000001",
            200,
        ),
        ("", "MX-DEV/GOV/IMSS/afiliacion", "cambios", "", "GET", "/api/v1/cambios?after=0", 403),
        ("", "", "documentos", "", "GET", "/api/v1/documentos/QRO-2026-000001", 400),
    ]
    assert all(
        duration >= 0 for duration in AgencyRequest.objects.values_list("duration_ms", flat=True)
    )


# -- companies --------------------------------------------------------------------------------


def test_company_resource_shows_the_register_entry_without_personal_identifiers(
    client, agency, company
):
    response = get(client, "empresas/QRO-2026-000001")
    body = response.json()
    assert body["nombre"] == "Tortillería La Esperanza, S.A.S."
    assert body["forma_juridica"]["clave"] == "sas"
    assert body["rfc"] == "TES261126AB1" and body["estado"] == "activa"
    assert body["domicilio"]["municipio"] == {"clave": "014", "nombre": "Querétaro"}
    assert body["actividades"][0]["codigo"] == "311830" and body["actividades"][0]["descripcion"]
    assert body["administradores"] == [{"nombre": "Ana Sofía Ramírez Olvera"}]
    assert body["capital"] == "10000.00"
    assert not any(curp in response.content.decode() for curp in CURPS)


def test_an_unknown_number_is_not_found(client, agency, company):
    for path in ("empresas/QRO-2026-999999", "empresas/qro%00", "documentos/QRO-2026-999999"):
        response = get(client, path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_company_has_an_etag_and_answers_304_when_it_did_not_change(client, agency, company):
    first = get(client, "empresas/QRO-2026-000001")
    tag = first["ETag"]
    again = get(client, "empresas/QRO-2026-000001", HTTP_IF_NONE_MATCH=tag)
    weak = get(client, "empresas/QRO-2026-000001", HTTP_IF_NONE_MATCH=f'"x", W/{tag}')
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", tag)
    assert weak.status_code == 304
    company.rfc = "TES261126AB2"
    company.save()
    record_change(company, "updated")  # as every change to the register is recorded
    changed = get(client, "empresas/QRO-2026-000001", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_officers_are_names_and_roles_only(client, agency, other_applicant):
    register_company(
        other_applicant,
        number="QRO-2026-000002",
        name="Constructora Bernal, S.A. de C.V.",
        legal_form="sa-de-cv",
    )
    response = get(client, "empresas/QRO-2026-000002/funcionarios")
    assert response.json()["items"] == [
        {"nombre": "Ana Sofía Ramírez Olvera", "cargo": "administrador"},
        {"nombre": "Luz María Hernández Trejo", "cargo": "comisario"},
    ]
    assert response["ETag"]
    assert not any(curp in response.content.decode() for curp in CURPS)


@pytest.mark.parametrize("rfc", ["TES261126AB1", "tes261126ab1"])
def test_search_by_rfc_is_exact(client, agency, company, rfc):
    body = get(client, f"empresas?rfc={rfc}").json()
    assert body["count"] == 1 and body["items"][0]["numero"] == "QRO-2026-000001"
    assert get(client, "empresas?rfc=TES261126AB9").json()["count"] == 0


def test_search_refuses_an_rfc_that_is_not_one(client, agency, company):
    response = get(client, "empresas?rfc=TES2611")
    assert response.status_code == 400 and response.json()["code"] == "invalid_rfc"


@pytest.mark.parametrize("nombre", ["tortilleria esperanza", "TORTILLERÍA", "La Esperanza SAS"])
def test_search_by_name_ignores_accents_case_and_legal_form(client, agency, company, nombre):
    body = get(client, "empresas", data={"nombre": nombre}).json()
    assert [item["numero"] for item in body["items"]] == ["QRO-2026-000001"]


@pytest.mark.parametrize("query", ["", "?rfc=TES261126AB1&nombre=esperanza", "?nombre=%2B%2B"])
def test_search_needs_exactly_one_usable_criterion(client, agency, company, query):
    response = get(client, f"empresas{query}")
    assert response.status_code == 400 and response.json()["code"] == "invalid_query"


def test_search_is_paginated(client, agency, applicant):
    for n in range(1, 6):
        register_company(applicant, number=f"QRO-2026-00000{n}", name=f"Esperanza {n}, S.A.S.")
    body = get(client, "empresas?nombre=esperanza&limit=2&offset=2").json()
    assert (body["count"], body["limit"], body["offset"]) == (5, 2, 2)
    assert (body["count_exact"], body["has_more"]) == (True, True)
    assert [item["numero"] for item in body["items"]] == ["QRO-2026-000003", "QRO-2026-000004"]
    assert get(client, "empresas?nombre=esperanza&limit=101").json()["code"] == "invalid_query"


def test_search_counts_a_common_name_no_further_than_max_counted_and_says_so(
    client, agency, applicant, monkeypatch
):
    from companies.register import search as register_search

    monkeypatch.setattr(register_search, "MAX_COUNTED", 3)
    monkeypatch.setattr(register_search, "FEW_MATCHES", -1)  # a common name: not all counted
    for n in range(1, 6):
        register_company(applicant, number=f"QRO-2026-00000{n}", name=f"Esperanza {n}, S.A.S.")
    first = get(client, "empresas?nombre=esperanza&limit=2").json()
    assert (first["count"], first["count_exact"], first["has_more"]) == (3, False, True)
    assert len(first["items"]) == 2  # nearest first: all five alike, in the index's order
    deep = get(client, "empresas?nombre=esperanza&limit=2&offset=2").json()
    assert (deep["count"], deep["count_exact"], deep["has_more"]) == (4, False, True)
    last = get(client, "empresas?nombre=esperanza&limit=2&offset=4").json()
    assert (last["count"], last["count_exact"], last["has_more"]) == (5, True, False)
    whole = get(client, "empresas?nombre=esperanza&limit=10").json()
    assert (whole["count"], whole["count_exact"], whole["has_more"]) == (5, True, False)


def test_documents_are_listed_per_company(client, agency, company):
    response = get(client, "documentos/QRO-2026-000001")
    assert response.json() == {"numero": "QRO-2026-000001", "items": []}


# -- change feed ------------------------------------------------------------------------------


def test_change_feed_replays_exactly_the_events_after_a_cursor(client, agency, company):
    other = register_company(
        company.application.filer, number="QRO-2026-000002", name="Panadería Bernal, S.A.S."
    )
    record_change(company, "updated")
    other.status = Company.Status.DISSOLVED
    record_change(other, "dissolved")
    everything = get(client, "cambios").json()["items"]
    assert [(e["tipo"], e["empresa"]["numero"]) for e in everything] == [
        ("inscripcion", "QRO-2026-000001"),
        ("inscripcion", "QRO-2026-000002"),
        ("actualizacion", "QRO-2026-000001"),
        ("disolucion", "QRO-2026-000002"),
    ]
    assert everything[0]["empresa"]["estado"] == "activa"
    assert everything[3]["empresa"]["estado"] == "disuelta"
    cursor = everything[1]["cursor"]
    assert get(client, f"cambios?after={cursor}").json()["items"] == everything[2:]


def test_change_feed_is_resumable_page_by_page(client, agency, company):
    for _ in range(4):
        record_change(company, "updated")
    seen, after, pages = [], 0, 0
    while True:
        page = get(client, f"cambios?after={after}&limit=2").json()
        seen += [event["cursor"] for event in page["items"]]
        after, pages = page["next"], pages + 1
        if not page["has_more"]:
            break
    assert pages == 3 and seen == sorted(seen) and len(seen) == 5
    assert get(client, f"cambios?after={after}").json() == {
        "items": [],
        "next": after,
        "has_more": False,
    }


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", str(2**63)])
def test_change_feed_refuses_a_cursor_that_is_not_one(client, agency, after):
    response = get(client, f"cambios?after={after}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


# -- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_description_is_generated_from_the_code(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/empresas",
        "/api/v1/empresas/{numero}",
        "/api/v1/empresas/{numero}/funcionarios",
        "/api/v1/empresas/{numero}/tramites",
        "/api/v1/esquemas/tramites/{tipo}/v{version}",
        "/api/v1/documentos/{numero}",
        "/api/v1/documentos/{numero}/{tipo}/{version}",
        "/api/v1/cambios",
    }
    pdf = document["paths"]["/api/v1/documentos/{numero}/{tipo}/{version}"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    scheme = document["components"]["securitySchemes"]["XRoadClient"]
    assert (scheme["in"], scheme["name"]) == ("header", "X-Road-Client")


@pytest.fixture
def connection_kept_open():
    """Requests sent straight to the WSGI app would close the connection holding the test's
    transaction when they finish; Django's test client switches that off the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def agency_schema():
    """The description as the code generates it, its requests sent to the portal's WSGI app."""
    from django.core.wsgi import get_wsgi_application

    from companies.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    schema.app = get_wsgi_application()
    return schema


@agency_schema().parametrize()
@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
    database=None,
)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    case, agency, company, connection_kept_open
):
    case.call_and_validate(
        headers={"X-Road-Client": AGENCY},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )


def test_every_status_and_change_of_the_register_has_its_spanish_code_in_the_schema(client):
    from companies.api import present
    from companies.models import RegisterChange

    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    statuses = schemas["CompanyOut"]["properties"]["estado"]["enum"]
    kinds = schemas["ChangeOut"]["properties"]["tipo"]["enum"]
    assert {present.COMPANY_STATUSES[s] for s in Company.Status} == set(statuses)
    assert statuses == ["activa", "disuelta"]
    assert {present.CHANGE_KINDS[k] for k in RegisterChange.Kind} == set(kinds)
    assert kinds == ["inscripcion", "actualizacion", "disolucion"]


INVALID = "Los parámetros de la petición no son válidos: vea errors para cada uno."
NO_SUCH_ADDRESS = "La API no tiene esta dirección: sus operaciones están en openapi.json."
ERROR_PATHS = [
    # (request path, X-Road-Client, status, code, message, the field's message or None)
    ("empresas/QRO-2026-000001", None, 400, "missing_client",
     "Las peticiones deben llevar el encabezado X-Road-Client del subsistema que llama.", None),
    ("cambios", "MX-DEV/GOV/SAT", 400, "invalid_client",
     "X-Road-Client debe nombrar un subsistema: INSTANCIA/CLASE/MIEMBRO/SUBSISTEMA.", None),
    ("empresas/QRO-2026-000001", "MX-DEV/GOV/IMSS/afiliacion", 403, "access_denied",
     "El subsistema MX-DEV/GOV/IMSS/afiliacion no está autorizado para el servicio empresas.",
     None),
    ("empresas/QRO-2026-999999", AGENCY, 404, "not_found",
     "Ninguna empresa con número de inscripción QRO-2026-999999 está en el registro.", None),
    ("documentos/QRO-2026-000001/certificado/1", AGENCY, 404, "not_found",
     "QRO-2026-000001 no tiene ese documento, o no en esa versión.", None),
    ("nada/de/esto", AGENCY, 404, "not_found", NO_SUCH_ADDRESS, None),
    ("", AGENCY, 404, "not_found", NO_SUCH_ADDRESS, None),
    ("empresas?rfc=TES2611", AGENCY, 400, "invalid_rfc", "TES2611 no es un RFC válido.", None),
    ("empresas", AGENCY, 400, "invalid_query",
     "Busque por rfc o por nombre: indique exactamente uno de los dos.", None),
    ("empresas?nombre=%2B%2B", AGENCY, 400, "invalid_query",
     "El nombre a buscar necesita al menos una letra o un dígito.", None),
    ("empresas?nombre=x&limit=101", AGENCY, 400, "invalid_query", INVALID,
     "Debe ser 100 o menos."),
    ("empresas?nombre=" + "a" * 151, AGENCY, 400, "invalid_query", INVALID,
     "Puede tener como máximo 150 caracteres."),
    ("documentos/QRO-2026-000001/acta/1", AGENCY, 400, "invalid_query", INVALID,
     "Debe ser uno de estos: 'certificado', 'estatutos', 'libro_de_registro'."),
    ("documentos/QRO-2026-000001/certificado/0", AGENCY, 400, "invalid_query", INVALID,
     "Debe ser 1 o más."),
    ("cambios?after=abc", AGENCY, 400, "invalid_cursor", INVALID,
     "Escriba un número entero, solo con dígitos."),
    ("cambios?after=-1", AGENCY, 400, "invalid_cursor", INVALID, "Debe ser 0 o más."),
    (f"cambios?after={2**63}", AGENCY, 400, "invalid_cursor", INVALID,
     f"Debe ser {2**63 - 1} o menos."),
]  # fmt: skip


@pytest.mark.parametrize("language", ["es-mx", "en"])
@pytest.mark.parametrize(("path", "caller", "status", "code", "message", "field"), ERROR_PATHS)
def test_every_refusal_of_the_api_is_worded_in_spanish_whatever_the_callers_language(
    client, agency, company, language, path, caller, status, code, message, field
):
    response = get(client, path, as_client=caller, HTTP_ACCEPT_LANGUAGE=language)
    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (status, code, message)
    assert [e["message"] for e in body["errors"]] == ([field] if field else [])


@pytest.mark.parametrize("language", ["es-mx", "en"])
def test_a_method_the_api_does_not_take_gets_a_spanish_405_with_allow(client, agency, language):
    response = client.post(
        "/api/v1/cambios", HTTP_X_ROAD_CLIENT=agency, HTTP_ACCEPT_LANGUAGE=language
    )
    assert (response.status_code, response["Allow"]) == (405, "GET")
    assert response.json() == {
        "code": "method_not_allowed",
        "message": "Esta dirección solo atiende GET.",
        "errors": [],
    }


def test_an_unexpected_failure_is_a_spanish_500(client, agency, company, monkeypatch):
    from companies.api import selectors

    def broken(number):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "entry", broken)
    response = get(client, "empresas/QRO-2026-000001", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert response.json()["message"] == "El registro no pudo responder; intente más tarde."


def test_openapi_lists_the_stable_error_codes(client):
    document = json.loads(client.get("/api/v1/openapi.json").content)
    codes = document["components"]["schemas"]["ErrorCode"]["enum"]
    assert {"missing_client", "access_denied", "not_found", "invalid_cursor"} <= set(codes)


# -- through X-Road ---------------------------------------------------------------------------


def test_an_agency_reaches_the_api_through_the_x_road_emulator(live_server, legal_forms):
    from companies.api import api
    from sandbox.register_api import register_in_emulator
    from sandbox.world import build_topology
    from xroad_client.emulator import Emulator, serve_in_thread

    for service in SERVICES:
        AgencyAccess.objects.create(client=AGENCY, service=service)
    entry = Company.objects.create(
        registration_number="QRO-2026-000007",
        name="Café Bernal, S.A.S.",
        normalised_name=normalise_name("Café Bernal"),
        legal_form=LegalForm.objects.get(code="sas"),
        registered_at=timezone.now(),
    )
    record_change(entry, "registered")
    topology = build_topology()
    description = api.get_openapi_schema(path_prefix="")
    register_in_emulator(topology, f"{live_server.url}/api/v1", openapi=description)
    service = "MX-DEV/GOV/QRO-SEDESU/registro"
    headers = {"X-Road-Client": AGENCY, "X-Road-Id": "MX-DEV-demo-1"}
    with serve_in_thread(Emulator(topology)) as url:
        company = httpx.get(f"{url}/r1/{service}/empresas/QRO-2026-000007", headers=headers)
        changes = httpx.get(f"{url}/r1/{service}/cambios?after=0", headers=headers)
        described = httpx.get(
            f"{url}/r1/{service}/getOpenAPI", params={"serviceCode": "empresas"}, headers=headers
        )
        stranger = httpx.get(
            f"{url}/r1/{service}/empresas/QRO-2026-000007",
            headers={"X-Road-Client": "MX-DEV/GOV/QRO-SEDESU/empresa24"},
        )
    assert company.status_code == 200 and company.json()["nombre"] == "Café Bernal, S.A.S."
    assert company.headers["X-Road-Service"] == f"{service}/empresas"
    assert [e["empresa"]["numero"] for e in changes.json()["items"]] == ["QRO-2026-000007"]
    assert set(described.json()["paths"]) == {
        *("/", "/{numero}", "/{numero}/funcionarios", "/{numero}/tramites")
    }
    assert stranger.status_code == 500 and "AccessDenied" in stranger.headers["X-Road-Error"]
    spool.ingest()
    logged = AgencyRequest.objects.filter(x_road_id="MX-DEV-demo-1", client=AGENCY)
    assert sorted(logged.values_list("service", flat=True)) == ["cambios", "empresas"]


def test_admin_stores_the_client_as_x_road_encodes_it_and_refuses_a_member():
    from companies.admin import AgencyAccessForm

    member = AgencyAccessForm(data={"client": "MX-DEV/GOV/SAT", "service": "empresas"})
    subsystem = AgencyAccessForm(
        data={"client": " MX-DEV/GOV/SAT/padr%C3%B3n ", "service": "cambios"}
    )
    assert not member.is_valid() and "client" in member.errors
    assert subsystem.is_valid() and subsystem.cleaned_data["client"] == "MX-DEV/GOV/SAT/padr%C3%B3n"
