"""The register's changes pushed to a subscribed agency over X-Road: in the log's order, each
under one idempotency key, nothing lost while the agency is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from companies.models import (
    AgencySubscription,
    OutboxMessage,
    RegisterChange,
    SubscriptionDelivery,
)
from companies.push import delivery
from companies.register.changes import record_change
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db


def due_now(subscription: AgencySubscription) -> None:
    """The wait after a failure is over."""
    AgencySubscription.objects.filter(pk=subscription.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_change_asks_for_a_push_to_each_subscription_it_concerns(new_company, subscription):
    only_dissolutions = AgencySubscription.objects.create(
        client=subscription.client, service=subscription.service, path="/v2", kinds=["dissolved"]
    )
    elsewhere = AgencySubscription.objects.create(
        client=subscription.client,
        service=subscription.service,
        path="/v3",
        municipalities=["016"],
    )
    new_company(municipality="014")
    asked = list(OutboxMessage.objects.filter(task="companies.tasks.push_to_subscriber"))
    assert [m.args for m in asked] == [[subscription.pk]]
    assert only_dissolutions.pk != elsewhere.pk


def test_without_subscriptions_a_change_puts_nothing_in_the_outbox(new_company, db):
    new_company()
    assert not OutboxMessage.objects.filter(task="companies.tasks.push_to_subscriber").exists()


def test_changes_reach_the_subscriber_in_the_logs_order_each_under_its_own_key(
    new_company, subscription, subscriber
):
    first, second = new_company(), new_company()
    record_change(first, "updated")
    record_change(second, "dissolved")
    record_change(first, "updated")

    run = delivery.deliver(subscription.pk)

    log = list(RegisterChange.objects.order_by("pk").values_list("pk", flat=True))
    assert run.delivered == 5 and run.retry_in is None
    assert [r.cursor for r in subscriber.changes] == log
    assert [r.kind for r in subscriber.changes if r.company == first.registration_number] == [
        "inscripcion",
        "actualizacion",
        "actualizacion",
    ]
    keys = [r.key for r in subscriber.changes]
    assert len(set(keys)) == 5 and len(subscriber.receipts) == 5
    subscription.refresh_from_db()
    assert subscription.cursor == log[-1] and subscription.failures == 0
    assert all(d.delivered_at and d.http_status == 200 for d in subscription.deliveries.all())


def test_a_subscriber_down_for_a_while_loses_nothing_and_gets_nothing_twice_under_one_key(
    new_company, subscription, subscriber, settings
):
    settings.PUSH_RETRY_SECONDS = 5
    subscriber.set_down(True)
    companies = [new_company() for _ in range(3)]
    for entry in companies:
        record_change(entry, "updated")

    first = delivery.deliver(subscription.pk)
    assert first.delivered == 0 and first.retry_in == 5.0
    early = delivery.deliver(subscription.pk)  # the wait is not over: nothing is sent, and
    assert early == delivery.Run(0, retry_in=None)  # the failed attempt's retry will come
    due_now(subscription)
    again = delivery.deliver(subscription.pk)
    assert again.retry_in == 10.0  # doubling
    subscription.refresh_from_db()
    assert subscription.failures == 2 and "503" in subscription.last_error
    assert subscription.cursor == 0 and subscriber.receipts == []

    subscriber.set_down(False)
    due_now(subscription)
    run = delivery.deliver(subscription.pk)

    log = list(RegisterChange.objects.order_by("pk").values_list("pk", flat=True))
    assert run.delivered == 6
    assert [r.cursor for r in subscriber.changes] == log
    assert len(subscriber.receipts) == 6  # once each: nothing twice
    first_try = SubscriptionDelivery.objects.get(subscription=subscription, change_id=log[0])
    assert first_try.attempts == 3 and first_try.delivered_at is not None
    subscription.refresh_from_db()
    assert subscription.failures == 0 and subscription.last_error == ""


def test_a_change_whose_answer_was_lost_is_sent_again_under_the_same_key(
    new_company, subscription, subscriber
):
    entry = new_company()
    record_change(entry, "updated")
    subscriber.lose_next(1)

    assert delivery.deliver(subscription.pk).delivered == 0
    due_now(subscription)
    assert delivery.deliver(subscription.pk).delivered == 2

    first, second, again = subscriber.receipts[0], subscriber.receipts[1], subscriber.receipts[2]
    assert first.key == second.key and first.cursor == second.cursor
    assert again.cursor > first.cursor
    assert [r.cursor for r in subscriber.changes] == [first.cursor, again.cursor]


def test_an_x_road_fault_on_the_way_delays_the_subscription_only(
    new_company, subscription, subscriber, xroad_sandbox
):
    from sandbox.catalogue import SUBSCRIBER

    new_company()
    xroad_sandbox.inject_fault(SUBSCRIBER.service_id, FaultSpec(down=True))
    run = delivery.deliver(subscription.pk)
    subscription.refresh_from_db()
    assert run.delivered == 0 and "NetworkError" in subscription.last_error

    xroad_sandbox.clear_faults()
    due_now(subscription)
    assert delivery.deliver(subscription.pk).delivered == 1
    assert len(subscriber.changes) == 1


def test_only_the_kinds_and_municipalities_subscribed_to_are_sent(
    new_company, subscription, subscriber
):
    AgencySubscription.objects.filter(pk=subscription.pk).update(
        kinds=["updated", "dissolved"], municipalities=["016"]
    )
    here, there = new_company(municipality="014"), new_company(municipality="016")
    record_change(here, "updated")
    record_change(there, "updated")
    last = record_change(there, "dissolved")

    assert delivery.deliver(subscription.pk).delivered == 2
    assert [(r.company, r.kind) for r in subscriber.changes] == [
        (there.registration_number, "actualizacion"),
        (there.registration_number, "disolucion"),
    ]
    subscription.refresh_from_db()
    assert subscription.cursor == last.pk


def test_a_replay_sends_again_from_the_cursor_under_new_keys(new_company, subscription, subscriber):
    new_company(), new_company()
    delivery.deliver(subscription.pk)
    before = [r.key for r in subscriber.changes]
    from_second = subscriber.changes[0].cursor

    delivery.replay(subscription.pk, after=from_second)
    assert OutboxMessage.objects.filter(
        task="companies.tasks.push_to_subscriber", args=[subscription.pk], sent_at__isnull=True
    ).exists()
    assert delivery.deliver(subscription.pk).delivered == 1

    replayed = subscriber.changes[len(before) :]
    assert [r.cursor for r in replayed] == [subscriber.changes[1].cursor]
    assert replayed[0].key not in before


def test_beat_asks_for_the_subscriptions_that_are_behind_and_due(
    new_company, subscription, subscriber
):
    waiting = AgencySubscription.objects.create(
        client=subscription.client,
        service=subscription.service,
        path="/v2",
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    new_company()
    OutboxMessage.objects.all().delete()

    assert delivery.sweep() == 1
    asked = OutboxMessage.objects.filter(task="companies.tasks.push_to_subscriber")
    assert [m.args for m in asked] == [[subscription.pk]]
    delivery.deliver(subscription.pk)
    OutboxMessage.objects.all().delete()
    assert delivery.sweep() == 0
    assert waiting.pk


def test_an_inactive_subscription_is_sent_nothing(new_company, subscription, subscriber):
    AgencySubscription.objects.filter(pk=subscription.pk).update(active=False)
    new_company()
    assert delivery.deliver(subscription.pk).delivered == 0
    assert subscriber.receipts == []


def test_a_subscription_waiting_after_a_failure_is_left_alone_at_once(
    new_company, subscription, subscriber
):
    new_company()
    AgencySubscription.objects.filter(pk=subscription.pk).update(
        failures=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert delivery.deliver(subscription.pk) == delivery.Run(0, retry_in=None)
    assert subscriber.receipts == []


def test_a_task_sends_at_most_push_batch_changes_then_hands_over(
    new_company, subscription, subscriber, settings
):
    settings.PUSH_BATCH = 2
    new_company(), new_company(), new_company()
    assert delivery.deliver(subscription.pk) == delivery.Run(2, retry_in=0.0)
    assert delivery.deliver(subscription.pk) == delivery.Run(1, retry_in=None)
    assert len(subscriber.changes) == 3


def test_the_agency_receives_each_change_as_the_pull_feed_shows_it(subscription, new_company):
    from companies.api import present

    entry = new_company()
    change = RegisterChange.objects.get(company=entry)
    body = delivery.body_of(subscription, change, delivery.key_of(subscription, change.pk))
    assert body == {
        "clave": f"e24-{subscription.pk}-1-{change.pk}",
        "suscripcion": subscription.pk,
        **present.change(change).model_dump(mode="json"),
    }
    assert body["tipo"] == "inscripcion" and body["empresa"]["numero"] == entry.registration_number
