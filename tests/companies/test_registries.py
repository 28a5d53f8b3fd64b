"""The domain adapter against the sandbox registries, over real HTTP through the emulator."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from companies import registries
from companies.models import RegistryExchange
from companies.registries import Outcome
from tests.factories import ApplicationFactory
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db
POPULATION = "MX-DEV/GOV/RENAPO/poblacion/personas"


def test_an_active_person_is_found_with_their_names(xroad_sandbox):
    answer = registries.check_person("RAOA900514MQTMLN01")
    assert answer.outcome == Outcome.ACTIVE
    person = registries.person_from(answer)
    names = (person.given_names, person.first_surname, person.second_surname)
    assert names == ("Ana Sofía", "Ramírez", "Olvera")
    assert person.birth_date == date(1990, 5, 14)
    assert uuid.UUID(answer.x_road_id)  # our own id, kept across retries


@pytest.mark.parametrize(
    ("curp", "outcome"),
    [
        ("SAGR500127HQTLMB07", Outcome.DECEASED),
        ("OICF870416HQTRSR01", Outcome.WITHDRAWN),
        ("RAOA900514MQTMLN09", Outcome.NOT_FOUND),
    ],
)
def test_deceased_withdrawn_and_unknown_people(xroad_sandbox, curp, outcome):
    assert registries.check_person(curp).outcome == outcome


def test_a_registry_that_is_down_is_unavailable_not_negative(xroad_sandbox):
    xroad_sandbox.inject_fault(POPULATION, FaultSpec(down=True))
    answer = registries.check_person("RAOA900514MQTMLN01")
    assert answer.outcome == Outcome.UNAVAILABLE
    assert not answer.available


def test_a_provider_slower_than_our_timeout_is_unavailable(xroad_sandbox):
    xroad_sandbox.inject_fault(POPULATION, FaultSpec(latency_ms=2500))
    assert registries.check_person("RAOA900514MQTMLN01").outcome == Outcome.UNAVAILABLE


def test_every_exchange_is_stored_with_its_application(xroad_sandbox):
    application = ApplicationFactory()
    answer = registries.check_person("RAOA900514MQTMLN01", application=application)
    row = RegistryExchange.objects.get()
    assert (row.operation, row.service, row.method, row.http_status) == (
        "check_person",
        POPULATION,
        "GET",
        200,
    )
    assert row.x_road_id == answer.x_road_id and row.request_hash and row.request_id
    assert row.application == application and row.duration_ms > 0


def test_a_fault_is_stored_with_its_code(xroad_sandbox):
    xroad_sandbox.inject_fault(POPULATION, FaultSpec(down=True))
    registries.check_person("RAOA900514MQTMLN01")
    codes = set(RegistryExchange.objects.values_list("fault_code", flat=True))
    assert codes and all(code.lower().startswith("server.serverproxy") for code in codes)


@pytest.mark.parametrize(
    ("rfc", "outcome", "opinion"),
    [
        ("RAOA9005149F8", Outcome.ACTIVE, "positive"),
        ("HETL7802236H2", Outcome.ACTIVE, "negative"),
        ("UILJ920830DJA", Outcome.SUSPENDED, None),
        ("CAB180903E24", Outcome.SUSPENDED, None),
    ],
)
def test_taxpayer_status_and_compliance_opinion(xroad_sandbox, rfc, outcome, opinion):
    answer = registries.check_taxpayer(rfc)
    assert answer.outcome == outcome
    if opinion:
        assert answer.record["compliance_opinion"] == opinion


def test_the_notary_licence_and_the_deed_are_asked_for_separately(xroad_sandbox):
    assert registries.check_notary("22", number=5).outcome == Outcome.ACTIVE
    assert registries.check_notary("22", number=31).outcome == Outcome.CANCELLED
    assert registries.check_notary("22", number=36).outcome == Outcome.NOT_FOUND
    assert registries.find_deed("22", notary=5, deed=99999999).outcome == Outcome.NOT_FOUND
    assert registries.find_deed("22", notary=36, deed=18250).outcome == Outcome.NOT_FOUND


def test_a_deed_is_read_as_its_date_act_company_and_parties(xroad_sandbox):
    answer = registries.find_deed("22", notary=5, deed=51207)
    assert answer.outcome == Outcome.FOUND
    deed = registries.deed_from(answer)
    assert (deed.number, deed.executed_on, deed.act) == (51207, date(2025, 2, 26), "incorporation")
    assert (deed.company_name, deed.legal_form) == (
        "Viñedos de Tequisquiapan, S.A. de C.V.",
        "sa_de_cv",
    )
    assert [(p.curp, p.rfc, p.roles) for p in deed.parties] == [
        ("RAOA900514MQTMLN01", "", ("shareholder", "administrator")),
        ("MERC851102HQTNSR00", "", ("shareholder",)),
        ("", "CJU150610I85", ("shareholder",)),
        ("HETL780223MQTRRZ05", "", ("comisario",)),
    ]


def test_company_rfc_is_issued_once_per_registration_number(xroad_sandbox):
    arguments = {
        "company_name": "Tortillería La Esperanza",
        "legal_form": "sas",
        "registration_number": f"QRO-2026-{uuid.uuid4().int % 10**6:06d}",
        "incorporated_on": date(2026, 11, 26),
        "office": {
            "street": "Av. Zaragoza 10",
            "municipality": "Querétaro",
            "postal_code": "76000",
        },
    }
    first = registries.register_company_rfc(**arguments)
    again = registries.register_company_rfc(**arguments)
    assert first.outcome == again.outcome == Outcome.CREATED
    assert len(first.record["rfc"]) == 12 and first.record["rfc"] == again.record["rfc"]


def test_payment_reference_is_idempotent_and_its_status_comes_over_x_road(xroad_sandbox):
    created = registries.create_payment(
        amount=Decimal("1850.00"), concept="Inscripción", client_key="app-42"
    )
    again = registries.create_payment(
        amount=Decimal("1850.00"), concept="Inscripción", client_key="app-42"
    )
    reference = created.record["reference"]
    assert again.record["reference"] == reference
    assert registries.payment_status(reference).outcome == Outcome.PENDING


def test_certificate_status_brings_sats_ocsp_answer_whole(xroad_sandbox, efirma_folder):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    _, issuer = x509.load_pem_x509_certificates((efirma_folder / "ca.pem").read_bytes())
    cert = x509.load_der_x509_certificate((efirma_folder / "personas" / "ana.cer").read_bytes())
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()

    answer = registries.certificate_status(request.public_bytes(serialization.Encoding.DER))

    assert answer.outcome == Outcome.FOUND
    response = ocsp.load_der_ocsp_response(answer.record["ocsp_response"])
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert uuid.UUID(answer.x_road_id)


def test_certificate_status_is_unavailable_when_sats_service_is_down(xroad_sandbox):
    xroad_sandbox.inject_fault("MX-DEV/GOV/SAT/padron/certificados", FaultSpec(down=True))
    assert registries.certificate_status(b"0").outcome == Outcome.UNAVAILABLE
