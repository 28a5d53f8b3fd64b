"""The outbox and the periodic work: service-level warnings, re-driving, expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from companies import outbox, tasks, workflow
from companies.models import OutboxMessage
from companies.review import supervision
from portal.celery import app as celery_app
from tests.factories import complete_application

pytestmark = pytest.mark.django_db


def submitted(filer, *, hours_ago: float, monkeypatch):
    application = complete_application(filer)
    moment = timezone.now() - timedelta(hours=hours_ago)
    monkeypatch.setattr("companies.audit.timezone.now", lambda: moment)
    workflow._transition(application.pk, "send_for_signatures")
    workflow._transition(
        application.pk, "submit", fields={"submitted_at": moment, "first_submitted_at": moment}
    )
    monkeypatch.undo()
    return application


def test_a_message_waits_in_the_outbox_while_the_broker_is_down(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(("companies.tasks.process_application", [42]))
    message = OutboxMessage.objects.get()
    assert (
        message.sent_at is None
        and message.attempts == 1
        and "connection refused" in message.last_error
    )
    sent = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args, **options: sent.append((name, args))
    )
    assert tasks.relay_outbox() == 1
    assert sent == [("companies.tasks.process_application", [42])]
    assert tasks.relay_outbox() == 0  # nothing is sent twice by the relay


def test_a_rolled_back_decision_sends_nothing(monkeypatch):
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, **options: sent.append(name))
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(("companies.tasks.process_application", [1]))
        raise RuntimeError
    assert not OutboxMessage.objects.exists() and sent == []


def test_supervisors_are_warned_at_80_percent_and_alerted_at_a_breach_once(
    applicant, supervisor, monkeypatch, mailoutbox
):
    supervisor.email = "supervisor@queretaro.gob.mx"
    supervisor.save()
    submitted(applicant, hours_ago=20, monkeypatch=monkeypatch)
    late = submitted(applicant, hours_ago=26, monkeypatch=monkeypatch)
    submitted(applicant, hours_ago=2, monkeypatch=monkeypatch)
    assert supervision.warn_about_service_level() == 2
    assert supervision.warn_about_service_level() == 0
    subjects = sorted(m.subject for m in mailoutbox)
    assert any("pasó el límite de 24 horas" in s and late.reference in s for s in subjects)
    assert any("está cerca del límite de 24 horas" in s for s in subjects)


def test_applications_stuck_in_an_automatic_state_are_sent_through_processing_again(
    applicant, monkeypatch
):
    stuck = submitted(applicant, hours_ago=1, monkeypatch=monkeypatch)
    type(stuck).objects.filter(pk=stuck.pk).update(
        updated_at=timezone.now() - timedelta(minutes=30)
    )
    fresh = submitted(applicant, hours_ago=0, monkeypatch=monkeypatch)
    assert supervision.redrive_stuck() == 1
    messages = OutboxMessage.objects.filter(task="companies.tasks.process_application")
    assert [m.args for m in messages] == [[stuck.pk]]
    assert fresh.pk != stuck.pk


def test_a_company_still_without_its_rfc_or_documents_gets_its_after_registration_again(
    applicant, other_applicant
):
    from companies.documents import issuance
    from companies.models import Company

    def company(filer, number: str, *, minutes_ago: int, rfc: str = "") -> Company:
        application = complete_application(filer)
        return Company.objects.create(
            registration_number=number,
            name=number,
            normalised_name=number,
            legal_form=application.legal_form,
            application=application,
            rfc=rfc,
            registered_at=timezone.now() - timedelta(minutes=minutes_ago),
        )

    without_rfc = company(applicant, "QRO-2026-000001", minutes_ago=30)
    finished = company(applicant, "QRO-2026-000002", minutes_ago=30, rfc="TES261126AB1")
    issuance.issue_documents(company_id=finished.pk)
    without_documents = company(
        other_applicant, "QRO-2026-000003", minutes_ago=30, rfc="OTR261126AB2"
    )
    company(other_applicant, "QRO-2026-000004", minutes_ago=1)  # its task may still be running
    assert supervision.redrive_stuck() == 2
    messages = OutboxMessage.objects.filter(task="companies.tasks.after_registration")
    assert sorted(m.args[0] for m in messages) == sorted(
        [without_rfc.application_id, without_documents.application_id]
    )


def test_an_application_whose_registries_were_asked_lately_is_waiting_not_stuck(
    applicant, monkeypatch
):
    """A registry down for an hour: the task retries it, and a re-drive every few minutes
    would only add another chain of retries for each application."""
    from companies.models import Company, RegistryExchange

    waiting = submitted(applicant, hours_ago=1, monkeypatch=monkeypatch)
    type(waiting).objects.filter(pk=waiting.pk).update(
        updated_at=timezone.now() - timedelta(minutes=30)
    )
    company = Company.objects.create(
        registration_number="QRO-2026-000009",
        name="Espera",
        normalised_name="espera",
        legal_form=waiting.legal_form,
        application=complete_application(applicant),
        registered_at=timezone.now() - timedelta(minutes=30),
    )
    for application_id in (waiting.pk, company.application_id):
        RegistryExchange.objects.create(
            operation="check",
            service="MX-DEV/GOV/SAT/padron/contribuyentes",
            method="GET",
            x_road_id="x",
            fault_code="Server.ServerProxy.ServiceFailed",
            duration_ms=2.0,
            application_id=application_id,
        )
    assert supervision.redrive_stuck() == 0

    RegistryExchange.objects.update(created_at=timezone.now() - timedelta(minutes=20))
    assert supervision.redrive_stuck() == 2
