"""The whole filing journey in Chromium, as two founders would do it: e-identity sign-in, the
wizard, the signing room (each signs with their demo e.firma in the page, or without JavaScript
through the remote signing service), the fee at the sandbox bank, submission and the status
page."""

import re

import pytest

from companies.models import Application, LegalForm

pytestmark = pytest.mark.django_db(transaction=True)
ANA = "RAOA900514MQTMLN01"
CARLOS = "MERC851102HQTNSR00"


def fill_the_wizard(page) -> None:
    page.get_by_role("button", name="Empezar una empresa nueva").click()
    page.get_by_label("S.A.S.").check()
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("Nombre de la empresa").fill("Tortillería La Esperanza")
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("Municipio").select_option(label="Querétaro")
    page.get_by_label("Calle").fill("Av. Zaragoza")
    page.get_by_label(re.compile(r"^Número:?$")).fill("10")
    page.get_by_label("Colonia").fill("Centro")
    page.get_by_label("Código postal").fill("76000")
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("¿A qué se dedicará la empresa?").fill(
        "Elaboración y venta de tortillas de maíz."
    )
    page.get_by_label("Códigos de actividad SCIAN").fill("311830")
    page.get_by_role("button", name="Guardar y continuar").click()
    for curp, email, amount in (
        (ANA, "ana@example.mx", "6000"),
        (CARLOS, "carlos@example.mx", "4000"),
    ):
        page.get_by_label("CURP").fill(curp)
        page.get_by_label("Correo electrónico").fill(email)
        page.get_by_label("Aportación").fill(amount)
        page.get_by_role("button", name="Verificar y agregar").click()
        assert "con el registro de población; ya forma parte de la solicitud" in page.content()
    page.get_by_label("Capital social (MXN)").fill("10000")
    page.get_by_role("button", name="Guardar el capital").click()
    page.get_by_role("button", name="Continuar").click()
    page.get_by_label("Ana Sofía Ramírez Olvera").check()
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_role("button", name="Guardar y continuar").click()  # the articles' defaults
    page.get_by_role("button", name="Enviar a firma").click()
    assert "Invitamos por correo a cada socio" in page.content()


def sign(page, person: str, *, javascript: bool) -> None:
    """With JavaScript, with the demo e.firma in the page; without, the remote signing service."""
    from tests.browser.conftest import signs_in_the_signing_room

    page.get_by_role("link", name="Revisar y firmar").click()
    signs_in_the_signing_room(page, person, javascript=javascript)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_two_founders_file_sign_pay_and_submit_an_sas(portal, new_page, javascript):
    from tests.browser.conftest import sign_in_with_eidentity, the_worker_draws_the_articles_to_sign

    LegalForm.objects.filter(code="sas").update(fee="500.00")  # the state's fee, as data
    ana = new_page(javascript=javascript)
    sign_in_with_eidentity(ana, ANA)
    fill_the_wizard(ana)
    signatures_url = ana.url
    the_worker_draws_the_articles_to_sign(Application.objects.get(filer__curp=ANA).pk)
    sign(ana, "ana", javascript=javascript)

    carlos = new_page(javascript=javascript)
    sign_in_with_eidentity(carlos, CARLOS)
    carlos.goto(signatures_url)  # the link in the invitation e-mail
    sign(carlos, "carlos", javascript=javascript)

    ana.goto(signatures_url)
    ana.get_by_role("button", name="Obtener la referencia de pago").click()
    reference = re.search(r"QRO\d{10}", ana.content()).group(0)
    ana.get_by_role("link", name="Pagar en el banco de prueba").click()
    ana.get_by_role("button", name="Pagar").click()
    assert f"Pagada: {reference}" in ana.content()
    ana.goto(signatures_url)
    ana.get_by_role("button", name="Ya pagué: verificar el pago").click()
    assert "Pagado" in ana.content()
    ana.get_by_role("button", name="Presentar la solicitud").click()
    ana.wait_for_url("**/estado/")
    assert ana.locator(".status-line").inner_text() in {
        "Estado: Enviada",
        "Estado: En verificación con los registros",
        "Estado: Inscrita",
    }
    assert "24 horas" in ana.content() or "Inscrita" in ana.content()
    application = Application.objects.get(filer__curp=ANA)
    assert application.submitted_at is not None
    signatures = application.versions.get().signatures
    assert set(signatures.values_list("method", flat=True)) == {
        "browser" if javascript else "remote"
    }
    assert signatures.count() == 2
    assert ana.console_errors == [] and carlos.console_errors == []  # no CSP violation, no 404


def start_an_sa(page) -> None:
    """The wizard up to the founders step, for an S.A. de C.V."""
    page.get_by_role("button", name="Empezar una empresa nueva").click()
    page.get_by_label("S.A. de C.V.").check()
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("Nombre de la empresa").fill("Tostadas Doña Chela")
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("Municipio").select_option(label="Querétaro")
    page.get_by_label("Calle").fill("Av. Universidad")
    page.get_by_label(re.compile(r"^Número:?$")).fill("120")
    page.get_by_label("Colonia").fill("Centro")
    page.get_by_label("Código postal").fill("76000")
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("¿A qué se dedicará la empresa?").fill(
        "Elaboración y venta de tostadas de maíz."
    )
    page.get_by_label("Códigos de actividad SCIAN").fill("311830")
    page.get_by_role("button", name="Guardar y continuar").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_company_is_added_as_a_founder_of_an_sa_de_cv(portal, new_page, javascript):
    """The company's fields appear only when "a company" is chosen (CSS, no script), and the
    company is checked with the tax registry and its representative with the population's."""
    from tests.browser.conftest import sign_in_with_eidentity

    ana = new_page(javascript=javascript)
    sign_in_with_eidentity(ana, ANA)
    start_an_sa(ana)
    company_name, company_rfc = (
        ana.locator("#id_founder-legal_name"),
        ana.locator("#id_founder-company_rfc"),
    )
    assert company_name.is_hidden() and company_rfc.is_hidden()  # "a person" is chosen
    ana.get_by_label("CURP").fill(ANA)
    ana.get_by_label("Correo electrónico").fill("ana@example.mx")
    ana.get_by_label("Aportación").fill("6000")
    ana.get_by_role("button", name="Verificar y agregar").click()
    assert "con el registro de población; ya forma parte de la solicitud" in ana.content()

    ana.locator("input[name='founder-kind'][value='legal']").check()
    assert company_name.is_visible() and ana.locator("#id_founder-rfc").is_hidden()
    company_name.fill("Constructora Jurica, S.A. de C.V.")
    company_rfc.fill("CJU150610I85")
    ana.get_by_label("CURP").fill(CARLOS)
    ana.get_by_label("Correo electrónico").fill("carlos@example.mx")
    ana.get_by_label("Aportación").fill("4000")
    ana.get_by_role("button", name="Verificar y agregar").click()
    founders = ana.get_by_role("table")
    assert "Constructora Jurica, S.A. de C.V." in founders.inner_text()
    assert "Carlos Eduardo Mendoza Reséndiz" in founders.inner_text()
    assert company_name.is_hidden(), "the form is back to a person, ready for the next founder"

    ana.get_by_label("Capital social (MXN)").fill("10000")
    ana.get_by_role("button", name="Guardar el capital").click()
    ana.get_by_role("button", name="Continuar").click()
    ana.wait_for_url("**/paso/administracion/")
    application = Application.objects.get(filer__curp=ANA)
    company = application.founders.get(kind="legal")
    assert (company.rfc, company.curp, company.tax_status, company.person_status) == (
        "CJU150610I85",
        CARLOS,
        "active",
        "active",
    )
    assert ana.console_errors == []
