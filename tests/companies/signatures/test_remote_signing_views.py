"""The remote signing views (companies/views/remote_signing.py) with Django's test client and
the sandbox e-identity: the signing room's plain form, the step-up at the provider, the
callback at /firma-remota/vuelta/, and each way it can go wrong told on the signing room."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from companies import workflow
from companies.documents import founder_signing
from companies.models import Signature
from companies.signatures import refusals
from tests.factories import EntrepreneurFactory, complete_application
from tests.portal.test_eidentity import sign_in_with_eidentity

pytestmark = pytest.mark.django_db
ANA = "RAOA900514MQTMLN01"
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def sent(applicant, other_applicant, identity_provider, xroad_sandbox):
    return workflow.send_for_signatures(complete_application(applicant), actor=applicant)


@pytest.fixture
def drawn(sent):
    founder_signing.draw(sent.pk)
    return sent


def start(client: Client, application) -> str:
    response = client.post(reverse("companies:remote_sign", args=[application.public_id]))
    assert response.status_code == 302
    return response.url


def at_the_provider(url: str, *, confirm: bool = True) -> str:
    """The founder at the step-up page: Firmar (or Cancelar); the callback path and query."""
    with httpx.Client() as browser:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        token = FORM_TOKEN.search(page.text)
        assert token is not None
        answer = browser.post(
            page.url.copy_with(query=None),
            data={"form_token": token[1], "action": "continue" if confirm else "cancel"},
        )
    back = urlsplit(answer.headers["location"])
    assert back.netloc == "testserver" and back.path == "/firma-remota/vuelta/"
    return f"{back.path}?{back.query}"


def told(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_ana_signs_through_the_remote_service_and_it_counts(client, drawn):
    sign_in_with_eidentity(client, ANA)
    step_up = start(client, drawn)
    assert "hashes=" in step_up and "credentialID=" in step_up

    response = client.get(at_the_provider(step_up))

    assert response.url == reverse("companies:signatures", args=[drawn.public_id])
    signature = Signature.objects.get(founder__curp=ANA)
    assert (signature.decision, signature.method) == ("approved", "remote")
    assert "remote_signing" not in client.session  # the step-up is spent


def test_a_cancelled_step_up_is_told_and_nothing_is_signed(client, drawn):
    sign_in_with_eidentity(client, ANA)
    response = client.get(at_the_provider(start(client, drawn), confirm=False))

    assert response.url == reverse("companies:sign", args=[drawn.public_id])
    assert told(response) == [
        "Cancelaste la firma en la identidad digital. No se firmó nada: vuelve a firmar "
        "cuando quieras."
    ]
    assert not Signature.objects.exists()


def test_an_answer_for_another_step_up_is_refused(client, drawn):
    sign_in_with_eidentity(client, ANA)
    start(client, drawn)
    response = client.get("/firma-remota/vuelta/?code=abc&state=someone-elses")

    assert response.url == reverse("companies:sign", args=[drawn.public_id])
    assert "no corresponde a la firma que iniciaste aquí" in told(response)[0]
    assert not Signature.objects.exists()


def test_a_callback_without_a_step_up_under_way_is_refused(client, drawn):
    sign_in_with_eidentity(client, ANA)
    response = client.get("/firma-remota/vuelta/?code=abc&state=xyz")

    assert response.url == reverse("companies:dashboard")
    assert "no corresponde a la firma que iniciaste aquí" in told(response)[0]


def test_the_portals_refusal_is_told_before_the_provider_is_asked(client, sent):
    sign_in_with_eidentity(client, ANA)  # the articles are not drawn yet
    response = client.post(reverse("companies:remote_sign", args=[sent.public_id]))

    assert response.url == reverse("companies:sign", args=[sent.public_id])
    assert told(response) == [refusals.DocumentPreparing().message]
    assert "remote_signing" not in client.session


def test_somebody_elses_application_is_not_found(client, drawn):
    client.force_login(EntrepreneurFactory(curp="MOPV010309MQTRRLA6", username="valeria"))
    response = client.post(reverse("companies:remote_sign", args=[drawn.public_id]))
    assert response.status_code == 404


def test_the_form_needs_the_csrf_token(drawn):
    client = Client(enforce_csrf_checks=True)
    sign_in_with_eidentity(client, ANA)
    response = client.post(reverse("companies:remote_sign", args=[drawn.public_id]))
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_only_a_post_starts_a_signature(client, drawn):
    sign_in_with_eidentity(client, ANA)
    response = client.get(reverse("companies:remote_sign", args=[drawn.public_id]))
    assert response.status_code == 405


def test_the_signing_room_offers_both_ways_and_lets_the_form_go_to_the_provider(
    client, drawn, identity_provider
):
    sign_in_with_eidentity(client, ANA)
    response = client.get(reverse("companies:sign", args=[drawn.public_id]))

    page = response.content.decode()
    assert (
        'data-prepare-url="' + reverse("companies:efirma_prepare", args=[drawn.public_id]) in page
    )
    assert reverse("companies:remote_sign", args=[drawn.public_id]) in page
    assert "Firmar con mi identidad digital" in page and "Firmar con mi e.firma" in page
    assert identity_provider in response.headers["Content-Security-Policy"].split("form-action")[1]


def test_a_remote_signature_waits_while_sat_is_silent_then_counts_when_beat_asks_again(
    client, drawn, xroad_sandbox
):
    """SAT's OCSP does not answer when the remote service's signature comes back: the founder is
    told it waits (nothing to sign again), the signing room shows it being checked, and beat's
    check-waiting-signatures counts it once SAT answers, telling the founder."""
    from companies import jobs, tasks
    from companies.models import OutboxMessage, SigningSession
    from xroad_client.emulator import FaultSpec

    xroad_sandbox.inject_fault("MX-DEV/GOV/SAT/padron/certificados", FaultSpec(down=True))
    sign_in_with_eidentity(client, ANA)

    response = client.get(at_the_provider(start(client, drawn)))

    assert response.url == reverse("companies:signatures", args=[drawn.public_id])
    assert told(response) == [refusals.SignatureWaits().message]
    session = SigningSession.objects.get(founder__curp=ANA)
    assert (session.status, session.method) == ("waiting", "remote")
    assert not Signature.objects.exists()
    room = client.get(response.url).content.decode()
    assert "Firmó; se está verificando con el SAT" in room
    assert tasks.check_waiting_signatures() == 0  # SAT still silent: kept waiting, not refused
    assert SigningSession.objects.get().status == "waiting"

    xroad_sandbox.clear_faults()
    assert tasks.check_waiting_signatures() == 1

    signature = Signature.objects.get(founder__curp=ANA)
    assert (signature.decision, signature.method) == ("approved", "remote")
    assert signature.certificate_status.status == "good"
    assert signature.certificate_status.x_road_id  # SAT's answer came over X-Road
    assert SigningSession.objects.get().status == "signed"
    assert OutboxMessage.objects.filter(task=jobs.TELL_SIGNER).count() == 1
    assert "Firmó; se está verificando con el SAT" not in client.get(response.url).content.decode()
