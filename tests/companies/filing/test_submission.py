"""From a complete draft to submission: versions, signatures with fresh e-identity, the fee
confirmed over X-Road, and an idempotent submit."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import resolve, reverse

from companies import audit, tasks, workflow
from companies.filing import signing, versions
from companies.models import ApplicationEvent, Payment, Signature
from tests.conftest import fresh_login
from tests.factories import (
    ApplicationFactory,
    CompanyFounderFactory,
    EntrepreneurFactory,
    complete_application,
    signs_as,
)

pytestmark = pytest.mark.django_db


def test_sending_for_signatures_freezes_a_hashed_version_and_invites_every_founder(
    applicant, django_capture_on_commit_callbacks
):
    application = complete_application(applicant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.send_for_signatures(application, actor=applicant)
    version = versions.current(application)
    assert version.number == 1
    assert version.sha256 == audit.sha256(audit.canonical_json(versions.snapshot(application)))
    assert [f["curp"] for f in version.content["founders"]] == [
        "MERC851102HQTNSR00",
        "RAOA900514MQTMLN01",
    ]
    tasks.invite_founders_to_sign(application.pk)
    tasks.invite_founders_to_sign(application.pk)  # a redelivered task sends nothing twice
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.mx", "carlos@example.mx"]
    assert mail.outbox[0].subject == "Firma la constitución de Tortillería La Esperanza, S.A.S."
    assert version.sha256 in mail.outbox[0].body
    assert len(callbacks) == 1


def test_an_incomplete_application_cannot_be_sent(applicant):
    application = ApplicationFactory(filer=applicant)
    with pytest.raises(workflow.GuardFailed, match="Primero completa estos pasos"):
        workflow.send_for_signatures(application, actor=applicant)


def test_signing_needs_a_fresh_e_identity_sign_in(client, applicant):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    url = reverse("companies:sign", args=[application.public_id])
    response = fresh_login(client, applicant, seconds_ago=600).get(url)
    assert response.status_code == 302
    assert response.url.startswith("/oidc/authenticate/?fresh=1&next=")
    assert fresh_login(client, applicant).get(url).status_code == 200


def test_each_founder_signs_exactly_the_current_version_with_their_efirma(applicant, carlos):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    signs_as(application, applicant)
    assert not signing.all_signed(application)
    signs_as(application, carlos)
    assert signing.all_signed(application)
    signature = Signature.objects.get(founder__curp="MERC851102HQTNSR00")
    assert signature.version == versions.current(application) and signature.signer == carlos
    assert signature.method == Signature.Method.BROWSER and signature.certificate_status


def test_a_click_is_not_a_signature_the_founder_is_told_to_use_the_efirma(
    client, applicant, in_english
):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    url = reverse("companies:sign", args=[application.public_id])
    form = fresh_login(client, applicant).get(url).content.decode()
    assert 'value="approve"' not in form and "I approve and sign" not in form
    assert 'value="decline"' in form  # declining stays a click, with a reason

    page = client.post(url, {"decision": "approve"}, follow=True).content.decode()

    assert not Signature.objects.exists()
    assert (
        "A click is not a signature: sign with your e.firma, or through your e-identity&#x27;s "
        "remote signing service."
    ) in page
    with pytest.raises(workflow.GuardFailed, match=r"with their e\.firma or through the remote"):
        workflow.submit(application, actor=applicant)


def test_the_refusal_of_a_click_is_in_spanish_for_a_spanish_speaker(client, applicant):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    url = reverse("companies:sign", args=[application.public_id])

    page = fresh_login(client, applicant).post(url, {"decision": "approve"}, follow=True)

    assert "Un clic no es una firma: firma con tu e.firma" in page.content.decode()
    missing = signing.missing_for_submission(application)
    assert missing[0].startswith("Todos los socios deben firmar la versión actual con su e.firma")


def test_a_click_approval_from_before_no_longer_counts_until_the_founder_signs_again(
    applicant, carlos
):
    from django.utils import timezone

    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    version = versions.current(application)
    for founder in application.founders.all():  # approvals the portal took before item 7
        Signature.objects.create(
            version=version,
            founder=founder,
            signer=applicant if founder.curp == applicant.curp else carlos,
            decision=Signature.Decision.APPROVED,
            authenticated_at=timezone.now(),
        )
    assert not signing.all_signed(application)
    room = signing.signing_room(application, carlos)
    assert room.can_sign and room.mine is None and len(room.still_to_sign) == 2
    with pytest.raises(workflow.GuardFailed):
        workflow.submit(application, actor=applicant)

    for person in (applicant, carlos):
        signs_as(application, person)

    assert signing.all_signed(application)
    methods = set(version.signatures.values_list("method", flat=True))
    assert methods == {Signature.Method.BROWSER}  # the clicks were replaced, not kept beside


def test_an_edit_makes_a_new_version_and_clears_the_signatures(client, applicant, carlos):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    for person in (applicant, carlos):
        signs_as(application, person)
    fresh_login(client, applicant).post(reverse("companies:reopen", args=[application.public_id]))
    application.refresh_from_db()
    assert application.status == "draft"
    workflow.send_for_signatures(application, actor=applicant)
    assert versions.current(application).number == 2
    assert not signing.all_signed(application)


def test_declining_needs_a_reason_and_sends_the_application_back_to_draft(
    client, applicant, carlos
):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    url = reverse("companies:sign", args=[application.public_id])
    page = (
        fresh_login(client, carlos).post(url, {"decision": "decline"}, follow=True).content.decode()
    )
    assert "Explica a los demás socios" in page
    fresh_login(client, carlos).post(
        url, {"decision": "decline", "reason": "Mi aportación es de 5000"}
    )
    application.refresh_from_db()
    assert application.status == "draft"
    assert ApplicationEvent.objects.filter(
        verb="reopen", reason="Mi aportación es de 5000"
    ).exists()


def test_someone_who_is_not_a_founder_cannot_see_or_sign(client, applicant, other_applicant):
    application = complete_application(
        applicant, founders=[("RAOA900514MQTMLN01", "Ana", "R", "O", "10000", True)]
    )
    workflow.send_for_signatures(application, actor=applicant)
    for name in ("companies:sign", "companies:signatures", "companies:status"):
        assert (
            fresh_login(client, other_applicant)
            .get(reverse(name, args=[application.public_id]))
            .status_code
            == 404
        )
    response = fresh_login(client, other_applicant).post(
        reverse("companies:sign", args=[application.public_id]),
        {"decision": "decline", "reason": "No"},
    )
    assert response.status_code == 404
    assert not Signature.objects.exists()


def signed_by_everyone(client, application, people):
    workflow.send_for_signatures(application, actor=application.filer)
    for person in people:
        signs_as(application, person)


def test_submission_waits_for_every_signature_then_is_idempotent(
    client, applicant, carlos, django_capture_on_commit_callbacks
):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    with pytest.raises(workflow.GuardFailed, match="Todos los socios deben firmar"):
        workflow.submit(application, actor=applicant)
    for person in (applicant, carlos):
        signs_as(application, person)
    url = reverse("companies:submit", args=[application.public_id])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = fresh_login(client, applicant).post(url)
        second = client.post(url)  # double click, or a second tab
    assert first.url == second.url == reverse("companies:status", args=[application.public_id])
    application.refresh_from_db()
    assert application.status == "submitted" and application.submitted_at is not None
    assert ApplicationEvent.objects.filter(verb="submit").count() == 1
    assert len(callbacks) == 1  # processing is enqueued once


def test_the_fee_is_confirmed_with_the_payments_registry_never_the_browser(
    client, applicant, carlos, xroad_sandbox
):
    from sandbox.bank import bank_client

    application = complete_application(applicant, legal_form="sa-de-cv")
    signed_by_everyone(client, application, [applicant, carlos])
    pay_url = reverse("companies:pay", args=[application.public_id])
    fresh_login(client, applicant).post(pay_url, {"action": "create"})
    payment = Payment.objects.get(application=application)
    assert (payment.amount, payment.status) == (Decimal("1850.00"), "pending")
    client.post(pay_url, {"action": "check", "status": "paid"})  # whatever the browser claims
    payment.refresh_from_db()
    assert payment.status == "pending"
    with pytest.raises(workflow.GuardFailed, match="Falta pagar"):
        workflow.submit(application, actor=applicant)
    import anyio

    async def pay_at_the_bank():
        async with bank_client(
            "http://emulator", transport=xroad_sandbox.async_transport()
        ) as bank:
            response = await bank.post(
                "MX-DEV/GOV/QRO-FINANZAS/pagos/referencias",
                f"/v1/referencias/{payment.reference}/pay",
                idempotent=True,
            )
            assert response.status == 200

    anyio.run(pay_at_the_bank)
    client.post(pay_url, {"action": "check"})
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.confirmed_x_road_id
    assert workflow.submit(application, actor=applicant).status == "submitted"


def test_status_page_polls_with_htmx_and_shows_the_timeline(client, applicant, carlos):
    application = complete_application(applicant)
    signed_by_everyone(client, application, [applicant, carlos])
    workflow.submit(application, actor=applicant)
    url = reverse("companies:status", args=[application.public_id])
    page = fresh_login(client, carlos).get(url).content.decode()
    assert "Enviada" in page and "quedan" in page and 'hx-trigger="every 1s"' in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<div id="timeline"')


def test_the_last_signature_tells_everyone_and_the_dashboard_lists_what_waits(
    client, applicant, carlos, django_capture_on_commit_callbacks, mailoutbox
):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    dashboard = fresh_login(client, carlos).get(reverse("companies:dashboard")).content.decode()
    assert "Espera tu firma" in dashboard
    signs_as(application, applicant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signs_as(application, carlos)
    assert len(callbacks) == 1
    tasks.tell_founders(application.pk, "all_signed", "v1")
    tasks.tell_founders(application.pk, "all_signed", "v1")  # redelivered: nothing new
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.mx", "carlos@example.mx"]
    assert mailoutbox[0].subject == "Todos los socios firmaron Tortillería La Esperanza, S.A.S."
    dashboard = client.get(reverse("companies:dashboard")).content.decode()
    assert "Espera tu firma" not in dashboard


def test_a_clerks_request_for_changes_reaches_the_founders_and_reopens_the_steps(
    client, applicant, carlos, clerk, django_capture_on_commit_callbacks, mailoutbox
):
    application = complete_application(applicant)
    signed_by_everyone(client, application, [applicant, carlos])
    workflow.submit(application, actor=applicant)
    for verb in ("start_checks", "send_to_review"):
        workflow._transition(application.pk, verb)
    message = "La aportación de Carlos no coincide con el comprobante."
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.request_changes(application, actor=clerk, message=message, sections=["socios"])
    assert len(callbacks) == 1
    tasks.tell_founders(application.pk, "changes_requested", "changes:1")
    assert message in mailoutbox[0].body
    status = (
        fresh_login(client, carlos)
        .get(reverse("companies:status", args=[application.public_id]))
        .content.decode()
    )
    assert message in status
    resume = fresh_login(client, applicant).get(
        reverse("companies:resume", args=[application.public_id])
    )
    assert resume.url == reverse("companies:step", args=[application.public_id, "socios"])
    page = client.get(resume.url).content.decode()
    assert message in page and "(por corregir)" in page
    # the correction, new signatures and a second submission
    workflow.send_for_signatures(application, actor=applicant)
    assert versions.current(application).number == 2
    for person in (applicant, carlos):
        signs_as(application, person)
    assert workflow.submit(application, actor=applicant).status == "submitted"


def test_articles_preview_follows_the_chosen_options(client, applicant):
    application = complete_application(applicant)
    url = reverse("companies:step", args=[application.public_id, "estatutos"])
    page = fresh_login(client, applicant).get(url).content.decode()
    assert "Tortillería La Esperanza" in page and "duración de la empresa es indefinida" in page
    query = "?preview=1&duration=fixed&duration_years=30&foreigners=exclusion&share_transfer=free&fiscal_year=calendar"
    fragment = client.get(url + query, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<section id="articles-preview"')
    assert "existirá por 30 años" in fragment and "exclusión de extranjeros" in fragment


@pytest.mark.parametrize(
    "name", ["companies:send", "companies:reopen", "companies:pay", "companies:submit"]
)
def test_only_the_filer_may_send_reopen_pay_or_submit(client, applicant, carlos, clerk, name):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    url = reverse(name, args=[application.public_id])
    assert fresh_login(client, carlos).post(url).status_code == 404  # a founder, not the filer
    client.force_login(clerk)
    assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302 and "/entrar/" in client.post(url).url
    application.refresh_from_db()
    assert application.status == "awaiting_signatures" and not application.payments.exists()


@pytest.mark.parametrize("name", ["companies:signatures", "companies:sign", "companies:status"])
def test_staff_and_strangers_cannot_see_an_applicants_pages(client, applicant, clerk, name):
    application = complete_application(applicant)
    stranger = EntrepreneurFactory(curp="HETL780223MQTRRZ05", first_name="Luz María")
    url = reverse(name, args=[application.public_id])
    for person in (stranger, clerk):
        assert fresh_login(client, person).get(url).status_code == 404
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


# -- What each person is offered ----------------------------------------------------------


def changes_requested(client, application, people, clerk):
    signed_by_everyone(client, application, people)
    workflow.submit(application, actor=application.filer)
    for verb in ("start_checks", "send_to_review"):
        workflow._transition(application.pk, verb)
    workflow.request_changes(application, actor=clerk, message="Falta el folio.", sections=[])


def test_while_changes_are_requested_co_founders_are_told_who_makes_them_not_sent_to_a_404(
    client, in_english, applicant, carlos, clerk
):
    application = complete_application(applicant)
    changes_requested(client, application, [applicant, carlos], clerk)
    status = reverse("companies:status", args=[application.public_id])
    resume = reverse("companies:resume", args=[application.public_id])

    page = fresh_login(client, carlos).get(status).content.decode()

    assert "Falta el folio." in page
    assert f'href="{resume}"' not in page and "Make the changes" not in page
    assert "Ana Sofía Ramírez Olvera, who filed the application, makes the changes" in page
    assert "you will be asked to sign the corrected application again" in page
    page = fresh_login(client, applicant).get(status).content.decode()
    assert f'href="{resume}"' in page and "Make the changes" in page
    assert "who filed the application, makes the changes" not in page


FILER_ONLY = {"companies:send", "companies:reopen", "companies:pay", "companies:submit"}
LINK = re.compile(r'href="(/[^"#]*)"')
FORM = re.compile(r'<form[^>]*action="(/[^"]*)"')


def offered(page: str) -> tuple[set[str], set[str]]:
    """The links and form actions of the page's own content (not the site's header)."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return set(LINK.findall(main)), set(FORM.findall(main))


def awaiting(client, application, people, clerk):
    workflow.send_for_signatures(application, actor=application.filer)


def signed(client, application, people, clerk):
    signed_by_everyone(client, application, people)


def submitted(client, application, people, clerk):
    signed_by_everyone(client, application, people)
    workflow.submit(application, actor=application.filer)


@pytest.mark.parametrize("stage", [awaiting, signed, submitted, changes_requested])
@pytest.mark.parametrize("page_name", ["companies:signatures", "companies:status"])
def test_the_status_and_signatures_pages_offer_each_person_only_what_they_can_open(
    client, applicant, carlos, clerk, stage, page_name
):
    application = complete_application(applicant)
    stage(client, application, [applicant, carlos], clerk)
    for person in (applicant, carlos):
        page = fresh_login(client, person).get(reverse(page_name, args=[application.public_id]))
        links, forms = offered(page.content.decode())
        for link in links:
            assert fresh_login(client, person).get(link).status_code not in (403, 404), (
                person,
                link,
            )
        for action in forms:
            name = resolve(action).view_name
            assert name not in FILER_ONLY or person == application.filer, (person, action)


# -- Signing for a company that founds ------------------------------------------------------


@pytest.fixture
def laura(db):
    return EntrepreneurFactory(
        curp="HETL780223MQTRRZ05",
        first_name="Luz María",
        last_name="Hernández Trejo",
        email="luz@example.mx",
        preferred_language="en",
    )


def with_a_company(applicant, *, signed_by: str, **names):
    """An S.A. de C.V. of Ana and Carlos, plus Constructora Jurica signed for by ``signed_by``."""
    application = complete_application(applicant, legal_form="sa-de-cv")
    CompanyFounderFactory(application=application, curp=signed_by, contribution=4000, **names)
    application.capital = Decimal("14000")
    application.save()
    return application


def test_the_representative_signs_on_behalf_of_the_company(
    client, in_english, applicant, carlos, laura, mailoutbox
):
    application = with_a_company(
        applicant,
        signed_by=laura.curp,
        given_names="Luz María",
        first_surname="Hernández",
        second_surname="Trejo",
        email="luz@example.mx",
    )
    workflow.send_for_signatures(application, actor=applicant)
    tasks.invite_founders_to_sign(application.pk)
    invitation = next(m for m in mailoutbox if m.to == ["luz@example.mx"])
    assert (
        "lists Constructora Jurica, S.A. de C.V. as a founder, with you signing on its behalf"
        in invitation.body
    )
    assert [f["kind"] for f in versions.current(application).content["founders"]] == [
        "legal",
        "natural",
        "natural",
    ]
    url = reverse("companies:sign", args=[application.public_id])
    page = fresh_login(client, laura).get(url).content.decode()
    assert "on behalf of Constructora Jurica, S.A. de C.V." in page
    assert "Constructora Jurica, S.A. de C.V. (RFC CJU150610I85), represented by Luz María" in page
    signs_as(application, laura)
    signature = Signature.objects.get(signer=laura)
    assert signature.founder.legal_name == "Constructora Jurica, S.A. de C.V."
    assert not signing.all_signed(application)
    room = client.get(reverse("companies:signatures", args=[application.public_id]))
    assert (
        "Luz María Hernández Trejo, on behalf of Constructora Jurica, S.A. de C.V."
        in room.content.decode()
    )
    for person in (applicant, carlos):
        signs_as(application, person)
    assert signing.all_signed(application)


def test_one_person_signs_in_their_own_name_and_again_for_the_company_they_sign_for(
    client, applicant, carlos, mailoutbox
):
    carlos.preferred_language = "en"
    carlos.save()
    application = with_a_company(applicant, signed_by=carlos.curp)
    workflow.send_for_signatures(application, actor=applicant)
    tasks.invite_founders_to_sign(application.pk)
    to_carlos = [m for m in mailoutbox if m.to == ["carlos@example.mx"]]
    assert len(to_carlos) == 1
    assert "Your signature also counts on behalf of Constructora Jurica" in to_carlos[0].body
    signs_as(application, carlos)  # one e.firma signature per capacity, both by Carlos
    assert sorted(
        Signature.objects.filter(signer=carlos).values_list("founder__kind", flat=True)
    ) == ["legal", "natural"]
    signs_as(application, applicant)
    assert signing.all_signed(application)


def test_declining_for_a_company_reopens_the_application_once(client, applicant, carlos):
    application = with_a_company(applicant, signed_by=carlos.curp)
    workflow.send_for_signatures(application, actor=applicant)
    url = reverse("companies:sign", args=[application.public_id])
    fresh_login(client, carlos).post(
        url, {"decision": "decline", "reason": "Falta el poder notarial"}
    )
    application.refresh_from_db()
    assert application.status == "draft"
    assert ApplicationEvent.objects.filter(verb="reopen").count() == 1
    assert Signature.objects.filter(decision="declined").count() == 2


def test_what_founders_sign_names_the_company_its_rfc_and_who_signs_for_it(applicant, carlos):
    application = with_a_company(applicant, signed_by=carlos.curp)
    workflow.send_for_signatures(application, actor=applicant)
    content = versions.current(application).content
    company = next(f for f in content["founders"] if f["kind"] == "legal")
    assert company == {
        "kind": "legal",
        "curp": "MERC851102HQTNSR00",
        "rfc": "CJU150610I85",
        "name": "Constructora Jurica, S.A. de C.V.",
        "legal_name": "Constructora Jurica, S.A. de C.V.",
        "representative": "Carlos Eduardo Mendoza Reséndiz",
        "nationality": "MEX",
        "contribution": "4000.00",
        "administrator": False,
    }
