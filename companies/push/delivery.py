"""Pushing the change log to the agencies that subscribed to it, in order, at least once.

A subscription's ``cursor`` is the last change of the log it is done with. ``deliver`` takes
the subscription's row lock (``skip_locked``: a second worker finds it busy and leaves), sends
the first change after the cursor it wants (its kinds, its municipalities) to the agency's
X-Road service, and moves the cursor past it only once the agency answered 2xx; then the next.
So a change is never sent while an earlier one the subscription wants is undelivered: the order
per company (and overall) is the log's. A failure (the agency down, an X-Road fault, any
non-2xx answer) stops the subscription where it is and waits ``PUSH_RETRY_SECONDS``, doubling
to ``PUSH_RETRY_MAX_SECONDS``; nothing is skipped, so a subscriber that was down for a day gets
everything, in order, once it answers.

Each change is sent with an idempotency key per (subscription, round, change) in the
``Idempotency-Key`` header and the body's ``clave``: a change sent again (its answer was lost,
a worker died after sending) carries the same key, so the agency keeps it once. A replay
(``replay``) moves the cursor back and starts a new round, whose keys are new.

What triggers a delivery: ``companies.register.changes.record_change`` puts a
``push_to_subscriber`` message in the outbox for each subscription the change concerns, sent
after the commit; a failed attempt retries itself after its wait; and beat's sweep
(``sweep``) asks again for every subscription that is due and behind, the safety net for a
lost message or a change written another way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from companies import jobs, outbox, registries
from companies.api import present
from companies.models import AgencySubscription, RegisterChange, SubscriptionDelivery
from xroad_client import XRoadError

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Run:
    """What one ``deliver`` did: how many changes it delivered, and when to try again (None:
    nothing to send now, or someone else will)."""

    delivered: int
    retry_in: float | None = None


def wanted(subscription: AgencySubscription) -> QuerySet[RegisterChange]:
    """The changes after the cursor the subscription wants, in the log's order."""
    changes = RegisterChange.objects.filter(pk__gt=subscription.cursor)
    if subscription.kinds:
        changes = changes.filter(kind__in=subscription.kinds)
    if subscription.municipalities:
        changes = changes.filter(company__application__municipality__in=subscription.municipalities)
    return changes.order_by("pk")


def key_of(subscription: AgencySubscription, change_id: int) -> str:
    return f"e24-{subscription.pk}-{subscription.round}-{change_id}"


def body_of(subscription: AgencySubscription, change: RegisterChange, key: str) -> dict[str, Any]:
    """The change as the pull feed shows it (``cursor``, ``tipo``, ``fecha``, ``empresa``),
    with its key."""
    item = present.change(change).model_dump(mode="json")
    return {"clave": key, "suscripcion": subscription.pk, **item}


def backoff(failures: int) -> float:
    """Seconds to wait after the ``failures``-th failure in a row."""
    wait = settings.PUSH_RETRY_SECONDS * 2 ** max(failures - 1, 0)
    return float(min(wait, settings.PUSH_RETRY_MAX_SECONDS))


def deliver(subscription_id: int, *, limit: int | None = None) -> Run:
    """Send the subscription's undelivered changes in order, up to ``limit`` (``PUSH_BATCH``)."""
    limit = limit or settings.PUSH_BATCH
    delivered = 0
    ahead = Ahead()
    looked_again = False
    while delivered < limit:
        step = _deliver_next(subscription_id, ahead)
        if step is None:
            # Nothing to send, or busy. A change that committed while this worker held the
            # lock may have found it busy and left: look once more before stopping (once: a
            # subscription another worker holds, or that waits, is left to them).
            if looked_again or not _behind(subscription_id):
                return Run(delivered)
            looked_again = True
            ahead.changes.clear()
            continue
        if step is not True:
            return Run(delivered, retry_in=step)
        looked_again = False
        delivered += 1
    return Run(delivered, retry_in=0.0)


@dataclass
class Ahead:
    """The next changes the subscription wants, read a page at a time, and what they were read
    for: a page read for another cursor, round or filter (a replay, an edit in the admin) is
    read again. New changes always come after the page (the log's ids become visible in
    order), so the page stays right while the cursor is the one it was read after."""

    changes: list[RegisterChange] = field(default_factory=list)
    after: tuple[object, ...] = ()

    def next_for(self, subscription: AgencySubscription) -> RegisterChange | None:
        reading = (
            subscription.cursor,
            subscription.round,
            subscription.kinds,
            subscription.municipalities,
        )
        if reading != self.after or not self.changes:
            self.changes = list(wanted(subscription)[:PAGE])
            self.after = reading
        return self.changes[0] if self.changes else None

    def taken(self, change: RegisterChange) -> None:
        self.changes.remove(change)
        self.after = (change.pk, *self.after[1:])


PAGE = 100


def _behind(subscription_id: int) -> bool:
    subscription = AgencySubscription.objects.filter(pk=subscription_id, active=True).first()
    return subscription is not None and wanted(subscription).exists()


def _deliver_next(subscription_id: int, ahead: Ahead) -> bool | float | None:
    """One change: True when delivered, the seconds to wait when it failed, None when there is
    nothing to send now (none waiting, another worker holds the subscription, or it waits
    after a failure: the failed attempt's own retry comes when the wait is over, and beat's
    sweep should that retry be lost; so a thousand changes written while an agency is down do
    not become a thousand retries)."""
    with transaction.atomic():
        subscription = (
            AgencySubscription.objects.select_for_update(skip_locked=True)
            .filter(pk=subscription_id, active=True)
            .first()
        )
        if subscription is None:
            return None
        now = timezone.now()
        if subscription.next_attempt_at and subscription.next_attempt_at > now:
            return None  # waiting after a failure: that attempt's retry (or beat) comes then
        change = ahead.next_for(subscription)
        if change is None:
            return None
        if _send(subscription, change):
            ahead.taken(change)
            subscription.cursor = change.pk
            subscription.failures = 0
            subscription.last_error = ""
            subscription.next_attempt_at = None
            subscription.last_delivered_at = timezone.now()
            fields = ["cursor", "failures", "last_error", "next_attempt_at", "last_delivered_at"]
            subscription.save(update_fields=fields)
            return True
        subscription.failures += 1
        wait = backoff(subscription.failures)
        subscription.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        subscription.save(update_fields=["failures", "last_error", "next_attempt_at"])
        return wait


def _send(subscription: AgencySubscription, change: RegisterChange) -> bool:
    """POST the change to the agency; True on a 2xx answer. The attempt is kept on its
    delivery row (one write: the row of this round and change, made or updated), and on the
    subscription when it failed. Every attempt since the cursor last moved was this change's
    (the cursor waits for it), so its attempts are the subscription's failures plus this one."""
    key = key_of(subscription, change.pk)
    started = timezone.now()
    row = SubscriptionDelivery(
        subscription=subscription,
        round=subscription.round,
        change=change,
        key=key,
        attempts=subscription.failures + 1,
        first_attempt_at=started,
    )
    try:
        response = registries.client().request(
            "POST",
            subscription.service,
            subscription.path,
            json=body_of(subscription, change, key),
            headers={IDEMPOTENCY_HEADER: key},
            idempotent=True,
        )
    except XRoadError as failure:
        row.last_error = repr(failure)[:500]
    else:
        row.http_status = response.status
        row.x_road_id = response.x_road.id or ""
        if not response.is_success:
            row.last_error = f"HTTP {response.status}: {response.text[:400]}"
    if row.last_error:
        subscription.last_error = row.last_error
        log.warning("push: the subscriber did not take a change", extra={"key": key})
    else:
        row.delivered_at = timezone.now()
    SubscriptionDelivery.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["subscription", "round", "change"],
        update_fields=["attempts", "delivered_at", "http_status", "x_road_id", "last_error"],
    )
    return not row.last_error


def sweep() -> int:
    """Beat's safety net: ask for a delivery for every active subscription that is due and
    behind. Returns how many were asked for."""
    now = timezone.now()
    due = [
        subscription.pk
        for subscription in AgencySubscription.objects.filter(active=True)
        if (subscription.next_attempt_at is None or subscription.next_attempt_at <= now)
        and wanted(subscription).exists()
    ]
    if due:
        with transaction.atomic():
            outbox.enqueue(*[jobs.push_to_subscriber(pk) for pk in due])
    return len(due)


def replay(subscription_id: int, *, after: int) -> AgencySubscription:
    """Send the subscription again every change it wants after ``after``, in a new round
    (new keys: the agency takes them again), starting now."""
    with transaction.atomic():
        subscription = AgencySubscription.objects.select_for_update().get(pk=subscription_id)
        subscription.cursor = after
        subscription.round += 1
        subscription.failures = 0
        subscription.next_attempt_at = None
        subscription.last_error = ""
        fields = ["cursor", "round", "failures", "next_attempt_at", "last_error"]
        subscription.save(update_fields=fields)
        outbox.enqueue(jobs.push_to_subscriber(subscription.pk))
    return subscription
