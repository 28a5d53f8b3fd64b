"""After submission: the registry checks over X-Road, the decision, and registration."""

from datetime import date

import pytest
from django.utils import timezone

from companies import registries, workflow
from companies.filing.names import normalise_name
from companies.models import Company, NameReservation, Payment, RegistryCheck, RegistryExchange
from companies.processing import checks
from companies.register import registration
from tests.factories import (
    CompanyFounderFactory,
    EntrepreneurFactory,
    complete_application,
    complete_registration,
    submitted,
    submitted_sa_de_cv,
)
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db
POPULATION = "MX-DEV/GOV/RENAPO/poblacion/personas"


def test_a_clean_sas_is_registered_with_no_human(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    application = submitted(applicant)
    NameReservation.objects.create(
        name="Tortillería La Esperanza",
        normalised_name="TORTILLERIA ESPERANZA",
        holder=applicant,
        application=application,
        expires_at=timezone.now() + timezone.timedelta(days=180),
    )
    with django_capture_on_commit_callbacks(execute=False):
        result = checks.process(application.pk)
    assert result.status == "registered"
    company = Company.objects.get(application=application)
    assert company.registration_number == f"QRO-{timezone.localdate().year}-000001"
    assert company.name == "Tortillería La Esperanza, S.A.S."
    assert NameReservation.objects.get(application=application).status == "used"
    kinds = set(RegistryCheck.objects.filter(application=application).values_list("kind", "result"))
    assert kinds == {
        ("person", "clean"),
        ("control", "clean"),
        ("payment", "clean"),
        ("name", "clean"),
    }
    person_checks = RegistryCheck.objects.filter(application=application, kind="person")
    assert all(
        RegistryExchange.objects.filter(x_road_id=c.x_road_id).exists() for c in person_checks
    )


def test_processing_twice_makes_one_company_and_one_number(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        checks.process(application.pk)
        checks.process(application.pk)
        registration.register(application)
    assert Company.objects.count() == 1
    assert application.events.filter(verb="register").count() == 1


def test_a_deceased_founder_sends_the_application_to_review_with_the_reason(
    applicant, xroad_sandbox
):
    application = submitted(
        applicant,
        founders=[
            ("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True),
            ("SAGR500127HQTLMB07", "Roberto", "Salinas", "Gómez", "4000", False),
        ],
    )
    result = checks.process(application.pk)
    assert result.status == "in_review"
    assert result.review_reasons == ["A founder is not active in the population registry"]
    check = RegistryCheck.objects.get(
        application=application, kind="person", subject="SAGR500127HQTLMB07"
    )
    assert (check.result, check.outcome) == ("negative", "deceased")


def test_a_registry_outage_delays_the_application_and_never_rejects_it(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    application = submitted(applicant)
    xroad_sandbox.inject_fault(POPULATION, FaultSpec(down=True))
    with pytest.raises(registries.RegistryUnavailable):
        checks.process(application.pk)
    application.refresh_from_db()
    assert application.status == "checking"
    assert RegistryCheck.objects.filter(application=application, result="unavailable").count() == 2
    xroad_sandbox.clear_faults()
    with django_capture_on_commit_callbacks(execute=False):
        assert checks.process(application.pk).status == "registered"


# -- The notary and the deed -----------------------------------------------------------------

BY_A_CLERK = "Notarised legal forms are registered by a clerk"
OTHER_COMPANY = "The deed is of another company: its name is not the one applied for"
NOT_A_PARTY = "A founder is not among the shareholders or partners in the deed"


def deed_check(application) -> RegistryCheck:
    return RegistryCheck.objects.get(application=application, kind="deed")


def test_a_deed_of_this_companys_incorporation_passes_cleanly(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(applicant)
    result = checks.process(application.pk)
    assert (result.status, result.review_reasons) == ("in_review", [BY_A_CLERK])
    stored = RegistryCheck.objects.filter(application=application, kind__in=["notary", "deed"])
    assert sorted(stored.values_list("kind", "subject", "result", "outcome")) == [
        ("deed", "22/5/18250", "clean", "deed_matches"),
        ("notary", "22/5", "clean", "active"),
    ]
    assert deed_check(application).detail["mismatches"] == []


def test_the_deed_of_another_company_is_a_review_reason_with_both_names_kept(
    applicant, xroad_sandbox
):
    application = submitted_sa_de_cv(applicant, name="Tortillería La Esperanza")
    result = checks.process(application.pk)
    assert (result.status, result.review_reasons) == ("in_review", [OTHER_COMPANY])
    check = deed_check(application)
    assert (check.result, check.outcome) == ("negative", "deed_differs")
    assert check.detail["registry"]["company_name"] == "Constructora Jurica, S.A. de C.V."
    assert check.detail["application"]["company_name"] == "Tortillería La Esperanza, S.A. de C.V."


def test_the_name_is_compared_without_accents_case_or_the_legal_form(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(applicant, name="CONSTRUCTORA  JURICÁ")
    assert checks.process(application.pk).review_reasons == [BY_A_CLERK]


def test_a_deed_dated_in_the_future_is_a_review_reason(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(applicant, deed_date=date(2999, 1, 1))
    result = checks.process(application.pk)
    assert result.review_reasons == [
        "The deed is dated in the future",
        "The deed's date in the notary registry is not the date in the application",
    ]
    assert deed_check(application).detail["application"]["deed_date"] == "2999-01-01"


def test_a_deed_dated_before_the_name_was_reserved_is_a_review_reason(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(applicant, reserved_on=timezone.localdate())
    result = checks.process(application.pk)
    assert result.review_reasons == ["The deed is dated before the name was reserved"]
    application_side = deed_check(application).detail["application"]
    assert application_side["name_reserved_on"] == timezone.localdate().isoformat()


def test_a_founder_who_is_not_a_party_to_the_deed_is_a_review_reason(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(applicant)
    application.founders.filter(curp="MERC851102HQTNSR00").update(
        curp="NUPI951212MDFXXS00",
        given_names="Isabel Cristina",
        first_surname="Núñez",
        second_surname="Peña",
    )
    result = checks.process(application.pk)
    assert result.review_reasons == [NOT_A_PARTY]
    founders = deed_check(application).detail["application"]["founders"]
    assert [(f["curp"], f["in_deed_as"]) for f in founders] == [
        ("RAOA900514MQTMLN01", "Ana Sofía Ramírez Olvera"),
        ("NUPI951212MDFXXS00", None),
    ]


def test_a_deed_that_is_not_an_incorporation_is_a_review_reason(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(
        applicant, deed_number=18251
    )  # a power of attorney, for Carlos
    result = checks.process(application.pk)
    assert result.review_reasons == [
        NOT_A_PARTY,  # Carlos is the attorney, not a shareholder; Ana is not in it
        "The deed is not an incorporation (constitución) but another act",
    ]


def test_a_deed_the_notary_registry_does_not_have_is_a_review_reason(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(applicant, deed_number=99999)
    result = checks.process(application.pk)
    assert result.review_reasons == ["The notary registry has no deed with this number"]
    assert (deed_check(application).result, deed_check(application).outcome) == (
        "negative",
        "deed_not_found",
    )


def test_a_notary_whose_licence_was_revoked_is_a_review_reason(applicant, xroad_sandbox):
    application = submitted_sa_de_cv(
        applicant, name="Textiles Bernal", notary_number=31, deed_number=27611,
        deed_date=date(2022, 10, 3), reserved_on=date(2022, 9, 1),
    )  # fmt: skip
    result = checks.process(application.pk)
    assert result.review_reasons == [
        NOT_A_PARTY,  # Carlos is not a partner of Textiles Bernal
        "The deed is of a company of another legal form",
        "The notary is not in the notary registry or their licence is not active",
    ]


def test_registration_numbers_are_sequential_per_year(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    numbers = []
    for _ in range(3):
        application = submitted(applicant)
        workflow._transition(application.pk, "start_checks")
        workflow._transition(application.pk, "approve")
        with django_capture_on_commit_callbacks(execute=False):
            registration.register(application)
        numbers.append(Company.objects.get(application=application).registration_number)
    year = timezone.localdate().year
    assert numbers == [f"QRO-{year}-{n:06d}" for n in (1, 2, 3)]


def test_after_registration_the_company_gets_its_rfc_and_founders_are_told(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks, mailoutbox
):
    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        checks.process(application.pk)
    assert complete_registration(application) == []
    assert complete_registration(application) == []
    company = Company.objects.get(application=application)
    assert len(company.rfc) == 12
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.mx", "carlos@example.mx"]
    changes = list(company.changes.order_by("pk").values_list("kind", "data__rfc"))
    assert changes == [("registered", None), ("updated", company.rfc)], "once, with the RFC"
    assert company.registration_number in mailoutbox[0].body


def test_registry_checks_run_concurrently_and_every_exchange_is_stored(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    xroad_sandbox.inject_fault(POPULATION, FaultSpec(latency_ms=400))
    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        checks.process(application.pk)
    calls = sorted(
        (r for r in xroad_sandbox.exchanges() if r.service == POPULATION),
        key=lambda r: r.started_at,
    )
    assert len(calls) == 2
    first_ends = calls[0].started_at.timestamp() + calls[0].duration_ms / 1000
    assert calls[1].started_at.timestamp() < first_ends  # the second began before the first ended
    stored = RegistryExchange.objects.filter(application=application, operation="check_person")
    assert stored.count() == 2 and set(stored.values_list("x_road_id", flat=True)) == {
        c.x_road_id for c in calls
    }


def _registered_elsewhere(filer, *, legal_form: str, number: str, founders) -> Company:
    other = complete_application(filer, legal_form=legal_form, founders=founders)
    return Company.objects.create(
        registration_number=number,
        name=f"Otra {number}",
        normalised_name=f"OTRA {number}",
        legal_form=other.legal_form,
        application=other,
        registered_at=timezone.now(),
    )


ANA_MAJORITY = [
    ("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True),
    ("HETL780223MQTRRZ05", "Laura", "Hernández", "Trejo", "4000", False),
]
ANA_MINORITY = [
    ("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "5000", False),
    ("HETL780223MQTRRZ05", "Laura", "Hernández", "Trejo", "5000", True),
]


def test_an_sas_shareholder_who_controls_a_company_of_another_form_goes_to_review(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    _registered_elsewhere(
        applicant, legal_form="sa-de-cv", number="QRO-2025-000009", founders=ANA_MAJORITY
    )
    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        result = checks.process(application.pk)
    assert result.status == "in_review"
    assert result.review_reasons == [
        "A shareholder controls a company of another legal form, which an S.A.S. does not allow"
    ]
    check = RegistryCheck.objects.get(
        application=application, kind="control", subject="RAOA900514MQTMLN01"
    )
    assert (check.result, check.detail) == ("negative", {"companies": ["QRO-2025-000009"]})


@pytest.mark.parametrize(
    ("legal_form", "founders"), [("sa-de-cv", ANA_MINORITY), ("sas", ANA_MAJORITY)]
)
def test_half_of_another_company_or_another_sas_is_no_obstacle(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks, legal_form, founders
):
    _registered_elsewhere(
        applicant, legal_form=legal_form, number="QRO-2025-000010", founders=founders
    )
    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        result = checks.process(application.pk)
    assert result.status == "registered"


# -- Companies as founders -------------------------------------------------------------------


def submitted_with_a_company(filer, *, rfc: str, legal_name: str):
    """An S.A. de C.V. founded by Ana and a company Carlos signs for, its deed 5/51207 (where
    Constructora Jurica is a shareholder); notary and fee in order."""
    application = complete_application(
        filer,
        legal_form="sa-de-cv",
        founders=[("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True)],
    )
    CompanyFounderFactory(
        application=application, rfc=rfc, legal_name=legal_name, contribution=4000
    )
    application.proposed_name = "Viñedos de Tequisquiapan"
    application.normalised_name = normalise_name(application.proposed_name)
    application.deed_number, application.deed_date = 51207, date(2025, 2, 26)
    application.save()
    Payment.objects.create(application=application, reference="QRO4996099406", amount="1850.00")
    workflow._transition(application.pk, "send_for_signatures")
    return workflow._transition(application.pk, "submit", fields={"submitted_at": timezone.now()})


def test_a_company_founder_is_checked_by_its_rfc_and_its_representative_by_curp(
    applicant, xroad_sandbox
):
    application = submitted_with_a_company(
        applicant, rfc="CJU150610I85", legal_name="Constructora Jurica, S.A. de C.V."
    )
    result = checks.process(application.pk)
    assert result.review_reasons == ["Notarised legal forms are registered by a clerk"]
    stored = set(
        RegistryCheck.objects.filter(application=application).values_list(
            "kind", "subject", "result"
        )
    )
    assert ("taxpayer", "CJU150610I85", "clean") in stored
    assert ("person", "MERC851102HQTNSR00", "clean") in stored
    assert not any(kind == "control" for kind, _subject, _result in stored)


def test_a_suspended_company_founder_sends_the_application_to_review_with_the_tax_reason(
    applicant, xroad_sandbox
):
    application = submitted_with_a_company(
        applicant,
        rfc="CAB180903E24",
        legal_name="Comercializadora Agrícola del Bajío, S. de R.L. de C.V.",
    )
    result = checks.process(application.pk)
    assert result.status == "in_review"
    assert result.review_reasons == [
        "A founder is not among the shareholders or partners in the deed",  # not in 5/51207
        "A founder's RFC is not active or has a negative compliance opinion",
    ]
    check = RegistryCheck.objects.get(application=application, kind="taxpayer")
    assert (check.subject, check.result, check.outcome) == ("CAB180903E24", "negative", "suspended")


def test_a_person_who_founds_and_signs_for_a_company_is_checked_once():
    application = complete_application(
        EntrepreneurFactory(), legal_form="sa-de-cv"
    )  # Ana and Carlos
    CompanyFounderFactory(application=application)  # Carlos signs for Constructora Jurica
    planned = checks.plan(application)
    people = [p.subject for p in planned if p.kind == "person"]
    assert sorted(people) == ["MERC851102HQTNSR00", "RAOA900514MQTMLN01"]
    assert [p.subject for p in planned if p.kind == "taxpayer"] == ["CJU150610I85"]


def test_the_sas_control_check_concerns_natural_persons_only():
    application = complete_application(EntrepreneurFactory())
    CompanyFounderFactory(application=application, curp="HETL780223MQTRRZ05")
    controls = [p.subject for p in checks.plan(application) if p.kind == "control"]
    assert sorted(controls) == ["MERC851102HQTNSR00", "RAOA900514MQTMLN01"]


def test_signing_for_a_company_that_controls_another_is_not_controlling_it(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    other = complete_application(
        applicant,
        legal_form="sa-de-cv",
        founders=[("HETL780223MQTRRZ05", "Laura", "Hernández", "Trejo", "4000", True)],
    )
    CompanyFounderFactory(application=other, curp="RAOA900514MQTMLN01", contribution=6000)
    Company.objects.create(
        registration_number="QRO-2025-000011",
        name="Otra",
        normalised_name="OTRA",
        legal_form=other.legal_form,
        application=other,
        registered_at=timezone.now(),
    )
    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        result = checks.process(application.pk)
    assert result.status == "registered"
    check = RegistryCheck.objects.get(
        application=application, kind="control", subject="RAOA900514MQTMLN01"
    )
    assert check.result == "clean"


# -- The fee ---------------------------------------------------------------------------------

PAYMENTS = "MX-DEV/GOV/QRO-FINANZAS/pagos/referencias"
PAID_AT_THE_BANK = "QRO4996099406"  # paid in the sandbox's seed data


def submitted_with_a_fee(filer):
    """A clean S.A.S. whose legal form charges a fee (fees are data), paid at the bank."""
    from companies.models import Payment

    application = submitted(filer)
    application.legal_form.fee = "1450.00"
    application.legal_form.save(update_fields=["fee"])
    Payment.objects.create(application=application, reference=PAID_AT_THE_BANK, amount="1450.00")
    return application


def test_a_payments_registry_outage_delays_the_application_and_never_says_unpaid(
    applicant, xroad_sandbox, django_capture_on_commit_callbacks
):
    application = submitted_with_a_fee(applicant)
    xroad_sandbox.inject_fault(PAYMENTS, FaultSpec(down=True))

    with pytest.raises(registries.RegistryUnavailable):
        checks.process(application.pk)

    application.refresh_from_db()
    assert application.status == "checking" and not application.review_reasons
    check = RegistryCheck.objects.get(application=application, kind="payment")
    assert (check.result, check.outcome) == ("unavailable", "unavailable")
    xroad_sandbox.clear_faults()
    with django_capture_on_commit_callbacks(execute=False):
        assert checks.process(application.pk).status == "registered"
    check.refresh_from_db()
    assert (check.result, check.outcome) == ("clean", "paid") and check.x_road_id


def test_a_fee_the_payments_registry_says_is_unpaid_goes_to_review_with_the_reason(
    applicant, xroad_sandbox
):
    from companies.models import Payment

    application = submitted(applicant)
    application.legal_form.fee = "1450.00"
    application.legal_form.save(update_fields=["fee"])
    Payment.objects.create(application=application, reference="QRO0000000000", amount="1450.00")

    result = checks.process(application.pk)

    assert result.status == "in_review"
    assert result.review_reasons == ["The registration fee is not paid"]
    check = RegistryCheck.objects.get(application=application, kind="payment")
    assert (check.result, check.outcome) == ("negative", "not_found")
