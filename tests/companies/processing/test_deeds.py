"""The deed comparison on its own: whoever the notary registry names, however it names them."""

from datetime import date

from companies.processing.deeds import Filed, FiledFounder, Mismatch, mismatches, party_of
from companies.registries import Deed, DeedParty

ANA = FiledFounder("Ana Sofía Ramírez Olvera", "RAOA900514MQTMLN01", "", is_company=False)
JURICA = FiledFounder("Constructora Jurica, S.A. de C.V.", "", "CJU150610I85", is_company=True)
TODAY = date(2026, 12, 2)


def party(name: str, curp: str = "", rfc: str = "", roles=("shareholder",)) -> DeedParty:
    return DeedParty(name=name, curp=curp, rfc=rfc, roles=tuple(roles))


def deed(*parties: DeedParty, **fields) -> Deed:
    values = {
        "number": 51207,
        "executed_on": date(2025, 2, 26),
        "act": "incorporation",
        "company_name": "Viñedos de Tequisquiapan, S.A. de C.V.",
        "legal_form": "sa_de_cv",
        "parties": parties,
        **fields,
    }
    return Deed(**values)


def filed(*founders: FiledFounder, **fields) -> Filed:
    values = {
        "company_name": "Viñedos de Tequisquiapan, S.A. de C.V.",
        "legal_form": "sa_de_cv",
        "deed_date": date(2025, 2, 26),
        "name_reserved_on": date(2025, 2, 10),
        "founders": founders,
        **fields,
    }
    return Filed(**values)


def test_a_registry_that_gives_names_only_is_matched_by_name_accents_and_case_aside():
    parties = [party("ANA SOFIA RAMIREZ OLVERA"), party("Constructora Jurica, S.A. de C.V.")]
    assert party_of(ANA, parties) == parties[0]
    assert party_of(JURICA, parties) == parties[1]


def test_where_both_sides_have_a_curp_or_rfc_the_same_name_is_not_enough():
    assert party_of(ANA, [party("Ana Sofía Ramírez Olvera", curp="RAOA900514MQTMLN93")]) is None
    assert party_of(JURICA, [party("Constructora Jurica, S.A.", rfc="ZZZ010101AU3")]) is None


def test_the_comisario_or_an_attorney_in_the_deed_is_not_a_founder_in_it():
    for roles in (["comisario"], ["attorney"]):
        assert party_of(ANA, [party("Ana", curp=ANA.curp, roles=roles)]) is None


def test_the_company_is_compared_by_its_name_without_the_legal_form_suffix():
    spelled_out = deed(
        party("Ana", curp=ANA.curp),
        company_name="VIÑEDOS DE TEQUISQUIAPAN, SOCIEDAD ANÓNIMA DE CAPITAL VARIABLE",
    )
    assert mismatches(spelled_out, filed(ANA), today=TODAY) == []


def test_every_mismatch_is_told_once_in_a_fixed_order():
    other = deed(
        party("Ana", curp=ANA.curp, roles=["attorney"]),
        act="power_of_attorney",
        company_name="Textiles Bernal, S. de R.L. de C.V.",
        legal_form="s_de_rl_de_cv",
        executed_on=date(2999, 1, 1),
    )
    assert mismatches(other, filed(ANA, deed_date=date(2999, 1, 1)), today=TODAY) == [
        Mismatch.OTHER_COMPANY,
        Mismatch.OTHER_LEGAL_FORM,
        Mismatch.NOT_INCORPORATION,
        Mismatch.FOUNDER_NOT_PARTY,
        Mismatch.IN_FUTURE,
    ]


def test_no_deed_still_tells_the_dates_the_application_gives():
    early = filed(ANA, deed_date=date(2025, 1, 1))
    assert mismatches(None, early, today=TODAY) == [
        Mismatch.NOT_FOUND,
        Mismatch.BEFORE_RESERVATION,
    ]
