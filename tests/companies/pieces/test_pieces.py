"""The pieces after registration, per connector: applies / does not apply / refused / down then
tried again, through the sandbox agencies over X-Road; and a piece filed once however often."""

from __future__ import annotations

import pytest

from companies import jobs, registries, tasks
from companies.models import Company, OutboxMessage, Piece, RegistryExchange
from companies.pieces import connectors, filing, read
from companies.register import registration
from sandbox.world import provider_app
from tests.factories import complete_application, registered_company, run_jobs
from xroad_client.emulator import FaultSpec

SIGER = "MX-DEV/GOV/SE/siger/inscripciones"
IMSS = "MX-DEV/GOV/IMSS/afiliacion/patrones"
QUERETARO = "MX-DEV/GOV/QRO-MUN-014/sare/licencias"


def company_of(applicant, *, rfc: str = "TES261126AB1", **fields) -> Company:
    application = complete_application(applicant)
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    registered_company(application, rfc=rfc)
    return Company.objects.select_related("application").get(application=application)


def codes(company: Company) -> list[str]:
    return [piece.connector for piece in filing.open_pieces(company)]


def filings_of(emulator, service: str, piece: Piece):
    return provider_app(emulator, service).state.agency.filings.get(str(piece.request_id))


# -- which pieces apply ----------------------------------------------------------------------


def test_a_querétaro_sas_that_hires_nobody_needs_siger_and_the_sare_licence(applicant):
    company = company_of(applicant)
    assert codes(company) == ["siger", "queretaro-sare"]


def test_a_company_that_hires_needs_its_employer_registration_too(applicant):
    company = company_of(applicant, hires_employees=True)
    assert codes(company) == ["siger", "imss", "queretaro-sare"]


def test_a_municipality_that_has_not_joined_shows_its_instructions_and_files_nothing(applicant):
    company = company_of(applicant, municipality="006")
    assert codes(company) == ["siger"]
    rows = read.rows(company)
    assert [(r.connector.code, r.state) for r in rows] == [
        ("siger", "filed"),
        ("corregidora-licence", "instructions"),
    ]
    corregidora = rows[1].connector
    assert (
        not corregidora.joined and corregidora.instructions and "Corregidora" in corregidora.address
    )


def test_the_connectors_file_is_complete_and_each_joined_one_names_a_sandbox_service():
    from sandbox.catalogue import CATALOGUE

    services = {service.service_id for service in CATALOGUE.services}
    for connector in connectors.load():
        assert connector.expected_hours > 0 and connector.fee >= 0
        assert not connector.joined or connector.service in services


def test_a_connector_with_an_unknown_field_is_refused_with_the_field_named():
    record = {
        "code": "x",
        "agency": {"en": "A", "es": "A"},
        "procedure": {"en": "P", "es": "P"},
        "answer": {"en": "n", "es": "n"},
        "service": "MX-DEV/GOV/X/y/z",
        "fields": ["shoe_size"],
        "expected_hours": 1,
    }
    with pytest.raises(ValueError, match="shoe_size"):
        connectors.parse(record)


# -- SIGER -----------------------------------------------------------------------------------


def test_siger_answers_with_the_folio_mercantil_and_every_exchange_is_kept(
    applicant, xroad_sandbox
):
    company = company_of(applicant)
    filing.open_pieces(company)
    piece = filing.file(company.application_id, "siger")
    assert piece.state == Piece.State.ANSWERED and piece.number.startswith("N-")
    assert piece.answered_at is not None and piece.attempts == 1
    exchange = RegistryExchange.objects.get(operation="file_siger", application=company.application)
    assert exchange.service == SIGER and exchange.x_road_id == piece.x_road_id


def test_siger_refuses_a_denomination_it_holds_and_the_reason_is_kept(applicant, xroad_sandbox):
    company = company_of(applicant)
    Company.objects.filter(pk=company.pk).update(name="Comercializadora del Bajío S.A.S.")
    filing.open_pieces(company)
    piece = filing.file(company.application_id, "siger")
    assert piece.state == Piece.State.REFUSED and not piece.number
    assert "ya está inscrita" in piece.reason


def test_siger_down_delays_the_piece_and_the_retry_files_it_once(applicant, xroad_sandbox):
    company = company_of(applicant)
    (piece,) = [p for p in filing.open_pieces(company) if p.connector == "siger"]
    xroad_sandbox.inject_fault(SIGER, FaultSpec(down=True))
    with pytest.raises(registries.RegistryUnavailable):
        filing.file(company.application_id, "siger")
    piece.refresh_from_db()
    assert piece.state == Piece.State.FILED and piece.attempts == 1
    xroad_sandbox.clear_faults()
    answered = filing.file(company.application_id, "siger")
    assert answered.state == Piece.State.ANSWERED and answered.attempts == 2
    assert filing.file(company.application_id, "siger").attempts == 2, "answered: not sent again"
    assert filings_of(xroad_sandbox, SIGER, piece).received == 1


# -- IMSS ------------------------------------------------------------------------------------


def test_imss_answers_with_the_registro_patronal(applicant, xroad_sandbox):
    company = company_of(applicant, hires_employees=True)
    filing.open_pieces(company)
    piece = filing.file(company.application_id, "imss")
    assert piece.state == Piece.State.ANSWERED and len(piece.number) == 11


def test_imss_does_not_apply_to_a_company_that_does_not_hire(applicant):
    company = company_of(applicant, hires_employees=False)
    assert "imss" not in codes(company)


def test_imss_refuses_a_farming_employer_with_its_reason(applicant, xroad_sandbox):
    company = company_of(applicant, hires_employees=True, activity_codes=["111110"])
    filing.open_pieces(company)
    piece = filing.file(company.application_id, "imss")
    assert piece.state == Piece.State.REFUSED and "subdelegación" in piece.reason


def test_imss_waits_for_the_company_rfc_and_then_files(applicant, xroad_sandbox):
    company = company_of(applicant, hires_employees=True, rfc="")
    filing.open_pieces(company)
    with pytest.raises(registries.RegistryUnavailable):
        filing.file(company.application_id, "imss")
    assert not RegistryExchange.objects.filter(operation="file_imss").exists()
    Company.objects.filter(pk=company.pk).update(rfc="TES261126AB1")
    assert filing.file(company.application_id, "imss").state == Piece.State.ANSWERED


def test_imss_down_then_retried(applicant, xroad_sandbox):
    company = company_of(applicant, hires_employees=True)
    filing.open_pieces(company)
    xroad_sandbox.inject_fault(IMSS, FaultSpec(down=True))
    with pytest.raises(registries.RegistryUnavailable):
        filing.file(company.application_id, "imss")
    xroad_sandbox.clear_faults()
    assert filing.file(company.application_id, "imss").state == Piece.State.ANSWERED


# -- Querétaro's SARE ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activities", "state"),
    [
        (["311830"], Piece.State.ANSWERED),
        (["722412"], Piece.State.REFUSED),
        (["236110"], Piece.State.NEEDS_FOUNDER),
    ],
)
def test_querétaro_licenses_low_risk_at_once_refuses_bars_and_asks_for_a_visit_otherwise(
    applicant, xroad_sandbox, activities, state
):
    company = company_of(applicant, activity_codes=activities)
    filing.open_pieces(company)
    piece = filing.file(company.application_id, "queretaro-sare")
    assert piece.state == state
    if state == Piece.State.ANSWERED:
        assert piece.number.startswith("SARE-QRO-")
    else:
        assert piece.reason and not piece.number


def test_querétaro_does_not_apply_outside_the_municipality(applicant):
    assert "queretaro-sare" not in codes(company_of(applicant, municipality="011"))


def test_querétaro_down_then_retried(applicant, xroad_sandbox):
    company = company_of(applicant)
    filing.open_pieces(company)
    xroad_sandbox.inject_fault(QUERETARO, FaultSpec(down=True))
    with pytest.raises(registries.RegistryUnavailable):
        filing.file(company.application_id, "queretaro-sare")
    xroad_sandbox.clear_faults()
    assert filing.file(company.application_id, "queretaro-sare").state == Piece.State.ANSWERED


# -- after registration, through the outbox --------------------------------------------------


def test_after_registration_each_piece_is_a_message_and_a_down_agency_delays_only_its_own(
    applicant, xroad_sandbox
):
    company = company_of(applicant)
    xroad_sandbox.inject_fault(SIGER, FaultSpec(down=True))
    registration.complete(company.application_id)
    raised = run_jobs(jobs.FILE_PIECE)
    assert len(raised) == 1  # SIGER's task asks to be retried
    states = dict(company.pieces.values_list("connector", "state"))
    assert states == {"siger": "filed", "queretaro-sare": "answered"}
    assert company.application.status == "registered"
    xroad_sandbox.clear_faults()
    tasks.file_piece(company.application_id, "siger")  # the retry
    assert company.pieces.get(connector="siger").state == Piece.State.ANSWERED


def test_completing_again_sends_no_message_for_an_answered_piece(applicant, xroad_sandbox):
    company = company_of(applicant)
    registration.complete(company.application_id)
    assert run_jobs(jobs.FILE_PIECE) == []
    assert filing.messages(company) == []


def test_the_redrive_sends_again_a_piece_left_waiting_but_not_one_retrying(applicant):
    from datetime import timedelta

    from django.utils import timezone

    from companies.review import supervision

    company = company_of(applicant)
    filing.open_pieces(company)
    later = timezone.now() + timedelta(hours=1)
    Piece.objects.filter(company=company, connector="queretaro-sare").update(
        last_sent_at=later - timedelta(minutes=1)  # its task is retrying right now
    )
    before = set(OutboxMessage.objects.filter(task=jobs.FILE_PIECE).values_list("pk", flat=True))
    supervision.redrive_stuck(now=later)
    sent = OutboxMessage.objects.filter(task=jobs.FILE_PIECE).exclude(pk__in=before)
    assert [m.args for m in sent] == [[company.application_id, "siger"]]


def test_the_founders_hear_once_what_the_agency_answered(applicant, xroad_sandbox, mailoutbox):
    company = company_of(applicant, activity_codes=["236110"])
    filing.open_pieces(company)
    siger = filing.file(company.application_id, "siger")
    visit = filing.file(company.application_id, "queretaro-sare")
    filing.file(company.application_id, "siger")  # answered already: nothing new to tell
    about_siger = [m for m in mailoutbox if siger.number in m.body]
    assert sorted(to for m in about_siger for to in m.to) == ["ana@example.mx", "carlos@example.mx"]
    assert about_siger[0].subject.startswith("Inscripción en el Registro Público de Comercio")
    about_visit = [m for m in mailoutbox if visit.reason in m.body]
    assert len(about_visit) == 2 and "necesita que hagas algo" in about_visit[0].body
