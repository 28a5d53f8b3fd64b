"""The founders step checks people with the registries over X-Road as soon as they are added."""

import pytest
from django.urls import reverse

from companies.models import Founder, LegalForm
from tests.factories import ApplicationFactory, FounderFactory
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
    assert "fue verificada con el registro de población" in page


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
    assert "suman MXN 10000.00 pero el capital social es de MXN 12000.00" in page.content.decode()
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
