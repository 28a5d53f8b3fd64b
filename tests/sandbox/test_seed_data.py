"""Invariants of the seed files in sandbox/data/ that every fresh registry starts from."""

from __future__ import annotations

import collections
import datetime
from pathlib import Path
from typing import Any

import pytest
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

from sandbox.providers.notaries import LICENCE_STATUSES, QUERETARO
from sandbox.providers.payments import MEXICO_CENTRAL, PAYMENT_STATUSES, PaymentReference
from sandbox.providers.population import PERSON_STATUSES
from sandbox.providers.seed import DEFAULT_DATA_DIR, load_records
from sandbox.providers.tax import COMPLIANCE_OPINIONS, TAXPAYER_STATUSES
from sandbox.tools.generate_seed import SEED_FILES, SEED_TODAY, age_on, generate, write_seed

PEOPLE = load_records(None, "people.json")
TAXPAYERS = load_records(None, "taxpayers.json")
NOTARIES = load_records(None, "notaries.json")
DEEDS = load_records(None, "deeds.json")
REFERENCES = load_records(None, "payment_references.json")
PEOPLE_BY_CURP = {person["curp"]: person for person in PEOPLE}
TAXPAYERS_BY_RFC = {taxpayer["rfc"]: taxpayer for taxpayer in TAXPAYERS}


def age(person: dict[str, Any]) -> int:
    return age_on(SEED_TODAY, datetime.date.fromisoformat(person["birth_date"]))


def test_there_are_at_least_200_people_with_unique_valid_curps() -> None:
    curps = [person["curp"] for person in PEOPLE]

    assert len(PEOPLE) >= 200
    assert len(set(curps)) == len(curps)
    assert [curp for curp in curps if not stdnum_curp.is_valid(curp)] == []


def test_each_curp_encodes_its_person_birth_date_sex_and_state() -> None:
    for person in PEOPLE:
        curp = person["curp"]
        assert stdnum_curp.get_birth_date(curp).isoformat() == person["birth_date"], curp
        assert curp[10] == person["sex"], curp
        assert curp[11:13] == person["birth_state"], curp


def test_people_of_every_status_many_from_queretaro_some_foreigners() -> None:
    statuses = collections.Counter(person["status"] for person in PEOPLE)
    states = collections.Counter(person["birth_state"] for person in PEOPLE)
    nationalities = {person["nationality"] for person in PEOPLE}

    assert set(statuses) == set(PERSON_STATUSES)
    assert states["QT"] > len(PEOPLE) / 3
    assert len(states) > 10
    assert {"MEX", "USA"} <= nationalities
    assert all(p["nationality"] != "MEX" for p in PEOPLE if p["birth_state"] == "NE")


def test_demo_people_come_first_with_the_documented_statuses(demo: dict[str, Any]) -> None:
    demo_people = demo["people"]
    statuses = collections.Counter(p["status"] for p in demo_people)
    active_adults = [
        p for p in demo_people if p["status"] == "active" and age(PEOPLE_BY_CURP[p["curp"]]) >= 18
    ]

    assert [p["curp"] for p in PEOPLE[: len(demo_people)]] == [p["curp"] for p in demo_people]
    assert len(active_adults) >= 6
    assert statuses["deceased"] >= 2
    assert statuses["withdrawn"] >= 2


def test_demo_rfcs_match_their_taxpayer_rows(demo: dict[str, Any]) -> None:
    by_rfc = {taxpayer["rfc"]: taxpayer for taxpayer in TAXPAYERS}

    for person in demo["people"]:
        if person["rfc"] is not None:
            assert by_rfc[person["rfc"]]["curp"] == person["curp"]
    for company in demo["companies"]:
        assert by_rfc[company["rfc"]]["name"] == company["name"]


def test_every_rfc_is_unique_with_a_valid_check_digit() -> None:
    rfcs = [taxpayer["rfc"] for taxpayer in TAXPAYERS]

    assert len(set(rfcs)) == len(rfcs)
    assert [r for r in rfcs if not stdnum_rfc.is_valid(r, validate_check_digits=True)] == []


def test_natural_taxpayers_are_people_of_the_population_registry() -> None:
    naturals = [t for t in TAXPAYERS if t["person_type"] == "natural"]

    assert len(naturals) > 50
    for taxpayer in naturals:
        person = PEOPLE_BY_CURP[taxpayer["curp"]]
        assert len(taxpayer["rfc"]) == 13
        assert taxpayer["rfc"][:10] == person["curp"][:10]
        assert age(person) >= 18


def test_legal_taxpayers_have_12_character_rfcs_and_a_registered_office() -> None:
    legals = [t for t in TAXPAYERS if t["person_type"] == "legal"]

    assert len(legals) > 20
    assert all(len(t["rfc"]) == 12 for t in legals)
    assert all(t["registered_office"]["postal_code"].startswith("76") for t in legals)


@pytest.mark.parametrize("person_type", ["natural", "legal"])
def test_taxpayers_of_every_status_and_opinion(person_type: str) -> None:
    of_type = [t for t in TAXPAYERS if t["person_type"] == person_type]

    assert {t["status"] for t in of_type} == set(TAXPAYER_STATUSES)
    assert {t["compliance_opinion"] for t in of_type} == set(COMPLIANCE_OPINIONS)


def test_deceased_people_have_cancelled_rfcs() -> None:
    for taxpayer in TAXPAYERS:
        if taxpayer["curp"] and PEOPLE_BY_CURP[taxpayer["curp"]]["status"] == "deceased":
            assert taxpayer["status"] == "cancelled"


def test_notaries_of_queretaro_in_every_licence_status_with_several_deeds() -> None:
    deeds_per_notary = collections.Counter(deed["notary_number"] for deed in DEEDS)

    assert {notary["state"] for notary in NOTARIES} == {QUERETARO}
    assert {notary["licence_status"] for notary in NOTARIES} == set(LICENCE_STATUSES)
    assert all(deeds_per_notary[notary["number"]] >= 3 for notary in NOTARIES)


def test_deeds_are_unique_dated_while_licensed_and_name_real_people() -> None:
    notaries = {notary["number"]: notary for notary in NOTARIES}
    keys = [(deed["notary_number"], deed["deed_number"]) for deed in DEEDS]

    assert len(set(keys)) == len(keys)
    for deed in DEEDS:
        notary = notaries[deed["notary_number"]]
        assert notary["licensed_on"] <= deed["executed_on"]
        assert deed["executed_on"] <= (notary["status_changed_on"] or SEED_TODAY.isoformat())
        for party in deed["parties"]:
            if party["curp"] is None:  # a company that founds: a legal taxpayer, by RFC
                company = TAXPAYERS_BY_RFC[party["rfc"]]
                assert party["name"].startswith(f"{company['name']}, ")
                continue
            person = PEOPLE_BY_CURP[party["curp"]]
            assert party["name"].startswith(person["given_names"])


def test_seeded_payment_references_cover_every_status() -> None:
    now = datetime.datetime.now(MEXICO_CENTRAL)
    statuses = collections.Counter(
        PaymentReference.from_record(record).status(now) for record in REFERENCES
    )

    assert all(statuses[status] >= 2 for status in PAYMENT_STATUSES)


def test_seed_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    write_seed(generate(), tmp_path)

    for name in SEED_FILES:
        assert (tmp_path / name).read_bytes() == (DEFAULT_DATA_DIR / name).read_bytes(), name


def test_readme_documents_every_demo_identity(demo: dict[str, Any]) -> None:
    readme = (DEFAULT_DATA_DIR / "README.md").read_text(encoding="utf-8")
    identifiers = [
        *(p["curp"] for p in demo["people"]),
        *(p["rfc"] for p in demo["people"] if p["rfc"]),
        *(c["rfc"] for c in demo["companies"]),
        *(r["reference"] for r in demo["payment_references"]),
    ]

    assert [identifier for identifier in identifiers if identifier not in readme] == []
