"""Who is e-mailed what: the filer is not invited to their own application as if someone else
had listed them, and a task that finds its work done sends nothing."""

import pytest

from companies import tasks, workflow
from tests.factories import complete_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(applicant, other_applicant, mailoutbox, settings):
    settings.LANGUAGE_CODE = "en"
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    return application


def mail_to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address]]


def test_the_filer_is_asked_for_their_own_signature_not_told_they_are_listed_as_a_founder(
    sent, mailoutbox
):
    tasks.invite_founders_to_sign(sent.pk)

    [to_filer] = mail_to(mailoutbox, "ana@example.mx")
    assert "lists you as a founder" not in to_filer.body
    assert "Ana Sofía Ramírez Olvera is incorporating" not in to_filer.body
    assert "You sent Tortillería La Esperanza, S.A.S. for signatures." in to_filer.body
    assert "Your own signature is needed too" in to_filer.body
    assert "We invited the other founders to sign as well: Carlos Eduardo Mendoza" in to_filer.body
    [to_carlos] = mail_to(mailoutbox, "carlos@example.mx")
    assert "Ana Sofía Ramírez Olvera is incorporating" in to_carlos.body
    assert "lists you as a founder" in to_carlos.body


def test_nobody_is_invited_to_sign_what_they_already_signed(
    client, sent, other_applicant, mailoutbox
):
    from tests.factories import signs_as

    signs_as(sent, other_applicant)

    tasks.invite_founders_to_sign(sent.pk)  # the worker was late

    assert [m.to for m in mailoutbox] == [["ana@example.mx"]]


def test_an_invitation_task_for_an_application_no_longer_awaiting_signatures_sends_nothing(
    sent, applicant, mailoutbox
):
    workflow.reopen(sent, actor=applicant)

    tasks.invite_founders_to_sign(sent.pk)

    assert mailoutbox == []
