"""Filings end to end through the services: the office within the state, the administrators,
the register's history "as of" a day, the change log, and what is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from companies.lifecycle import filings
from companies.models import CompanyFiling, RegisterChange
from companies.register import states
from tests import factories
from tests.factories import NEW_OFFICE, start_filing, submitted_filing

ANA, CARLOS = "RAOA900514MQTMLN01", "MERC851102HQTNSR00"
PATRICIA = "RIJP881016MQTXMT01"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def sole_sas(applicant):
    """Ana's S.A.S. with Ana as its only shareholder and administrator."""
    application = factories.complete_application(
        applicant, founders=[(ANA, "Ana Sofía", "Ramírez", "Olvera", "10000", True)]
    )
    return factories.registered_company(application, number=7)


def test_registration_writes_the_first_state_from_the_application(registered_company):
    state = states.current(registered_company.pk)
    assert state.filing is None
    assert state.valid_from == timezone.localdate(registered_company.registered_at)
    assert state.data["office"]["municipality"] == "014"
    assert [a["curp"] for a in state.data["administrators"]] == [ANA]
    assert [s["curp"] for s in state.data["shareholders"]] == [ANA, CARLOS]


def test_an_office_change_within_the_state_is_registered_with_no_human(
    registered_company, applicant, django_capture_on_commit_callbacks
):
    filing = submitted_filing(registered_company, applicant)
    assert filing.status == "submitted"
    filing = filings.process(filing.pk)
    assert filing.status == "registered"
    assert list(filing.events.values_list("verb", flat=True)) == [
        *("start", "send_for_signatures", "sign", "submit"),
        *("start_checks", "approve", "register"),
    ]
    current = states.current(registered_company.pk)
    assert current.filing == filing
    assert current.data["office"]["municipality"] == "016"
    assert filing.changes["office"][0]["municipality"] == "014"
    assert filing.changes["office"][1]["street"] == "Calle Madero"
    change = registered_company.changes.order_by("-pk").first()
    assert change.kind == RegisterChange.Kind.UPDATED
    assert change.data["campos"] == ["office"]


def test_another_state_is_refused_with_what_to_do(registered_company, applicant):
    with pytest.raises(filings.FilingRefused) as refused:
        start_filing(registered_company, applicant, payload={**NEW_OFFICE, "state": "11"})
    assert "Public Registry of Commerce of the state the company moves to" in str(refused.value)
    assert not CompanyFiling.objects.exists()


def test_a_payload_the_schema_refuses_says_where(registered_company, applicant):
    with pytest.raises(filings.FilingRefused) as refused:
        start_filing(registered_company, applicant, payload={**NEW_OFFICE, "postal_code": "7"})
    assert refused.value.problems[0].startswith("postal_code: ")


def test_the_same_office_again_is_refused(registered_company, applicant):
    same = {**NEW_OFFICE, "street": "Av. Zaragoza", "exterior_number": "10"}
    same |= {"neighbourhood": "Centro", "postal_code": "76000", "municipality": "014"}
    with pytest.raises(filings.FilingRefused, match="already the registered office"):
        start_filing(registered_company, applicant, payload=same)


def test_a_shareholder_who_is_not_the_administrator_may_not_move_the_office(
    registered_company, other_applicant
):
    with pytest.raises(filings.FilingRefused, match="Only the company's administrator"):
        start_filing(registered_company, other_applicant)


def test_a_second_filing_while_one_is_pending_is_refused_with_the_reason(
    registered_company, applicant
):
    start_filing(registered_company, applicant)
    with pytest.raises(filings.FilingRefused, match="still pending"):
        start_filing(
            registered_company,
            applicant,
            "administrators",
            {"moves": [{"action": "rename", "curp": ANA, "name": "Ana S. Ramírez"}]},
        )


def test_a_dissolved_company_takes_no_filing(registered_company, applicant):
    registered_company.status = "dissolved"
    registered_company.save(update_fields=["status"])
    with pytest.raises(filings.FilingRefused, match="is dissolved"):
        start_filing(registered_company, applicant)


def test_an_effective_date_in_the_past_is_refused(registered_company, applicant):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(filings.FilingRefused, match="today or later"):
        start_filing(registered_company, applicant, effective_on=yesterday)


def test_submission_waits_for_every_required_signer(registered_company, applicant):
    from companies.lifecycle.workflow import GuardFailed

    filing = start_filing(
        registered_company,
        applicant,
        "administrators",
        {"moves": [{"action": "rename", "curp": ANA, "name": "Ana S. Ramírez"}]},
    )
    filings.sign(filing, user=applicant, authenticated_at=timezone.now())
    with pytest.raises(GuardFailed, match="Carlos Eduardo Mendoza Reséndiz has not signed"):
        filings.submit(filing, actor=applicant)


def test_signing_needs_a_fresh_sign_in(registered_company, applicant):
    filing = start_filing(registered_company, applicant)
    with pytest.raises(filings.FilingRefused, match="within the last 5 minutes"):
        filings.sign(filing, user=applicant, authenticated_at=timezone.now() - timedelta(minutes=6))


def test_a_sole_shareholder_sas_changes_its_administrator_name_with_no_human(sole_sas, applicant):
    payload = {"moves": [{"action": "rename", "curp": ANA, "name": "Ana Sofía Ramírez O."}]}
    filing = filings.process(submitted_filing(sole_sas, applicant, "administrators", payload).pk)
    assert filing.status == "registered"
    assert states.current(sole_sas.pk).data["administrators"] == [
        {"curp": ANA, "name": "Ana Sofía Ramírez O."}
    ]
    assert sole_sas.changes.order_by("-pk").first().data["campos"] == ["administrators"]


def test_an_sas_administrator_must_be_a_shareholder(sole_sas, applicant):
    payload = {
        "moves": [
            {"action": "appoint", "curp": PATRICIA, "name": "Patricia Ríos"},
            {"action": "remove", "curp": ANA},
        ]
    }
    with pytest.raises(filings.FilingRefused, match="must be a shareholder: Patricia Ríos"):
        start_filing(sole_sas, applicant, "administrators", payload)


def test_an_sas_has_one_administrator(registered_company, applicant):
    payload = {"moves": [{"action": "appoint", "curp": CARLOS, "name": "Carlos Mendoza"}]}
    with pytest.raises(filings.FilingRefused, match="one administrator"):
        start_filing(registered_company, applicant, "administrators", payload)


def test_the_company_is_never_left_without_an_administrator(registered_company, applicant):
    payload = {"moves": [{"action": "remove", "curp": ANA}]}
    with pytest.raises(filings.FilingRefused, match="without an administrator"):
        start_filing(registered_company, applicant, "administrators", payload)


def test_removing_someone_who_is_not_an_administrator_is_refused(registered_company, applicant):
    payload = {"moves": [{"action": "remove", "curp": CARLOS}]}
    with pytest.raises(filings.FilingRefused, match="Move 1: MERC851102HQTNSR00 is not an"):
        start_filing(registered_company, applicant, "administrators", payload)


def test_an_administrator_change_of_a_several_shareholder_sas_goes_to_the_clerks(
    registered_company, applicant
):
    payload = {
        "moves": [
            {"action": "appoint", "curp": CARLOS, "name": "Carlos Eduardo Mendoza Reséndiz"},
            {"action": "remove", "curp": ANA},
        ]
    }
    filing = submitted_filing(registered_company, applicant, "administrators", payload)
    filing = filings.process(filing.pk)
    assert filing.status == "in_review"
    assert filing.review_reasons == [filings.SEVERAL_SHAREHOLDERS]
    assert states.current(registered_company.pk).filing is None


def test_an_sa_de_cv_may_have_an_outside_administrator_and_a_board(applicant):
    application = factories.complete_application(applicant, legal_form="sa-de-cv")
    company = factories.registered_company(application, number=9)
    payload = {"moves": [{"action": "appoint", "curp": PATRICIA, "name": "Patricia Ríos"}]}
    filing = filings.process(submitted_filing(company, applicant, "administrators", payload).pk)
    assert filing.status == "in_review"  # the shareholders' meeting is a clerk's to check


def test_a_later_effective_date_waits_for_its_day_and_is_applied_once(
    registered_company, applicant
):
    later = timezone.localdate() + timedelta(days=3)
    filing = filings.process(submitted_filing(registered_company, applicant, effective_on=later).pk)
    assert filing.status == "approved"
    assert filings.apply_due() == 0
    CompanyFiling.objects.filter(pk=filing.pk).update(effective_on=timezone.localdate())
    assert filings.apply_due() == 1
    assert filings.apply_due() == 0
    assert filings.register_filing(filing.pk) is False
    filing.refresh_from_db()
    assert filing.status == "registered"
    assert filing.events.filter(verb="register").count() == 1
    assert registered_company.states.count() == 2


def test_the_register_as_of_a_day_is_one_query(
    registered_company, applicant, django_assert_num_queries
):
    filings.process(submitted_filing(registered_company, applicant).pk)
    today = timezone.localdate()
    registered_company.states.filter(filing__isnull=True).update(
        valid_from=today - timedelta(days=10)
    )
    with django_assert_num_queries(1):
        before = states.as_of(registered_company.pk, today - timedelta(days=1))
    with django_assert_num_queries(1):
        now = states.current(registered_company.pk)
    assert before.data["office"]["municipality"] == "014"
    assert now.data["office"]["municipality"] == "016"
    assert states.as_of(registered_company.pk, today - timedelta(days=11)) is None


def test_a_withdrawn_filing_frees_the_company_for_the_next(registered_company, applicant):
    filing = start_filing(registered_company, applicant)
    filings.withdraw(filing, actor=applicant)
    assert start_filing(registered_company, applicant).status == "awaiting_signatures"
