from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

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
