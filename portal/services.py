from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from portal.models import WorkerHeartbeat


def record_heartbeat(*, source: str) -> WorkerHeartbeat:
    heartbeat, created = WorkerHeartbeat.objects.get_or_create(
        source=source, defaults={"seen_at": timezone.now(), "runs": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(source=source).update(
            seen_at=timezone.now(), runs=F("runs") + 1
        )
        heartbeat.refresh_from_db()
    return heartbeat
