from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from companies import sla

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def event(verb: str, hours: float, to_status: str = ""):
    return SimpleNamespace(verb=verb, created_at=T0 + timedelta(hours=hours), to_status=to_status)


def test_the_clock_starts_at_submission_and_pauses_while_changes_are_requested():
    events = [
        event("send_for_signatures", -5),
        event("submit", 0),
        event("request_changes", 3),
        event("send_for_signatures", 20),
        event("submit", 30),
    ]
    assert sla.elapsed(events, now=T0 + timedelta(hours=31)) == timedelta(hours=4)
    assert sla.remaining(events, now=T0 + timedelta(hours=31)) == timedelta(hours=20)


def test_the_clock_stops_at_registration_and_is_absent_before_submission():
    assert sla.elapsed([event("send_for_signatures", 0)], now=T0) is None
    events = [event("submit", 0), event("register", 2, to_status="registered")]
    assert sla.elapsed(events, now=T0 + timedelta(days=9)) == timedelta(hours=2)


def test_the_clock_says_it_is_paused_while_changes_are_requested_and_runs_again_after():
    events = [event("submit", 0), event("request_changes", 3)]
    paused = sla.clock(events, now=T0 + timedelta(hours=40))
    assert (paused.state, paused.remaining) == (sla.ClockState.PAUSED, timedelta(hours=21))
    events += [event("send_for_signatures", 20), event("submit", 30)]
    running = sla.clock(events, now=T0 + timedelta(hours=31))
    assert (running.state, running.elapsed) == (sla.ClockState.RUNNING, timedelta(hours=4))
    events.append(event("register", 32, to_status="registered"))
    assert sla.clock(events, now=T0 + timedelta(days=3)).state == sla.ClockState.STOPPED


def test_a_withdrawal_while_paused_stops_the_clock():
    events = [event("submit", 0), event("request_changes", 3), event("withdraw", 5, "withdrawn")]
    stopped = sla.clock(events, now=T0 + timedelta(days=1))
    assert (stopped.state, stopped.elapsed) == (sla.ClockState.STOPPED, timedelta(hours=3))


@pytest.mark.django_db
def test_the_status_page_freezes_the_time_left_and_says_how_to_resume_while_changes_are_requested(
    client, in_english, applicant, signed_application, clerk
):
    from companies import workflow
    from tests.conftest import fresh_login

    application = signed_application
    workflow.submit(application, actor=applicant)
    for verb in ("start_checks", "send_to_review"):
        workflow._transition(application.pk, verb)
    workflow.request_changes(application, actor=clerk, message="Falta el folio.", sections=[])
    url = reverse("companies:status", args=[application.public_id])
    client = fresh_login(client, applicant)

    later = timezone.now() + timedelta(hours=7)
    with mock.patch("django.utils.timezone.now", return_value=later):
        page = client.get(url).content.decode()

    assert "Our 24-hour clock is paused while changes are requested: 24.0 hours are left" in page
    assert "everyone signs the corrected application, and it is submitted again" in page
    assert "hours left of our 24-hour promise" not in page and "17.0" not in page
