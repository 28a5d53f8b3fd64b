"""The 24-hour clock's columns on the application: kept by every transition of the workflow,
and backfilled from the events by migration 0013 for applications that existed before them.
Either way they read what the walk over the events (``sla.clock``) reads."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps

from companies import sla, workflow
from companies.models import Application, ApplicationEvent
from tests.factories import T0, complete_application

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
RUNNING, PAUSED, STOPPED = sla.ClockState.RUNNING, sla.ClockState.PAUSED, sla.ClockState.STOPPED

# verb, at hour, then the columns: origin (hours from T0, or None) and used (hours, or None),
# and the clock's state
THE_WHOLE_LIFE = [
    ("send_for_signatures", 0, None, None, None),  # not submitted: no clock
    ("reopen", 0.5, None, None, None),
    ("send_for_signatures", 0.7, None, None, None),
    ("submit", 1, 1, 0, RUNNING),  # starts at submission
    ("start_checks", 2, 1, 0, RUNNING),
    ("send_to_review", 3, 1, 0, RUNNING),
    ("request_changes", 5, None, 4, PAUSED),  # pauses with 4 hours used
    ("send_for_signatures", 20, None, 4, PAUSED),
    ("reopen", 21, None, 4, PAUSED),
    ("send_for_signatures", 22, None, 4, PAUSED),
    ("submit", 30, 26, 4, RUNNING),  # resumes: as if it had started 4 hours before
    ("start_checks", 31, 26, 4, RUNNING),
    ("approve", 32, 26, 4, RUNNING),
    ("register", 33, None, 7, STOPPED),  # stops for good with 7 hours used
]
REJECTED = [
    ("send_for_signatures", 0, None, None, None),
    ("submit", 1, 1, 0, RUNNING),
    ("start_checks", 1, 1, 0, RUNNING),
    ("send_to_review", 2, 1, 0, RUNNING),
    ("reject", 26, None, 25, STOPPED),
]
WITHDRAWN_WHILE_PAUSED = [
    ("send_for_signatures", 0, None, None, None),
    ("submit", 1, 1, 0, RUNNING),
    ("start_checks", 1, 1, 0, RUNNING),
    ("send_to_review", 1, 1, 0, RUNNING),
    ("request_changes", 3, None, 2, PAUSED),
    ("withdraw", 40, None, 2, STOPPED),  # the pause ends with the application
]
WITHDRAWN_BEFORE_SUBMISSION = [
    ("send_for_signatures", 0, None, None, None),
    ("reopen", 1, None, None, None),
    ("withdraw", 2, None, None, None),
]


def at(monkeypatch, hours):
    moment = T0 + hours * H
    monkeypatch.setattr("companies.audit.timezone.now", lambda: moment)
    return moment


@pytest.mark.parametrize(
    "life",
    [THE_WHOLE_LIFE, REJECTED, WITHDRAWN_WHILE_PAUSED, WITHDRAWN_BEFORE_SUBMISSION],
    ids=["registered", "rejected", "withdrawn-while-paused", "withdrawn-before-submission"],
)
def test_every_transition_keeps_the_columns(
    monkeypatch, applicant, clerk, life, django_capture_on_commit_callbacks
):
    application = complete_application(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        for verb, hours, origin, used, state in life:
            at(monkeypatch, hours)
            workflow._transition(application.pk, verb, actor=clerk)
            application.refresh_from_db()
            assert application.clock_origin == (None if origin is None else T0 + origin * H), verb
            assert application.clock_used == (None if used is None else used * H), verb
            later = T0 + (hours + 10) * H
            found = sla.of(application, now=later)
            assert (found and found.state) == state, verb
            assert found == sla.clock(application.events.order_by("pk"), now=later), verb


def test_the_real_verbs_keep_the_columns_too(
    monkeypatch, applicant, clerk, signed_application, django_capture_on_commit_callbacks
):
    """Through ``submit`` (with its guards) and ``request_changes``, not only ``_transition``."""
    application = signed_application
    with django_capture_on_commit_callbacks(execute=False):
        at(monkeypatch, 0)
        workflow.submit(application, actor=applicant)
        workflow.start_checks(application)
        workflow.send_to_review(application, reasons=["a look"])
        at(monkeypatch, 6)
        workflow.request_changes(application, actor=clerk, message="Falta.", sections=[])
    application.refresh_from_db()
    assert (application.clock_origin, application.clock_used) == (None, 6 * H)
    assert sla.of(application).state == PAUSED


# -- the backfill -----------------------------------------------------------------------------

BACKFILL = importlib.import_module("companies.migrations.0014_application_clock")


def with_events(filer, status, *events):
    application = Application.objects.create(filer=filer, status=status)
    for verb, to_status, hours in events:
        ApplicationEvent.objects.create(
            application=application,
            verb=verb,
            to_status=to_status,
            created_at=T0 + hours * H,
            previous_hash="0" * 64,
            hash=f"{application.pk:040d}{ApplicationEvent.objects.count():024d}",
        )
    return application


def test_the_backfill_gives_each_application_the_clock_of_its_events(monkeypatch, applicant):
    cases = {
        "draft": (with_events(applicant, "draft"), None, None),
        "never submitted": (
            with_events(
                applicant,
                "withdrawn",
                ("send_for_signatures", "awaiting_signatures", 0),
                ("withdraw", "withdrawn", 2),
            ),
            None,
            None,
        ),
        "mid-flight": (
            with_events(
                applicant,
                "in_review",
                ("submit", "submitted", 0),
                ("start_checks", "checking", 0),
                ("send_to_review", "in_review", 1),
            ),
            0,
            0,
        ),
        "paused": (
            with_events(
                applicant,
                "changes_requested",
                ("submit", "submitted", 0),
                ("request_changes", "changes_requested", 5),
            ),
            None,
            5,
        ),
        "resumed": (
            with_events(
                applicant,
                "checking",
                ("submit", "submitted", 0),
                ("request_changes", "changes_requested", 5),
                ("send_for_signatures", "awaiting_signatures", 8),
                ("submit", "submitted", 10),
                ("start_checks", "checking", 10),
            ),
            5,
            5,
        ),
        "registered": (
            with_events(
                applicant,
                "registered",
                ("submit", "submitted", 0),
                ("request_changes", "changes_requested", 3),
                ("submit", "submitted", 10),
                ("approve", "approved", 12),
                ("register", "registered", 12),
            ),
            None,
            5,
        ),
        "withdrawn while paused": (
            with_events(
                applicant,
                "withdrawn",
                ("submit", "submitted", 0),
                ("request_changes", "changes_requested", 3),
                ("withdraw", "withdrawn", 8),
            ),
            None,
            3,
        ),
    }
    Application.objects.update(clock_origin=None, clock_used=None)  # as before the migration
    monkeypatch.setattr(BACKFILL, "BATCH", 2)  # several batches, the last one partial

    BACKFILL.backfill(apps, None)

    later = T0 + 100 * H
    for name, (application, origin, used) in cases.items():
        application.refresh_from_db()
        assert application.clock_origin == (None if origin is None else T0 + origin * H), name
        assert application.clock_used == (None if used is None else used * H), name
        events = application.events.order_by("pk")
        assert sla.of(application, now=later) == sla.clock(events, now=later), name
