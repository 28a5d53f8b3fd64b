"""The SCIAN 2023 catalogue shipped as data, and its search. No database needed."""

import dataclasses
import json
import re

import pytest

from companies.filing.scian import CATALOGUE_FILE, Activity, Catalogue, load_catalogue


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def codes(activities: list[Activity]) -> list[str]:
    return [a.code for a in activities]


# --- the data file ---------------------------------------------------------------------------


def test_file_names_its_edition_and_source(raw):
    assert raw["edition"] == "SCIAN 2023"
    assert "scian-ciiu" in raw["source"]
    assert "mcp-inegi" in raw["source"]


def test_class_codes_are_six_digits_unique_and_sorted(raw):
    class_codes = [c["code"] for c in raw["classes"]]
    assert all(re.fullmatch(r"\d{6}", code) for code in class_codes)
    assert len(set(class_codes)) == len(class_codes)
    assert class_codes == sorted(class_codes)
    assert len(class_codes) == 1086


def test_the_twenty_sectors_with_their_ranges(raw):
    sector_codes = [s["code"] for s in raw["sectors"]]
    assert len(sector_codes) == 20
    assert sector_codes == sorted(sector_codes)
    assert "31-33" in sector_codes and "48-49" in sector_codes
    titles = {s["code"]: s["title"] for s in raw["sectors"]}
    assert titles["31-33"] == "Industrias manufactureras"
    assert titles["46"] == "Comercio al por menor"
    assert titles["54"] == "Servicios profesionales, científicos y técnicos"


def test_every_class_sits_in_a_sector_that_exists_and_fits_its_code(raw):
    sectors = {s["code"] for s in raw["sectors"]}
    for item in raw["classes"]:
        assert item["sector"] in sectors, item
        first, _, last = item["sector"].partition("-")
        assert first <= item["code"][:2] <= (last or first), item
    assert {c["sector"] for c in raw["classes"]} == sectors  # no empty sector


@pytest.mark.parametrize(("level", "digits"), [("subsectors", 3), ("ramas", 4), ("subramas", 5)])
def test_every_group_level_is_complete_sorted_and_has_titles(raw, level, digits):
    groups = [g["code"] for g in raw[level]]
    assert groups == sorted(set(groups))
    assert set(groups) == {c["code"][:digits] for c in raw["classes"]}
    assert all(g["title"].strip() == g["title"] and g["title"] for g in raw[level])


def test_titles_are_clean_spanish_text(raw):
    for item in raw["sectors"] + raw["classes"]:
        title = item["title"]
        assert title == " ".join(title.split()), item
        assert title[0].isupper() and not title.isupper(), item


def test_the_2023_edition_not_2018(catalogue):
    # SCIAN 2023 split tequila from mezcal and moved publishing to subsector 513.
    assert catalogue.get("312144").title == "Elaboración de tequila"
    assert catalogue.get("312145").title == "Elaboración de mezcal"
    assert catalogue.get("513210").title == "Edición de software"
    assert catalogue.get("312142") is None  # 2018's "bebidas destiladas de agave"
    assert catalogue.get("511210") is None  # 2018's software publishing


# --- the loader --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "title", "sector"),
    [
        (
            "461110",
            "Comercio al por menor en tiendas de abarrotes, ultramarinos y misceláneas",
            "46",
        ),
        ("722514", "Restaurantes con servicio de preparación de tacos y tortas", "72"),
        ("722515", "Cafeterías, fuentes de sodas, neverías, refresquerías y similares", "72"),
        ("541510", "Servicios de diseño de sistemas de cómputo y servicios relacionados", "54"),
        ("541211", "Servicios de contabilidad y auditoría", "54"),
        ("236111", "Edificación de vivienda unifamiliar", "23"),
        ("311830", "Elaboración de tortillas de maíz y molienda de nixtamal", "31-33"),
        ("484210", "Servicios de mudanzas", "48-49"),
        ("721111", "Hoteles con otros servicios integrados", "72"),
        ("621211", "Consultorios dentales del sector privado", "62"),
        ("111331", "Cultivo de café", "11"),
    ],
)
def test_known_classes_have_inegis_exact_titles(catalogue, code, title, sector):
    activity = catalogue.get(code)
    assert activity is not None
    assert (activity.code, activity.title, activity.sector_code) == (code, title, sector)
    assert activity.sector_title == catalogue.sector(sector).title


def test_get_is_for_classes_only(catalogue):
    assert catalogue.get(" 722514 ") == catalogue.get("722514")
    assert catalogue.get("999999") is None
    assert catalogue.get("7225") is None
    assert catalogue.get("72") is None
    assert catalogue.get("") is None
    assert "722514" in catalogue
    assert "7225" not in catalogue


def test_sectors_and_groups(catalogue):
    assert catalogue.sector("33").code == "31-33"
    assert catalogue.sector("49").code == "48-49"
    assert catalogue.sector("31-33").title == "Industrias manufactureras"
    assert catalogue.sector("315") is None
    assert catalogue.sector("99") is None
    assert catalogue.group_title("722") == "Servicios de preparación de alimentos y bebidas"
    assert catalogue.group_title("7225") is not None
    assert catalogue.group_title("722514") is None


def test_activity_is_frozen(catalogue):
    activity = catalogue.get("722514")
    with pytest.raises(dataclasses.FrozenInstanceError):
        activity.title = "Taquería"


def test_load_catalogue_is_cached_and_iterates_in_code_order(catalogue):
    assert load_catalogue() is catalogue
    assert len(catalogue) == 1086
    all_codes = [a.code for a in catalogue]
    assert all_codes == sorted(all_codes)


def test_malformed_data_is_refused(raw):
    sector = raw["sectors"][0]["code"]
    base = {"edition": "x", "source": "y", "sectors": raw["sectors"]}
    with pytest.raises(ValueError, match="six digits"):
        Catalogue({**base, "classes": [{"code": "1234", "title": "t", "sector": sector}]})
    twice = [{"code": "111110", "title": "t", "sector": sector}] * 2
    with pytest.raises(ValueError, match="twice"):
        Catalogue({**base, "classes": twice})
    with pytest.raises(ValueError, match="unknown sector"):
        Catalogue({**base, "classes": [{"code": "111110", "title": "t", "sector": "00"}]})


# --- search ------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case(catalogue):
    found = catalogue.search("cafe")
    assert found[0].code == "722515"  # "Cafeterías...": the title starts with the word
    assert "111331" in codes(found)  # "Cultivo de café"
    assert codes(catalogue.search("CAFÉ")) == codes(found)
    assert codes(catalogue.search("Cafetería")) == codes(catalogue.search("cafeteria"))


def test_search_needs_every_word(catalogue):
    assert codes(catalogue.search("restaurantes tacos")) == ["722514"]
    assert codes(catalogue.search("tacos restaurantes")) == ["722514"]
    assert codes(catalogue.search("restaurantes de tacos")) == ["722514"]  # "de" is dropped
    assert catalogue.search("restaurantes sushi") == []


def test_search_by_code_prefix(catalogue):
    found = catalogue.search("7225")
    assert codes(found) == sorted(codes(found))
    assert found and all(a.code.startswith("7225") for a in found)
    assert codes(catalogue.search("722514")) == ["722514"]
    assert codes(catalogue.search("46111")) == ["461110"]
    assert catalogue.search("999") == []


def test_search_by_code_and_words_together(catalogue):
    assert codes(catalogue.search("7225 tacos")) == ["722514"]


def test_search_ranks_word_starts_before_substrings(catalogue):
    found = codes(catalogue.search("pan", limit=100))
    assert "311811" in found  # "Panificación industrial": a word starts with "pan"
    assert "524110" in found  # "Compañías de seguros": only inside a word
    assert found.index("311811") < found.index("524110")


def test_a_number_that_starts_no_code_is_looked_for_in_titles(catalogue):
    # No code starts with "10"; "Cultivo de árboles de ciclo productivo de 10 años o menos" has it.
    assert "111423" in codes(catalogue.search("10"))


def test_search_respects_the_limit(catalogue):
    assert len(catalogue.search("comercio")) == 20
    assert len(catalogue.search("comercio", limit=5)) == 5
    assert codes(catalogue.search("comercio", limit=5)) == codes(catalogue.search("comercio"))[:5]
    assert len(catalogue.search("comercio", limit=1000)) > 100
    assert catalogue.search("comercio", limit=0) == []


@pytest.mark.parametrize("query", ["", "   ", "¿?", "-"])
def test_an_empty_query_finds_nothing(catalogue, query):
    assert catalogue.search(query) == []
