"""The clerks decide the filings that need a person: approved is registered (when due),
rejected says why; only verified staff who review reach these pages."""

from __future__ import annotations

import pytest
from django.utils import translation

from companies.lifecycle import filings
from companies.register import states
from tests.conftest import verified_login
from tests.factories import submitted_filing

pytestmark = pytest.mark.django_db
ANA, CARLOS = "RAOA900514MQTMLN01", "MERC851102HQTNSR00"
HANDOVER = {
    "moves": [
        {"action": "appoint", "curp": CARLOS, "name": "Carlos Eduardo Mendoza Reséndiz"},
        {"action": "remove", "curp": ANA},
    ]
}


@pytest.fixture
def in_review(registered_company, applicant):
    filing = submitted_filing(registered_company, applicant, "administrators", HANDOVER)
    return filings.process(filing.pk)


def test_the_clerks_list_shows_the_filing_in_review_with_its_changes(
    client, in_english, clerk, in_review
):
    verified_login(client, clerk)
    listing = client.get("/registro/tramites/").content.decode()
    assert f"/registro/tramites/{in_review.public_id}/" in listing
    page = client.get(f"/registro/tramites/{in_review.public_id}/").content.decode()
    assert "Carlos Eduardo Mendoza Reséndiz" in page
    assert "more than one shareholder" in page


def test_a_clerk_approves_and_the_filing_is_registered(
    client, clerk, in_review, registered_company
):
    verified_login(client, clerk)
    client.post(f"/registro/tramites/{in_review.public_id}/approve/")
    in_review.refresh_from_db()
    assert in_review.status == "registered"
    data = states.current(registered_company.pk).data
    assert [a["curp"] for a in data["administrators"]] == [CARLOS]
    assert in_review.events.get(verb="approve").actor == clerk


def test_a_rejection_needs_its_reason(clerk, in_review):
    with translation.override("en"), pytest.raises(filings.FilingRefused, match="Say why"):
        filings.reject_by_clerk(in_review, actor=clerk, reason=" ")
    rejected = filings.reject_by_clerk(in_review, actor=clerk, reason="The minutes are missing.")
    assert rejected.status == "rejected"


def test_an_entrepreneur_may_not_reach_the_clerks_pages(client, applicant, in_review):
    client.force_login(applicant)
    assert client.get("/registro/tramites/").status_code == 403
    assert client.post(f"/registro/tramites/{in_review.public_id}/approve/").status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
