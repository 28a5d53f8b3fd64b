"""The founders step checks people with the registries over X-Road as soon as they are added."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.filing import rules
from companies.models import Founder, LegalForm, RegistryCheck
from companies.processing import checks
from tests.factories import ApplicationFactory, CompanyFounderFactory, FounderFactory
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db
URL_NAME = "companies:step"


@pytest.fixture
def application(client, applicant):
    client.force_login(applicant)
    return ApplicationFactory(filer=applicant)


def founders_url(application):
    return reverse(URL_NAME, args=[application.public_id, "socios"])


def add(client, application, **fields):
    data = {
        "action": "add",
        "founder-nationality": "MEX",
        "founder-email": "socio@example.mx",
        "founder-contribution": "5000",
    }
    data.update({f"founder-{k}": v for k, v in fields.items()})
    return client.post(founders_url(application), data, follow=True)


def test_a_founder_is_added_with_the_registrys_names_and_tax_status(
    client, application, xroad_sandbox
):
    page = add(client, application, curp="RAOA900514MQTMLN01", rfc="RAOA9005149F8").content.decode()
    founder = Founder.objects.get(application=application)
    assert (founder.given_names, founder.first_surname, founder.person_status) == (
        "Ana Sofía",
        "Ramírez",
        "active",
    )
    assert founder.tax_status == "active"
    assert (
        "Verificamos a Ana Sofía Ramírez Olvera con el registro de población y su RFC con el "
        "registro fiscal; ya forma parte de la solicitud." in page
    )


@pytest.mark.parametrize(
    ("curp", "message"),
    [
        ("SAGR500127HQTLMB07", "pertenece a una persona fallecida"),
        ("OICF870416HQTRSR01", "fue dada de baja"),
        ("RAOA900514MQTMLM04", "no reconoce la CURP RAOA900514MQTMLM04"),
    ],
)
def test_deceased_withdrawn_or_unknown_curps_are_refused_with_what_to_do(
    client, application, xroad_sandbox, curp, message
):
    page = add(client, application, curp=curp).content.decode()
    assert message in page
    assert not Founder.objects.filter(application=application).exists()


def messages_of(page):
    """The flash messages of a page, as (level, text); the words said only to screen readers
    ("Atención:", tests/portal/test_shell.py) left out."""
    found = re.findall(r'<li class="message message-(\w+)">(.*?)</li>', page, re.S)
    return [
        (level, re.sub(r'<span class="visually-hidden">.*?</span>', "", text))
        for level, text in found
    ]


@pytest.mark.parametrize(
    ("curp", "name"),
    [
        ("RAOA900514MQTMLN01", "Ana Sofía Ramírez Olvera"),
        ("MERC851102HQTNSR00", "Carlos Eduardo Mendoza Reséndiz"),
    ],
    ids=["a-woman", "a-man"],
)
def test_the_founder_added_message_reads_the_same_for_a_woman_and_a_man(
    client, application, xroad_sandbox, curp, name
):
    page = add(client, application, curp=curp).content.decode()
    assert messages_of(page) == [
        (
            "success",
            f"Verificamos a {name} con el registro de población; ya forma parte de la solicitud.",
        )
    ]
    assert not re.search(r"\bverificad[oa]\b", page, re.I), "no participle agreeing with a gender"


def test_a_minor_is_refused_with_what_to_do_and_no_success_message(
    client, application, xroad_sandbox
):
    page = add(client, application, curp="RUSD120618HQTZNGA7").content.decode()
    assert (
        "Diego Armando Ruiz Sánchez es menor de 18 años, y solo las personas adultas pueden "
        "constituir una empresa, así que no se agregó. Agrega en su lugar a una persona adulta."
    ) in page
    assert 'class="error-summary" role="alert"' in page
    assert messages_of(page) == []
    assert not Founder.objects.filter(application=application).exists()


def test_a_minor_cannot_sign_for_a_company(client, applicant, xroad_sandbox):
    client.force_login(applicant)
    application = ApplicationFactory(
        filer=applicant, legal_form=LegalForm.objects.get(code="sa-de-cv")
    )
    page = add(
        client, application, kind="legal", curp="RUSD120618HQTZNGA7", **JURICA
    ).content.decode()
    assert (
        "Diego Armando Ruiz Sánchez es menor de 18 años y no puede firmar en nombre de "
        "Constructora Jurica, S.A. de C.V.: escribe la CURP de una persona adulta que represente "
        "a la empresa." in page
    )
    assert messages_of(page) == []
    assert not Founder.objects.filter(application=application).exists()


SAS_REVIEW = (
    "Por eso, el personal del registro revisará tu solicitud en lugar de inscribirla "
    "automáticamente, lo que puede tardar más."
)


@pytest.mark.parametrize(
    ("curp", "rfc", "standing", "situation", "remedy"),
    [
        (
            "UILJ920830HGTRDR01",
            "UILJ920830DJA",
            "suspended",
            "Se agregó a Jorge Alberto Uribe Ledesma, pero su RFC UILJ920830DJA está suspendido "
            "en el registro fiscal (SAT).",
            "Para evitarlo, Jorge Alberto Uribe Ledesma puede presentar ante el SAT el aviso de "
            "reanudación de actividades antes de que presentes la solicitud.",
        ),
        (
            "DOHL830610MNLMRR08",
            "DOHL830610L44",
            "suspended",
            "Se agregó a Laura Domínguez Hernández, pero su RFC DOHL830610L44 está suspendido en "
            "el registro fiscal (SAT).",
            "Para evitarlo, Laura Domínguez Hernández puede presentar ante el SAT el aviso",
        ),
        (
            "FEGM960911HQTRMN02",
            "FEGM9609118E9",
            "cancelled",
            "Se agregó a Manuel Feregrino Gómez, pero su RFC FEGM9609118E9 está cancelado en el "
            "registro fiscal (SAT).",
            "Para evitarlo, quita a Manuel Feregrino Gómez y vuelve a agregar sus datos con su RFC "
            "vigente, o sin RFC si ya no tiene uno.",
        ),
        (
            "HETL780223MQTRRZ05",
            "HETL7802236H2",
            "negative_opinion",
            "Se agregó a Luz María Hernández Trejo, pero el registro fiscal (SAT) da a su RFC "
            "HETL7802236H2 una opinión de cumplimiento negativa.",
            "Para evitarlo, Luz María Hernández Trejo puede ponerse al corriente con sus "
            "obligaciones ante el SAT antes de que presentes la solicitud.",
        ),
    ],
    ids=["suspended-rfc", "suspended-rfc-woman", "cancelled-rfc", "negative-opinion"],
)
def test_an_rfc_that_sends_the_application_to_a_clerk_is_added_with_a_warning_saying_so(
    client, application, xroad_sandbox, curp, rfc, standing, situation, remedy
):
    page = add(client, application, curp=curp, rfc=rfc).content.decode()
    founder = Founder.objects.get(application=application)
    assert founder.tax_status == standing
    [(level, text)] = messages_of(page)
    assert level == "warning"
    assert text.startswith(f"{situation} {SAS_REVIEW} {remedy}")
    assert "el personal del registro revisará la solicitud" in page, "the founders table says so"


@pytest.mark.parametrize(
    ("curp", "rfc", "sent_to_review"),
    [
        ("RAOA900514MQTMLN01", "RAOA9005149F8", False),
        ("UILJ920830HGTRDR01", "UILJ920830DJA", True),
        ("FEGM960911HQTRMN02", "FEGM9609118E9", True),
        ("HETL780223MQTRRZ05", "HETL7802236H2", True),
    ],
    ids=["active", "suspended", "cancelled", "negative-opinion"],
)
def test_what_adding_says_about_a_clerk_is_what_processing_will_do(
    client, application, xroad_sandbox, curp, rfc, sent_to_review
):
    add(client, application, curp=curp, rfc=rfc)
    founder = Founder.objects.get(application=application)
    result = checks.CHECKERS[RegistryCheck.Kind.TAXPAYER](application, rfc).result
    assert rules.founder_sends_to_review(founder) is sent_to_review
    assert (result == RegistryCheck.Result.NEGATIVE) is sent_to_review


def test_the_first_display_shows_no_problem_until_something_is_submitted(client, application):
    response = client.get(founders_url(application))
    page = response.content.decode()
    assert response.context["problems"] == []
    assert 'class="notice"' not in page and "error-summary" not in page
    page = client.post(founders_url(application), {"action": "continue"}).content.decode()
    assert 'class="notice"' in page
    assert "Una S.A.S. necesita al menos 1 socio. Agrega socios." in page


def test_a_malformed_curp_is_refused_before_any_registry_call(client, application, xroad_sandbox):
    page = add(client, application, curp="RAOA900514MQTMLN0").content.decode()
    assert "Una CURP tiene 18 letras y dígitos" in page
    assert xroad_sandbox.exchanges() == []


def test_an_rfc_that_belongs_to_someone_else_is_refused(client, application, xroad_sandbox):
    page = add(client, application, curp="RAOA900514MQTMLN01", rfc="MERC851102QB4").content.decode()
    assert "pertenece a otra persona" in page


def test_registry_down_keeps_the_founder_and_says_the_draft_is_saved(
    client, application, xroad_sandbox
):
    xroad_sandbox.inject_fault("MX-DEV/GOV/RENAPO/poblacion/personas", FaultSpec(down=True))
    page = add(client, application, curp="MERC851102HQTNSR00").content.decode()
    founder = Founder.objects.get(application=application)
    assert founder.person_status == "unavailable"
    assert "Tu borrador está guardado" in page
    xroad_sandbox.clear_faults()
    client.post(founders_url(application), {"action": "recheck", "founder": founder.pk})
    founder.refresh_from_db()
    assert (founder.person_status, founder.given_names) == ("active", "Carlos Eduardo")


def test_the_step_is_complete_when_contributions_match_the_capital(
    client, application, xroad_sandbox
):
    add(client, application, curp="RAOA900514MQTMLN01", contribution="10000")
    page = client.post(
        founders_url(application), {"action": "capital", "capital-capital": "12000"}, follow=True
    )
    assert "suman MXN 10,000.00 pero el capital social es de MXN 12,000.00" in page.content.decode()
    response = client.post(founders_url(application), {"action": "continue"})
    assert response.status_code == 200
    client.post(founders_url(application), {"action": "capital", "capital-capital": "10000"})
    response = client.post(founders_url(application), {"action": "continue"})
    assert response.url == reverse(URL_NAME, args=[application.public_id, "administracion"])


def test_sas_administration_needs_exactly_one_founder(client, application):
    first = FounderFactory(application=application, is_administrator=False)
    second = FounderFactory(
        application=application, curp="MERC851102HQTNSR00", is_administrator=False
    )
    url = reverse(URL_NAME, args=[application.public_id, "administracion"])
    page = client.post(url, {"administrators": [first.pk, second.pk]}).content.decode()
    assert "tiene un solo administrador" in page
    client.post(url, {"administrators": [second.pk]})
    assert list(application.founders.filter(is_administrator=True)) == [second]


def test_sa_needs_a_comisario_who_is_not_an_administrator(client, applicant):
    client.force_login(applicant)
    application = ApplicationFactory(
        filer=applicant, legal_form=LegalForm.objects.get(code="sa-de-cv")
    )
    admin = FounderFactory(application=application, is_administrator=False)
    url = reverse(URL_NAME, args=[application.public_id, "administracion"])
    page = client.post(url, {"administrators": [admin.pk]}).content.decode()
    assert "necesita un comisario" in page
    page = client.post(
        url, {"administrators": [admin.pk], "comisario_name": "Ana", "comisario_curp": admin.curp}
    ).content.decode()
    assert "no puede administrar también" in page
    client.post(
        url,
        {
            "administrators": [admin.pk],
            "comisario_name": "Carlos Mendoza",
            "comisario_curp": "MERC851102HQTNSR00",
        },
    )
    application.refresh_from_db()
    assert application.comisario_curp == "MERC851102HQTNSR00"


def test_another_entrepreneur_cannot_touch_founders(client, applicant, other_applicant):
    application = ApplicationFactory(filer=applicant)
    founder = FounderFactory(application=application)
    client.force_login(other_applicant)
    response = client.post(founders_url(application), {"action": "remove", "founder": founder.pk})
    assert response.status_code == 404
    assert Founder.objects.filter(pk=founder.pk).exists()


# -- Companies as founders (personas morales) -------------------------------------------------
# These pages are read in English (the language cookie), so that the assertions hold both
# before and after the Spanish catalogue has the new messages.

JURICA = {"legal_name": "Constructora Jurica, S.A. de C.V.", "company_rfc": "CJU150610I85"}


@pytest.fixture
def sa_application(in_english, applicant):
    in_english.force_login(applicant)
    return ApplicationFactory(filer=applicant, legal_form=LegalForm.objects.get(code="sa-de-cv"))


def add_company(client, application, **fields):
    values = {**JURICA, "curp": "MERC851102HQTNSR00", **fields}
    return add(client, application, kind="legal", **values)


def test_a_company_founds_an_sa_with_its_rfc_checked_and_its_representative_verified(
    client, sa_application, xroad_sandbox
):
    page = add_company(client, sa_application).content.decode()
    founder = Founder.objects.get(application=sa_application)
    assert (founder.kind, founder.legal_name, founder.rfc) == (
        "legal",
        "Constructora Jurica, S.A. de C.V.",
        "CJU150610I85",
    )
    assert (founder.person_status, founder.given_names, founder.tax_status) == (
        "active",
        "Carlos Eduardo",
        "active",
    )
    assert str(founder) == "Constructora Jurica, S.A. de C.V."
    assert "a company, represented by Carlos Eduardo Mendoza Reséndiz" in page
    assert "its RFC was checked with the tax registry" in page
    assert [level for level, _text in messages_of(page)] == ["success"]
    services = {r.service for r in xroad_sandbox.exchanges()}
    assert services == {
        "MX-DEV/GOV/RENAPO/poblacion/personas",
        "MX-DEV/GOV/SAT/padron/contribuyentes",
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"legal_name": ""},
            "legal_name",
            "Write the company&#x27;s name as in its deed, e.g. Inversiones del Bajío, S.A. de C.V.",
        ),
        (
            {"company_rfc": ""},
            "company_rfc",
            "Write the company&#x27;s RFC: 12 letters and digits, like IBA990101AB0.",
        ),
        (
            {"company_rfc": "CJU15061"},
            "company_rfc",
            "Write the company&#x27;s RFC: 12 letters and digits, like IBA990101AB0.",
        ),
        (
            {"company_rfc": "RAOA9005149F8"},
            "company_rfc",
            "RFC RAOA9005149F8 belongs to a person, not to a company.",
        ),
        (
            {"company_rfc": "CJU150610I84"},
            "company_rfc",
            "The last character of this RFC does not match the rest.",
        ),
        (
            {"curp": ""},
            "curp",
            "Write the CURP of the person who signs on the company&#x27;s behalf.",
        ),
    ],
)
def test_a_company_founder_needs_its_name_a_companys_rfc_and_a_representative(
    client, sa_application, xroad_sandbox, fields, field, message
):
    response = add_company(client, sa_application, **fields)
    assert message in response.content.decode()
    assert response.context["founder_form"].has_error(field)
    assert not Founder.objects.filter(application=sa_application).exists()
    assert xroad_sandbox.exchanges() == [], "refused before any registry call"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"company_rfc": "ZZZ010101AU3"},
            "The tax registry does not know RFC ZZZ010101AU3. Copy it again from the company",
        ),
        (
            {"legal_name": "Aeropartes Querétaro, S.A. de C.V."},
            "The tax registry has RFC CJU150610I85 under the name “Constructora Jurica”, "
            "not “Aeropartes Querétaro, S.A. de C.V.”",
        ),
        ({"curp": "SAGR500127HQTLMB07"}, "belonging to a deceased person"),
    ],
)
def test_the_registries_refuse_an_unknown_rfc_another_companys_rfc_or_a_dead_representative(
    client, sa_application, xroad_sandbox, fields, message
):
    page = add_company(client, sa_application, **fields).content.decode()
    assert message in page
    assert not Founder.objects.filter(application=sa_application).exists()


def test_a_suspended_company_is_added_and_shown_as_suspended(client, sa_application, xroad_sandbox):
    page = add_company(
        client,
        sa_application,
        legal_name="Comercializadora Agrícola del Bajío, S. de R.L. de C.V.",
        company_rfc="CAB180903E24",
    ).content.decode()
    assert Founder.objects.get(application=sa_application).tax_status == "suspended"
    assert "suspended at the tax registry: a registry clerk will review the application" in page
    assert messages_of(page) == [
        (
            "warning",
            "Comercializadora Agrícola del Bajío, S. de R.L. de C.V. was added, but its RFC "
            "CAB180903E24 is suspended at the tax registry (SAT). A registry clerk reviews every "
            "S.A. de C.V. application and will have to look into this as well, which may take "
            "longer. To avoid it, Comercializadora Agrícola del Bajío, S. de R.L. de C.V. can file "
            "the notice of resumption of activities (aviso de reanudación de actividades) with SAT "
            "before you submit the application, or you can remove it from the founders.",
        )
    ]


def test_a_cancelled_company_is_added_with_a_warning_and_what_to_do(
    client, sa_application, xroad_sandbox
):
    page = add_company(
        client,
        sa_application,
        legal_name="Transportes Tequisquiapan, S.A. de C.V.",
        company_rfc="TTE0904222D6",
    ).content.decode()
    [(level, text)] = messages_of(page)
    assert level == "warning"
    assert "its RFC TTE0904222D6 is cancelled at the tax registry (SAT)" in text
    assert "To avoid it, check the RFC on the company&#x27;s tax certificate" in text


def test_a_person_can_found_and_also_sign_for_a_company_but_neither_twice(
    client, sa_application, xroad_sandbox
):
    add(client, sa_application, curp="MERC851102HQTNSR00")
    add_company(client, sa_application)
    assert sa_application.founders.filter(curp="MERC851102HQTNSR00").count() == 2
    again = add_company(client, sa_application, curp="RAOA900514MQTMLN01").content.decode()
    assert "This company is already one of the founders." in again
    twice = add(client, sa_application, curp="MERC851102HQTNSR00").content.decode()
    assert "This person is already a founder of this company." in twice
    assert sa_application.founders.count() == 2


def test_a_persons_fields_ignore_the_company_ones_and_refuse_a_companys_rfc(
    client, sa_application, xroad_sandbox
):
    page = add(
        client, sa_application, curp="RAOA900514MQTMLN01", rfc="CJU150610I85", **JURICA
    ).content.decode()
    assert "RFC CJU150610I85 has 12 characters: it belongs to a company." in page
    add(client, sa_application, curp="RAOA900514MQTMLN01", kind="natural", **JURICA)
    founder = Founder.objects.get(application=sa_application)
    assert (founder.kind, founder.legal_name, founder.rfc) == ("natural", "", "")


def test_an_sas_refuses_a_company_founder_and_does_not_offer_it(
    client, in_english, application, xroad_sandbox
):
    page = client.get(founders_url(application)).content.decode()
    assert 'name="founder-kind"' not in page
    assert "An S.A.S. is founded by people only" in page
    page = add_company(client, application).content.decode()
    assert "A S.A.S. can only be founded by people, not by companies." in page
    assert not Founder.objects.filter(application=application).exists()


def test_a_company_left_in_after_switching_to_an_sas_blocks_the_step(client, application):
    CompanyFounderFactory(application=application, contribution=10000)
    application.capital = 10000
    application.save()
    response = client.post(founders_url(application), {"action": "continue"})
    assert response.status_code == 200, "the step is not complete"
    problems = [p.code for p in response.context["problems"]]
    assert problems == ["company_founder_not_allowed"]


def test_a_company_cannot_administer(client, sa_application):
    person = FounderFactory(application=sa_application, is_administrator=False)
    company = CompanyFounderFactory(application=sa_application)
    url = reverse(URL_NAME, args=[sa_application.public_id, "administracion"])
    form_page = client.get(url).content.decode()
    assert "A company that is a founder cannot administer: choose people." in form_page
    page = client.post(
        url,
        {
            "administrators": [person.pk, company.pk],
            "comisario_name": "Luz María Hernández Trejo",
            "comisario_curp": "HETL780223MQTRRZ05",
        },
    ).content.decode()
    assert (
        "Constructora Jurica, S.A. de C.V. is a company and cannot be an administrator. "
        "Choose a person instead." in page
    )
    assert not sa_application.founders.filter(is_administrator=True).exists()


def test_tax_registry_down_keeps_the_company_to_check_again_later(
    client, sa_application, xroad_sandbox
):
    xroad_sandbox.inject_fault("MX-DEV/GOV/SAT/padron/contribuyentes", FaultSpec(down=True))
    page = add_company(
        client, sa_application, legal_name="Aeropartes Querétaro, S.A. de C.V."
    ).content.decode()
    founder = Founder.objects.get(application=sa_application)
    assert (founder.tax_status, founder.person_status) == ("unavailable", "active")
    assert "We could not check RFC CJU150610I85 with the tax registry right now" in page
    assert [level for level, _text in messages_of(page)] == ["warning"]
    assert 'value="recheck"' in page
    xroad_sandbox.clear_faults()
    page = client.post(
        founders_url(sa_application), {"action": "recheck", "founder": founder.pk}, follow=True
    ).content.decode()
    assert "The tax registry has RFC CJU150610I85 under the name “Constructora Jurica”" in page
    founder.refresh_from_db()
    assert founder.tax_status == "unavailable", "still to be corrected: not marked as checked"
    founder.legal_name = "Constructora Jurica, S.A. de C.V."
    founder.save()
    client.post(founders_url(sa_application), {"action": "recheck", "founder": founder.pk})
    founder.refresh_from_db()
    assert founder.tax_status == "active"


def test_the_value_of_each_share_is_saved_with_the_capital(client, application):
    client.post(
        founders_url(application),
        {"action": "capital", "capital-capital": "10000", "capital-share_value": "100"},
    )
    application.refresh_from_db()
    assert (application.capital, application.share_value) == (Decimal("10000"), Decimal("100"))
    page = client.post(
        founders_url(application),
        {"action": "capital", "capital-capital": "10000", "capital-share_value": "0"},
    ).content.decode()
    assert "El valor de cada acción debe ser de más de cero pesos." in page
    application.refresh_from_db()
    assert application.share_value == Decimal("100")


def test_partnership_parts_have_no_share_value_field(client, applicant):
    partnership = ApplicationFactory(
        filer=applicant, legal_form=LegalForm.objects.get(code="s-de-rl-de-cv")
    )
    page = client.get(founders_url(partnership)).content.decode()
    assert "capital-share_value" not in page
