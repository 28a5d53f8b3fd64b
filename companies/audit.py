"""The hash-chained event log: append-only, verifiable.

Every event carries the SHA-256 of its own content and of the event before it (one chain for
the whole register). Appends take a lock so two transactions never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from companies.models import Application, ApplicationEvent
from portal.models import User

GENESIS = "0" * 64
_CHAIN_LOCK = 240_024  # pg_advisory_xact_lock key for appends to the chain


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(
    *,
    application_id: str,
    verb: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    reason: str,
    data: dict[str, Any],
    created_at: datetime,
    previous_hash: str,
) -> str:
    body = {
        "application": application_id,
        "verb": verb,
        "from": from_status,
        "to": to_status,
        "actor": actor_id,
        "reason": reason,
        "data": data,
        "created_at": created_at.isoformat(),
        "previous": previous_hash,
    }
    return sha256(canonical_json(body))


def append(
    application: Application,
    verb: str,
    *,
    from_status: str = "",
    to_status: str = "",
    actor: User | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ApplicationEvent:
    """Add an event to the chain; call inside the transaction that made the change."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = ApplicationEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
    previous = last or GENESIS
    created_at = timezone.now()
    data = data or {}
    digest = event_hash(
        application_id=str(application.public_id),
        verb=verb,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.pk if actor else None,
        reason=reason,
        data=data,
        created_at=created_at,
        previous_hash=previous,
    )
    return ApplicationEvent.objects.create(
        application=application,
        verb=verb,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        data=data,
        created_at=created_at,
        previous_hash=previous,
        hash=digest,
    )


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    problem: str


def verify_chain() -> BrokenLink | None:
    """The first event whose content or link does not match, or None when the chain holds."""
    previous = GENESIS
    events = (
        ApplicationEvent.objects.select_related("application")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    for event in events:
        if event.previous_hash != previous:
            return BrokenLink(event.pk, "previous_hash does not match the event before it")
        expected = event_hash(
            application_id=str(event.application.public_id),
            verb=event.verb,
            from_status=event.from_status,
            to_status=event.to_status,
            actor_id=event.actor_id,
            reason=event.reason,
            data=event.data,
            created_at=event.created_at,
            previous_hash=event.previous_hash,
        )
        if event.hash != expected:
            return BrokenLink(event.pk, "content does not match its hash")
        previous = event.hash
    return None
