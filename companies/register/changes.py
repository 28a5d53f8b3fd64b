"""The register's change log: every change to the register as a numbered row, written here in
the transaction that made the change; agencies replay it in order through the API
(``companies.api.feed`` only reads it).

An agency keeps a copy by asking for the changes after the last cursor it processed. For that
to be exact, a row with a smaller id must never become visible after one with a larger id.
On PostgreSQL two transactions could commit their rows out of id order, so writers take a
transaction-level advisory lock: ids are handed out and committed one writer at a time (SQLite
already allows a single writer). Call ``record_change`` inside the transaction that made the
change, so the event and the change commit or roll back together.

Every active subscription the change concerns (``AgencySubscription``: its kinds, its
municipalities) gets a ``push_to_subscriber`` message in the outbox, in the same transaction:
``companies.push.delivery`` sends the change to the agency once it commits.

The agency API serves a company from each worker's memory for as long as its last change here
stays the same (``companies.api.cache``): a change to what the API shows of a company (its RFC,
its status) that is not recorded here would not be seen by the agencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from companies import jobs, outbox
from companies.models import AgencySubscription, Company, RegisterChange
from companies.register import states

FEED_LOCK = 0x45323446454544  # "E24FEED": pg_advisory_xact_lock key for feed writers


def snapshot(company: Company) -> dict[str, Any]:
    """What an event carries about its company: enough to index it, not the whole entry."""
    return {
        "numero": company.registration_number,
        "nombre": company.name,
        "rfc": company.rfc or None,
        "estado": company.status,
    }


def record_change(
    company: Company, kind: RegisterChange.Kind | str, *, fields: Sequence[str] = ()
) -> RegisterChange:
    """Append one event about ``company`` to the log (registered, updated or dissolved);
    ``fields``, the register data a filing touched (``campos``: ``office``, ...)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
        data = snapshot(company) | ({"campos": list(fields)} if fields else {})
        change = RegisterChange.objects.create(
            company=company, kind=RegisterChange.Kind(kind), data=data
        )
        _tell_subscribers(company, change)
    return change


def _tell_subscribers(company: Company, change: RegisterChange) -> None:
    subscriptions = list(AgencySubscription.objects.filter(active=True))
    if not subscriptions:
        return
    # The office's municipality now (a registered office change moves it), from the register's
    # current state; a company without states (entered by hand) falls back to its application.
    state = states.current(company.pk)
    if state is not None:
        municipality = str(state.data.get("office", {}).get("municipality", ""))
    else:
        application = company.application
        municipality = application.municipality if application else ""
    messages = [
        jobs.push_to_subscriber(subscription.pk)
        for subscription in subscriptions
        if subscription.wants(kind=change.kind, municipality=municipality)
    ]
    if messages:
        outbox.enqueue(*messages)
