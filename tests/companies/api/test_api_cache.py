"""The agency API's per-process copies never serve what the register no longer says: a company's
bodies are keyed by its last change (every write path that changes what the API serves), and a
client switched off is refused within seconds in every process."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.contrib import admin
from django.db import connection, connections

from companies.api import access, spool
from companies.models import AgencyAccess, AgencyRequest, AgencyService
from companies.register import registration
from tests.conftest import skip_or_fail
from tests.factories import complete_application, registered_company

pytestmark = pytest.mark.django_db


def get(client, agency: str, path: str, **extra):
    return client.get(f"/api/v1/{path}", HTTP_X_ROAD_CLIENT=agency, **extra)


@pytest.fixture
def entered(applicant):
    """Ana's S.A.S. entered by the registration service, its RFC not given yet."""
    return registered_company(complete_application(applicant))


def test_a_company_registered_after_a_miss_is_served_at_once(client, agency, applicant):
    application = complete_application(applicant)
    assert get(client, agency, "empresas/QRO-2026-000001").status_code == 404
    company = registered_company(application, number=1)
    assert company.registration_number == "QRO-2026-000001"
    response = get(client, agency, "empresas/QRO-2026-000001")
    assert response.status_code == 200
    assert response.json()["nombre"] == company.name


@pytest.mark.parametrize("resource", ["empresas/{}", "empresas/{}/funcionarios"])
def test_a_kept_body_is_served_with_one_query(
    client, agency, entered, resource, django_assert_num_queries
):
    path = resource.format(entered.registration_number)
    first = get(client, agency, path)
    with django_assert_num_queries(1):  # the company's last change; the log is spooled
        again = get(client, agency, path)
    assert (again.content, again["ETag"]) == (first.content, first["ETag"])


def test_the_rfc_from_the_tax_registry_is_served_at_once(client, agency, entered, xroad_sandbox):
    path = f"empresas/{entered.registration_number}"
    before = get(client, agency, path)
    assert before.json()["rfc"] is None
    registration.request_company_rfc(entered.application_id)
    after = get(client, agency, path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["rfc"] and after["ETag"] != before["ETag"]


def test_documents_issued_are_listed_at_once(client, agency, entered):
    from companies.documents import issuance

    path = f"documentos/{entered.registration_number}"
    assert get(client, agency, path).json()["items"] == []
    issuance.issue_documents(company_id=entered.pk)
    listed = get(client, agency, path).json()["items"]
    assert {item["tipo"] for item in listed} == {"certificado", "estatutos", "libro_de_registro"}


def test_a_dissolution_recorded_in_the_log_is_served_at_once(client, agency, entered):
    from companies.register.changes import record_change

    path = f"empresas/{entered.registration_number}"
    assert get(client, agency, path).json()["estado"] == "activa"
    entered.status = entered.Status.DISSOLVED
    entered.save(update_fields=["status"])
    record_change(entered, "dissolved")
    assert get(client, agency, path).json()["estado"] == "disuelta"


def test_a_client_switched_off_elsewhere_is_refused_within_seconds(
    client, agency, entered, monkeypatch
):
    monkeypatch.setattr(access.allowlist, "seconds", 0.3)
    path = f"empresas/{entered.registration_number}"
    assert get(client, agency, path).status_code == 200
    # Another process (the admin on another worker) switches it off: no signal reaches here.
    AgencyAccess.objects.filter(client=agency, service=AgencyService.COMPANIES).update(active=False)
    time.sleep(0.4)
    refused = get(client, agency, path)
    assert (refused.status_code, refused.json()["code"]) == (403, "access_denied")


def test_other_processes_read_the_allowlist_again_within_seconds():
    assert 0 < access.ALLOWLIST_SECONDS <= 10


def test_a_client_removed_in_the_admin_is_refused_at_once_by_that_process(
    client, agency, entered, rf, django_capture_on_commit_callbacks
):
    path = f"empresas/{entered.registration_number}"
    assert get(client, agency, path).status_code == 200
    entry = AgencyAccess.objects.get(client=agency, service=AgencyService.COMPANIES)
    with django_capture_on_commit_callbacks(execute=True):
        admin.site.get_model_admin(AgencyAccess).delete_model(rf.post("/"), entry)
    assert get(client, agency, path).status_code == 403


def test_a_client_added_is_served_at_once(client, entered):
    path = f"empresas/{entered.registration_number}"
    caller = "MX-DEV/GOV/IMSS/afiliacion"
    AgencyAccess.objects.create(client="MX-DEV/GOV/SAT/padron", service="empresas")
    assert get(client, "MX-DEV/GOV/SAT/padron", path).status_code == 200
    assert get(client, caller, path).status_code == 403
    AgencyAccess.objects.create(client=caller, service="empresas")
    assert get(client, caller, path).status_code == 200


def test_every_request_served_from_a_kept_body_is_logged(client, agency, entered):
    path = f"empresas/{entered.registration_number}"
    for _ in range(5):
        get(client, agency, path)
    spool.ingest()
    assert AgencyRequest.objects.filter(path=f"/api/v1/{path}", status=200).count() == 5


def _next_request() -> None:
    """What Django does at the start of every request to a connection kept from the previous
    one (the test client leaves it out): its health is to be checked before its first query."""
    connection.close_if_unusable_or_obsolete()


@pytest.fixture
def kept_connection(legal_forms):
    """PostgreSQL's connection, kept from one request to the next and health-checked, as in
    production (outside a test's transaction, which a request's start would end)."""
    if connection.vendor != "postgresql":
        skip_or_fail("PostgreSQL is needed for connections kept between requests")
    assert connections["default"].health_check_enabled


@pytest.mark.parametrize("resource", ["empresas/{}", "empresas/{}/funcionarios"])
def test_a_kept_body_needs_one_round_trip_on_a_kept_connection(
    kept_connection, client, agency, entered, resource, monkeypatch
):
    """The change-cursor query is the connection's health check too: no SELECT 1 before it."""
    path = resource.format(entered.registration_number)
    first = get(client, agency, path)
    checks: list[str] = []
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "is_usable", lambda: checks.append("SELECT 1") or True)
    _next_request()
    again = get(client, agency, path)
    assert (again.status_code, again.content, checks) == (200, first.content, [])


def test_a_connection_that_died_since_the_last_request_is_opened_again(
    kept_connection, client, agency, entered
):
    path = f"empresas/{entered.registration_number}"
    first = get(client, agency, path)
    dead = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dead])
    _next_request()
    again = get(client, agency, path)
    assert (again.status_code, again.content) == (200, first.content)
    assert connection.connection.info.backend_pid != dead


# -- a kept body answered before ninja (views.answered_at_once) ----------------------------------


@pytest.fixture
def built_by_ninja(monkeypatch):
    """The resources ninja's operations served (``cache.served``); the rest were answered at
    once."""
    from companies.api import cache

    seen: list[str] = []
    served = cache.served

    def counted(resource, number, build):
        seen.append(resource)
        return served(resource, number, build)

    monkeypatch.setattr(cache, "served", counted)
    return seen


def test_a_kept_body_is_answered_at_once_as_ninja_answered_it(
    client, agency, entered, built_by_ninja
):
    path = f"empresas/{entered.registration_number}"
    headers = {"HTTP_X_ROAD_ID": "MX-DEV-9a", "HTTP_X_ROAD_USERID": "MXRAOA900514MQTMLN01"}
    built = get(client, agency, path, **headers)
    kept = get(client, agency, path, **headers)
    unchanged = get(client, agency, path, HTTP_IF_NONE_MATCH=kept["ETag"], **headers)
    assert built_by_ninja == ["empresa"]  # the first built it, the others were answered at once
    assert (kept.status_code, kept.content) == (200, built.content)
    assert kept["Content-Type"] == built["Content-Type"]
    for name in ("ETag", "X-Road-Id"):
        assert kept[name] == built[name] == unchanged[name]
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    spool.ingest()
    logged = AgencyRequest.objects.order_by("pk").values_list(
        "x_road_id", "client", "service", "user_id", "method", "path", "status"
    )
    entry = ("MX-DEV-9a", agency, "empresas", "MXRAOA900514MQTMLN01", "GET", f"/api/v1/{path}")
    assert list(logged) == [(*entry, 200), (*entry, 200), (*entry, 304)]


REFUSALS = {"untrusted_connection", "missing_client", "invalid_client", "access_denied"}


@pytest.mark.parametrize(
    "caller",
    [
        {"REMOTE_ADDR": "203.0.113.9"},  # not the Security Server
        {"HTTP_X_ROAD_CLIENT": ""},
        {"HTTP_X_ROAD_CLIENT": "MX-DEV/GOV/SAT"},  # a member, no subsystem
        {"HTTP_X_ROAD_CLIENT": "MX-DEV/GOV/IMSS/afiliacion"},  # not on the allowlist
    ],
)
def test_a_kept_body_is_never_answered_to_a_refused_caller(
    client, agency, entered, caller, settings
):
    settings.AGENCY_API_SECURITY_SERVERS = ["127.0.0.1/32"]
    path = f"empresas/{entered.registration_number}/funcionarios"
    assert get(client, agency, path).status_code == 200  # kept now
    refused = client.get(f"/api/v1/{path}", **{"HTTP_X_ROAD_CLIENT": agency, **caller})
    assert refused.status_code in {400, 401, 403}  # ninja refused it, with the reason
    assert refused.json()["code"] in REFUSALS


def test_another_method_on_a_kept_body_is_ninjas(client, agency, entered):
    path = f"/api/v1/empresas/{entered.registration_number}"
    assert client.get(path, HTTP_X_ROAD_CLIENT=agency).status_code == 200
    refused = client.post(path, HTTP_X_ROAD_CLIENT=agency)
    assert (refused.status_code, refused["Allow"], refused.json()["code"]) == (
        405,
        "GET",
        "method_not_allowed",
    )
