"""Agency subscriptions on the real stack: a worker pushes each change after its commit; an
agency down for a while gets everything once it is back, in order, each change once."""

from __future__ import annotations

import os
import signal
import time

import pytest

from companies.models import AgencyAccess, AgencySubscription, RegisterChange
from sandbox.catalogue import SUBSCRIBER
from sandbox.subscriber import subscriber_in
from tests.factories import entered_by_hand
from tests.workers import wait_until

AGENCY = "MX-DEV/GOV/SAT/padron"


@pytest.fixture
def subscriber(stack):
    emulator, _worker = stack
    received = subscriber_in(emulator.topology, SUBSCRIBER.service_id)
    received.reset()
    yield received
    received.reset()


def test_a_subscriber_down_for_a_while_gets_every_change_once_and_in_order(stack, subscriber):
    _emulator, worker = stack
    AgencyAccess.objects.create(client=AGENCY, service="cambios")
    subscription = AgencySubscription.objects.create(
        client=AGENCY, service=SUBSCRIBER.service_id, path="/v1/cambios"
    )
    worker(PUSH_RETRY_SECONDS="1", PUSH_RETRY_MAX_SECONDS="2")
    subscriber.set_down(True)
    first, second = entered_by_hand(), entered_by_hand()

    def failed_twice() -> bool:
        subscription.refresh_from_db()
        return subscription.failures >= 2

    assert wait_until(failed_twice, timeout_s=30)
    assert subscriber.receipts == []
    from companies.register.changes import record_change

    record_change(first, "updated")  # while it is down: waits behind the first
    subscriber.set_down(False)
    record_change(second, "dissolved")

    log = list(RegisterChange.objects.order_by("pk").values_list("pk", flat=True))
    assert wait_until(lambda: len(subscriber.changes) == len(log), timeout_s=30)
    assert [r.cursor for r in subscriber.changes] == log
    assert len(subscriber.receipts) == len(log) == len({r.key for r in subscriber.changes})
    done = AgencySubscription.objects.filter(pk=subscription.pk, cursor=log[-1], failures=0)
    assert wait_until(done.exists, timeout_s=10)  # the answer came back, the cursor moved


def test_a_worker_killed_while_the_agency_answers_loses_nothing_and_the_key_stays_one(
    stack, subscriber
):
    _emulator, worker = stack
    AgencyAccess.objects.create(client=AGENCY, service="cambios")
    AgencySubscription.objects.create(
        client=AGENCY, service=SUBSCRIBER.service_id, path="/v1/cambios"
    )
    subscriber.answer_slowly(1.5)  # it keeps the change, the worker dies before the answer
    first = worker()
    entry = entered_by_hand()
    assert wait_until(lambda: len(subscriber.receipts) == 1, timeout_s=30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    subscriber.answer_slowly(0)
    time.sleep(7)  # Redis hands the unacknowledged message out again after 6 s (the stack's)
    worker()

    change = RegisterChange.objects.get(company=entry)
    assert wait_until(lambda: len(subscriber.receipts) >= 2, timeout_s=60)
    assert [r.cursor for r in subscriber.changes] == [change.pk]  # kept once
    assert {r.key for r in subscriber.receipts} == {subscriber.changes[0].key}  # one key
    assert wait_until(
        lambda: AgencySubscription.objects.filter(cursor=change.pk).exists(), timeout_s=30
    )
