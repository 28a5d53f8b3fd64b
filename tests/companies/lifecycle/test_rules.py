"""The table of who may file what (companies/data/filing_rules.json), read by ``rules.offer``."""

import pytest
from django.utils import translation

from companies.lifecycle import rules


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


FORMS = ["sas", "sa-de-cv", "s-de-rl-de-cv"]


def allowed(**facts):
    return {c.type for c in rules.offer(**facts) if c.allowed}


def reasons(**facts):
    return {c.type: c.reason for c in rules.offer(**facts) if not c.allowed}


@pytest.mark.parametrize("form", FORMS)
def test_an_administrator_of_an_active_company_may_file_both_types(form):
    facts = {"roles": {"administrator"}, "state": "active", "legal_form": form, "blockers": {}}
    assert allowed(**facts) == {"office_change", "administrators"}


@pytest.mark.parametrize("form", FORMS)
def test_a_shareholder_may_change_the_administrators_but_not_move_the_office(form):
    facts = {"roles": {"shareholder"}, "state": "active", "legal_form": form, "blockers": {}}
    assert allowed(**facts) == {"administrators"}
    assert reasons(**facts) == {"office_change": "Only the company's administrator may file this."}


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("dissolved", "is dissolved"),
        ("in_dissolution", "being dissolved"),
        ("not_in_good_standing", "not in good standing"),
    ],
)
@pytest.mark.parametrize("roles", [{"administrator"}, {"shareholder"}, {"liquidator"}])
def test_a_company_that_is_not_active_offers_nothing_and_says_why(state, words, roles):
    facts = {"roles": roles, "state": state, "legal_form": "sas", "blockers": {}}
    assert allowed(**facts) == set()
    assert all(words in reason for reason in reasons(**facts).values())


def test_a_pending_filing_blocks_every_type_with_its_reason():
    facts = {
        "roles": {"administrator", "shareholder"},
        "state": "active",
        "legal_form": "sa-de-cv",
        "blockers": {"pending_filing": "the other one first"},
    }
    assert allowed(**facts) == set()
    assert set(reasons(**facts).values()) == {"the other one first"}


def test_in_dissolution_is_a_blocker_even_where_a_row_would_allow():
    facts = {
        "roles": {"administrator"},
        "state": "active",
        "legal_form": "sas",
        "blockers": {"in_dissolution": "being dissolved"},
    }
    assert allowed(**facts) == set()


def test_a_person_without_a_role_may_file_nothing():
    assert allowed(roles=set(), state="active", legal_form="sas", blockers={}) == set()


def test_signers_fees_and_review_paths_are_data():
    assert rules.signer_roles("office_change", "sas") == ["administrators"]
    assert rules.signer_roles("administrators", "sa-de-cv") == ["shareholders"]
    assert rules.fee("office_change") == 0
    assert rules.review_path("office_change", "sa-de-cv") == "automatic"
    assert rules.review_path("administrators", "sas") == "automatic_if_sole_shareholder"
    assert rules.review_path("administrators", "s-de-rl-de-cv") == "clerk"


def test_roles_come_from_the_register_data():
    data = {
        "shareholders": [{"curp": "A"}, {"curp": "B"}],
        "administrators": [{"curp": "A"}],
        "liquidators": [],
    }
    assert rules.roles_in(data, "A") == {"shareholder", "administrator"}
    assert rules.roles_in(data, "B") == {"shareholder"}
    assert rules.roles_in(data, "C") == set()
    assert rules.roles_in(data, None) == set()
