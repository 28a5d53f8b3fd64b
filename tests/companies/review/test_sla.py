from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import hypothesis
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from companies import sla, workflow

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


# -- the stored clock: the columns read what the events read ---------------------------------

ALL_STATUSES = ("draft", *(target for _sources, target in workflow.TRANSITIONS.values()))


def walks():
    """Random lives an application can have: moves the workflow allows from draft, each some
    minutes after the one before (zero included: two moves in the same microsecond)."""
    step = st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(0, 60 * 48))
    return st.lists(step, max_size=25).map(_walk)


def _walk(choices):
    status, at, events = "draft", T0, []
    for pick, minutes in choices:
        possible = sorted(
            v for v, (sources, _t) in workflow.TRANSITIONS.items() if status in sources
        )
        if not possible:
            break
        verb = possible[pick % len(possible)]
        status = workflow.TRANSITIONS[verb][1]
        at += timedelta(minutes=minutes)
        events.append(sla.Recorded(verb=verb, to_status=status, created_at=at))
    return events, status


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(walk=walks(), later=st.integers(0, 60 * 72))
def test_the_columns_give_the_clock_of_the_events_for_any_life(walk, later):
    events, status = walk
    now = (events[-1].created_at if events else T0) + timedelta(minutes=later)
    stored = sla.stored_from(events)
    assert sla.read(stored, status=status, now=now) == sla.clock(events, now=now)
    # and after every move on the way, as the workflow keeps them
    kept = sla.Stored()
    for n, event in enumerate(events, start=1):
        kept = sla.advance(kept, verb=event.verb, to_status=event.to_status, at=event.created_at)
        moment = event.created_at + timedelta(minutes=later)
        assert sla.read(kept, status=event.to_status, now=moment) == sla.clock(
            events[:n], now=moment
        )


@pytest.mark.django_db
@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(walk=walks(), later=st.integers(0, 60 * 72))
def test_the_database_reads_the_columns_as_python_does(walk, later):
    """``elapsed_in_database``, ``at_least`` and ``less_than`` say in SQL what ``read`` says."""
    from companies.models import Application
    from portal.models import User

    events, status = walk
    stored = sla.stored_from(events)
    now = (events[-1].created_at if events else T0) + timedelta(minutes=later)
    application = Application.objects.create(
        filer=User.objects.get_or_create(username="hypothesis-filer")[0],
        status=status,
        clock_origin=stored.origin,
        clock_used=stored.used,
    )
    found = sla.read(stored, status=status, now=now)
    rows = Application.objects.filter(pk=application.pk)
    in_sql = rows.annotate(clock=sla.elapsed_in_database(now=now)).get().clock
    assert in_sql == (None if found is None else found.elapsed)
    for limit in (sla.SERVICE_LEVEL * sla.WARNING_SHARE, sla.SERVICE_LEVEL):
        over = rows.filter(sla.at_least(limit, now=now)).exists()
        under = rows.filter(sla.less_than(limit, now=now)).exists()
        assert over == (found is not None and found.elapsed >= limit)
        assert under == (found is not None and found.elapsed < limit)
    application.delete()
