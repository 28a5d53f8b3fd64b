"""A clerk signs in with TOTP, claims an S.A. de C.V. and asks for changes; the applicant
corrects, everyone signs again (with their demo e.firma) and it is resubmitted; the clerk approves. Both follow it."""

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from companies import workflow
from companies.models import Application, Payment
from companies.processing import checks
from portal import roles
from tests.factories import EntrepreneurFactory, UserFactory, complete_application

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-staple-42"


def in_review_sa() -> Application:
    ana = EntrepreneurFactory()
    application = complete_application(ana, legal_form="sa-de-cv")
    Payment.objects.create(
        application=application, reference="QRO4996099406", amount="1850.00", status="paid"
    )
    for verb in ("send_for_signatures", "submit", "start_checks", "send_to_review"):
        fields = (
            {"submitted_at": timezone.now(), "first_submitted_at": timezone.now()}
            if verb == "submit"
            else None
        )
        workflow._transition(application.pk, verb, fields=fields, reason="", data=None)
    return Application.objects.get(pk=application.pk)


def clerk_signs_in(page) -> None:
    clerk = UserFactory(
        username="registradora", role=roles.CLERKS, is_staff=True, first_name="Rosa"
    )
    clerk.set_password(PASSWORD)
    clerk.save()
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    page.goto("/entrar/")
    page.get_by_label("Nombre de usuario").fill("registradora")
    page.get_by_label("Contraseña").fill(PASSWORD)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Código de tu aplicación de autenticación").fill(f"{code:06d}")
    page.get_by_role("button", name="Entrar como personal").click()
    page.wait_for_url("**/registro/")


def test_clerk_requests_changes_applicant_corrects_clerk_approves(portal, new_page):
    from tests.browser.conftest import (
        sign_in_with_eidentity,
        signs_in_the_signing_room,
        the_worker_draws_the_articles_to_sign,
    )

    application = in_review_sa()
    clerk = new_page()
    clerk_signs_in(clerk)
    clerk.get_by_role("link", name=application.full_name).click()
    clerk.get_by_role("button", name="Tomarla").click()
    clerk.get_by_label("¿Qué debe cambiar quien presenta la solicitud?").fill(
        "La colonia no coincide con la escritura."
    )
    clerk.get_by_label("Domicilio social").check()
    clerk.get_by_role("button", name="Solicitar correcciones").last.click()
    assert "Se solicitaron correcciones" in clerk.content()

    ana = new_page()
    sign_in_with_eidentity(ana, "RAOA900514MQTMLN01")
    ana.goto(f"/solicitudes/{application.public_id}/estado/")
    assert "La colonia no coincide con la escritura." in ana.content()
    ana.get_by_role("link", name="Hacer las correcciones").click()
    assert "por corregir" in ana.content()
    ana.get_by_label("Colonia").fill("Centro Histórico")
    ana.get_by_role("button", name="Guardar y continuar").click()
    ana.goto(f"/solicitudes/{application.public_id}/paso/revision/")
    ana.get_by_role("button", name="Enviar a firma").click()
    the_worker_draws_the_articles_to_sign(application.pk)
    ana.get_by_role("link", name="Revisar y firmar").click()
    signs_in_the_signing_room(ana, "ana")
    carlos = new_page()
    sign_in_with_eidentity(carlos, "MERC851102HQTNSR00")
    carlos.goto(f"/solicitudes/{application.public_id}/firmas/")
    carlos.get_by_role("link", name="Revisar y firmar").click()
    signs_in_the_signing_room(carlos, "carlos")
    ana.goto(f"/solicitudes/{application.public_id}/firmas/")
    ana.get_by_role("button", name="Presentar la solicitud").click()
    ana.wait_for_url("**/estado/")

    checks.process(application.pk)  # what the worker does after submission
    clerk.goto(f"/registro/{application.public_id}/")
    clerk.get_by_role("button", name="Tomarla").click()
    clerk.get_by_role("button", name="Aprobar e inscribir").click()
    assert "Aprobada e inscrita" in clerk.content()

    ana.goto(f"/solicitudes/{application.public_id}/estado/")
    assert "Estado: Inscrita" in ana.locator(".status-line").inner_text()
    number = Application.objects.get(pk=application.pk).company.registration_number
    assert number in ana.content()
    assert clerk.console_errors == [] and ana.console_errors == []
