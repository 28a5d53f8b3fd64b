import pytest

from companies.filing.names import Candidate, Outcome, Source, judge_name, normalise_name


def registered(name: str) -> Candidate:
    return Candidate(name, normalise_name(name), Source.REGISTERED)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Tacos Doña Lupe, S.A.S.", "TACOS DONA LUPE"),
        ("tacos dona lupe sas", "TACOS DONA LUPE"),
        ("Constructora & Arquitectos del Centro S.A. de C.V.", "CONSTRUCTORA ARQUITECTOS CENTRO"),
        ("Café  Peñamiller S. de R.L. de C.V.", "CAFE PENAMILLER"),
        ("La Casa de la Sal", "CASA SAL"),
        ("Grupo Ágora, Sociedad Anónima de Capital Variable", "GRUPO AGORA"),
    ],
)
def test_normalisation_ignores_accents_case_suffixes_punctuation_and_stop_words(name, normalised):
    assert normalise_name(name) == normalised


def test_same_words_in_another_order_is_taken():
    verdict = judge_name("Lupe Tacos Doña S.A.S.", [registered("Tacos Doña Lupe S.A. de C.V.")])
    assert verdict.outcome == Outcome.TAKEN
    assert not verdict.allowed
    assert verdict.resemblances[0].name == "Tacos Doña Lupe S.A. de C.V."
    assert verdict.resemblances[0].score == 100.0


def test_near_copy_is_refused_and_says_which_name_it_resembles():
    verdict = judge_name(
        "Tacos Dona Lupes", [registered("Tacos Doña Lupe"), registered("Ferretería Centro")]
    )
    assert verdict.outcome == Outcome.REFUSED
    assert [(r.name, r.source) for r in verdict.resemblances] == [
        ("Tacos Doña Lupe", Source.REGISTERED)
    ]
    assert verdict.resemblances[0].score >= 92


def test_somewhat_similar_name_is_allowed_but_sent_to_review():
    reserved = Candidate("Lupita Tacos", normalise_name("Lupita Tacos"), Source.RESERVED)
    verdict = judge_name("Tacos Doña Lupita", [registered("Tacos Doña Lupe"), reserved])
    assert verdict.outcome == Outcome.REVIEW
    assert verdict.allowed
    assert {r.source for r in verdict.resemblances} == {Source.REGISTERED, Source.RESERVED}
    assert all(80 <= r.score < 92 for r in verdict.resemblances)


def test_distinct_name_is_clear():
    verdict = judge_name("Software Querétaro Norte", [registered("Tacos Doña Lupe")])
    assert verdict.outcome == Outcome.CLEAR
    assert verdict.resemblances == () and verdict.word_problems == ()


@pytest.mark.parametrize(
    ("name", "word", "kind"),
    [
        ("Banco del Bajío Norte", "BANCO", "restricted"),
        ("Seguros Express", "SEGUROS", "restricted"),
        ("Gobierno Digital Consultores", "GOBIERNO", "official"),
        ("Casa de Bolsa Querétaro", "CASA DE BOLSA", "restricted"),
        ("Pemex Refacciones", "PEMEX", "protected"),
    ],
)
def test_forbidden_or_protected_word_is_named(name, word, kind):
    verdict = judge_name(name, [])
    assert verdict.outcome == Outcome.REFUSED
    assert [(p.word, p.kind) for p in verdict.word_problems] == [(word, kind)]


def test_word_inside_another_word_is_not_forbidden():
    assert judge_name("Bancos de Madera Rústica", []).outcome == Outcome.CLEAR


def test_name_made_only_of_suffix_and_stop_words_is_too_short():
    verdict = judge_name("De la S.A.S.", [])
    assert verdict.outcome == Outcome.REFUSED and verdict.too_short
