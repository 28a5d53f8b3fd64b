"""Every allowed and forbidden move of the transition table, and the audit chain it writes."""

import pytest

from companies import audit, jobs, workflow
from companies.models import ApplicationEvent, ApplicationStatus
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
ALL = list(ApplicationStatus.values)
CASES = [
    (verb, status, status in sources, target)
    for verb, (sources, target) in workflow.TRANSITIONS.items()
    for status in ALL
]


@pytest.mark.parametrize(
    ("verb", "status", "allowed", "target"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_transition_table(verb, status, allowed, target):
    application = ApplicationFactory(status=status)
    if status == target:
        moved = workflow._transition(application.pk, verb)
        assert moved.status == target
        assert not ApplicationEvent.objects.exists()  # already there: nothing happens
    elif allowed:
        moved = workflow._transition(application.pk, verb)
        assert moved.status == target
        event = ApplicationEvent.objects.get()
        assert (event.verb, event.from_status, event.to_status) == (verb, status, target)
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow._transition(application.pk, verb)
        application.refresh_from_db()
        assert application.status == status
        assert not ApplicationEvent.objects.exists()


def test_a_failed_guard_changes_nothing():
    application = ApplicationFactory(status="awaiting_signatures")

    def refuse(_application):
        raise workflow.GuardFailed("not yet")

    with pytest.raises(workflow.GuardFailed):
        workflow._transition(application.pk, "submit", guard=refuse)
    application.refresh_from_db()
    assert application.status == "awaiting_signatures" and not ApplicationEvent.objects.exists()


def test_side_effects_run_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    from companies import outbox

    application = ApplicationFactory(status="submitted")
    sent = []
    monkeypatch.setattr(
        outbox.celery_app, "send_task", lambda task, args, **_options: sent.append((task, args))
    )
    with django_capture_on_commit_callbacks() as callbacks:
        workflow._transition(application.pk, "start_checks", send=[(jobs.RELAY_OUTBOX, [])])
        assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [("companies.tasks.relay_outbox", [])]


def test_events_form_a_chain_that_verify_audit_checks(capsys):
    from django.core.management import call_command

    application = ApplicationFactory(status="submitted")
    for verb in ("start_checks", "send_to_review", "request_changes"):
        workflow._transition(application.pk, verb)
    events = list(ApplicationEvent.objects.order_by("pk"))
    assert events[0].previous_hash == audit.GENESIS
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit.verify_chain() is None
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_a_tampered_event_is_named_by_verify_audit():
    from django.core.management import CommandError, call_command
    from django.db import connection

    application = ApplicationFactory(status="submitted")
    workflow._transition(application.pk, "start_checks")
    workflow._transition(application.pk, "send_to_review")
    second = ApplicationEvent.objects.order_by("pk").last()
    with connection.cursor() as cursor:  # what an attacker with database access would do
        cursor.execute(
            "UPDATE companies_applicationevent SET reason = 'edited' WHERE id = %s", [second.pk]
        )
    assert audit.verify_chain().event_id == second.pk
    with pytest.raises(CommandError, match=f"event {second.pk}"):
        call_command("verify_audit")


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    application = ApplicationFactory(status="submitted")
    workflow._transition(application.pk, "start_checks")
    event = ApplicationEvent.objects.get()
    event.reason = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        ApplicationEvent.objects.update(reason="x")
    with pytest.raises(PermissionError):
        ApplicationEvent.objects.all().delete()
