"""Identity-use alerts: everyone named in a filing hears that their CURP is in it, and a
single-use, expiring link bound to them and to that application holds it for a clerk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from companies import identity, jobs, workflow
from companies.models import ApplicationStatus, IdentityAlert
from companies.review import claims, worklist
from tests.factories import (
    CompanyFounderFactory,
    EntrepreneurFactory,
    complete_application,
    in_review,
    run_jobs,
    submitted_for_processing,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s]+/identidad/([^/\s]+)/")


def send_for_signatures(application):
    workflow.send_for_signatures(application, actor=application.filer)
    run_jobs(jobs.ALERT_NAMED_PEOPLE)


def link_for(email: str) -> str:
    """The path of the link in the last alert ``email`` received."""
    message = [m for m in mail.outbox if email in m.to][-1]
    return reverse("companies:not_me", args=[LINK.search(message.body).group(1)])


def test_sending_for_signatures_tells_each_person_named_once_with_their_roles(applicant):
    application = complete_application(applicant)
    send_for_signatures(application)

    alerts = [m for m in mail.outbox if "CURP" in m.subject]
    assert sorted(m.to[0] for m in alerts) == ["ana@example.mx", "carlos@example.mx"]
    ana = next(m for m in alerts if m.to == ["ana@example.mx"])
    assert "- socio o accionista\n- administrador\n" in ana.body  # in her language
    assert application.reference in ana.body and LINK.search(ana.body)

    workflow.reopen(application, actor=applicant)
    send_for_signatures(application)  # a second round names the same people: no news
    assert len([m for m in mail.outbox if "CURP" in m.subject]) == 2


def test_a_founding_companys_representative_is_named_too(applicant):
    application = complete_application(applicant)
    CompanyFounderFactory(application=application, curp="HETL780223MQTRRZ05")
    CompanyFounderFactory(
        application=application, curp="RAOA900514MQTMLN01", rfc="OTR010101AB1", legal_name="Otra"
    )
    roles = {p.curp: p.roles for p in identity.named_people(application)}
    assert roles == {
        "RAOA900514MQTMLN01": [identity.FOUNDER, identity.ADMINISTRATOR, identity.REPRESENTATIVE],
        "MERC851102HQTNSR00": [identity.FOUNDER],
        "HETL780223MQTRRZ05": [identity.REPRESENTATIVE],
    }


def test_the_alert_also_reaches_the_address_of_the_persons_own_e_identity_account(applicant):
    EntrepreneurFactory(curp="MERC851102HQTNSR00", email="carlos.real@example.mx")
    send_for_signatures(complete_application(applicant))
    to_carlos = {m.to[0] for m in mail.outbox if "CURP" in m.subject and "carlos" in m.to[0]}
    assert to_carlos == {"carlos@example.mx", "carlos.real@example.mx"}


def test_not_me_holds_the_application_and_the_link_works_once(client, applicant):
    application = complete_application(applicant)
    send_for_signatures(application)
    url = link_for("carlos@example.mx")

    page = client.get(url)
    assert page.status_code == 200 and b"No soy yo" in page.content
    assert not workflow.identity_held(application)  # looking holds nothing

    held = client.post(url)
    assert held.status_code == 200 and "está detenida".encode() in held.content
    assert workflow.identity_held(application)
    alert = IdentityAlert.objects.get(application=application, curp="MERC851102HQTNSR00")
    assert alert.reported_at is not None
    assert application.events.filter(verb="hold_for_identity").count() == 1

    again = client.post(url)
    assert again.status_code == 400 and "ya se usó".encode() in again.content
    assert client.get(url).status_code == 400
    assert application.events.filter(verb="hold_for_identity").count() == 1


def test_the_not_me_post_needs_the_csrf_token(applicant):
    from django.test import Client

    application = complete_application(applicant)
    send_for_signatures(application)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(link_for("ana@example.mx")).status_code == 403
    assert not workflow.identity_held(application)


def test_a_tampered_or_forged_link_holds_nothing(client, applicant):
    application = complete_application(applicant)
    send_for_signatures(application)
    token = LINK.search(mail.outbox[-1].body).group(1)
    alert = IdentityAlert.objects.get(application=application, curp="MERC851102HQTNSR00")
    payload = {"a": alert.pk, "p": str(application.public_id), "c": alert.curp, "n": alert.nonce}
    forged = [
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),  # the signature altered
        signing.dumps(payload, salt="another-purpose"),  # signed for something else
        signing.dumps(payload, key="not-the-portal-secret", salt=identity.SALT),
        "not-a-token",
    ]
    for bad in forged:
        response = client.post(reverse("companies:not_me", args=[bad]))
        assert response.status_code == 400, bad
        assert b"no es uno que hayamos enviado" in response.content
    assert not workflow.identity_held(application)


def test_a_link_cannot_hold_another_application_nor_speak_for_another_person(client, applicant):
    mine, theirs = complete_application(applicant), complete_application(EntrepreneurFactory())
    send_for_signatures(mine)
    send_for_signatures(theirs)
    carlos_mine = IdentityAlert.objects.get(application=mine, curp="MERC851102HQTNSR00")
    ana_theirs = IdentityAlert.objects.get(application=theirs, curp="RAOA900514MQTMLN01")
    # Even signed with the portal's own key, parts of two alerts never make one.
    mixed = [
        {
            "a": carlos_mine.pk,
            "p": str(theirs.public_id),
            "c": carlos_mine.curp,
            "n": carlos_mine.nonce,
        },
        {
            "a": carlos_mine.pk,
            "p": str(mine.public_id),
            "c": ana_theirs.curp,
            "n": carlos_mine.nonce,
        },
        {
            "a": carlos_mine.pk,
            "p": str(mine.public_id),
            "c": carlos_mine.curp,
            "n": ana_theirs.nonce,
        },
        {"a": ana_theirs.pk, "p": str(mine.public_id), "c": ana_theirs.curp, "n": ana_theirs.nonce},
    ]
    for payload in mixed:
        token = signing.dumps(payload, salt=identity.SALT)
        assert client.post(reverse("companies:not_me", args=[token])).status_code == 400
    assert not workflow.identity_held(mine) and not workflow.identity_held(theirs)

    assert client.post(identity_link(carlos_mine)).status_code == 200
    assert workflow.identity_held(mine) and not workflow.identity_held(theirs)


def identity_link(alert: IdentityAlert) -> str:
    return reverse("companies:not_me", args=[identity.token_for(alert)])


def test_an_expired_link_holds_nothing(client, applicant, settings):
    application = complete_application(applicant)
    send_for_signatures(application)
    alert = IdentityAlert.objects.get(application=application, curp="MERC851102HQTNSR00")
    IdentityAlert.objects.filter(pk=alert.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(identity_link(alert))
    assert response.status_code == 400 and "venció".encode() in response.content

    IdentityAlert.objects.filter(pk=alert.pk).update(expires_at=timezone.now() + timedelta(days=1))
    settings.IDENTITY_ALERT_DAYS = 0  # the signed value is older than the days allowed
    response = client.post(identity_link(alert))
    assert response.status_code == 400 and "venció".encode() in response.content
    assert not workflow.identity_held(application)


def test_a_held_sas_goes_to_a_clerk_instead_of_being_registered(applicant, xroad_sandbox):
    application = submitted_for_processing(applicant)
    alert = IdentityAlert.objects.create(
        application=application,
        curp="MERC851102HQTNSR00",
        name="Carlos",
        email="c@example.mx",
        nonce="n" * 32,
        expires_at=timezone.now() + timedelta(days=1),
    )
    identity.report_not_me(identity.token_for(alert))
    run_jobs(jobs.PROCESS_APPLICATION)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert workflow.IDENTITY_REPORTED in application.review_reasons


def test_the_clerk_sees_the_hold_and_approves_only_after_releasing_it(applicant, clerk):
    application = in_review(applicant)
    claims.claim(application, clerk=clerk)
    alert = IdentityAlert.objects.create(
        application=application,
        curp="MERC851102HQTNSR00",
        name="Carlos Eduardo",
        email="c@example.mx",
        nonce="n" * 32,
        expires_at=timezone.now() + timedelta(days=1),
    )
    identity.report_not_me(identity.token_for(alert))
    application.refresh_from_db()

    assert [a.identity_held for a in worklist.queue()] == [True]
    actions = claims.possible_actions(application, clerk=clerk)
    assert "release-hold" in actions and "approve" not in actions
    with pytest.raises(workflow.GuardFailed):
        workflow.approve(application, actor=clerk)

    claims.release_identity_hold(application, clerk=clerk)
    assert not workflow.identity_held(application)
    assert [a.identity_held for a in worklist.queue()] == [False]
    assert "approve" in claims.possible_actions(application, clerk=clerk)
    released = application.events.get(verb="release_identity_hold")
    assert released.actor == clerk and released.data == {"curps": ["MERC851102HQTNSR00"]}
