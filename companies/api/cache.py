"""A company's resources as JSON, kept in each process and keyed by the company's last change.

The register changes rarely, and every change is a row of the change log written in the
transaction that made it (``companies.register.changes.record_change``): registration, the RFC
from the tax registry, a dissolution. So a body stays right for as long as the company's last
change cursor stays the same, and a request asks the database one question, that cursor (which
is also whether the company exists), instead of reading the entry and its officers. A change is
seen by the next request in every process at once: there is nothing to invalidate, the key moves.

A body is built after its cursor was read, so it is never older than the cursor it is stored
under. A company without a change row (entered by hand, before the log) is not kept.

That one question is one round trip: Django would ask PostgreSQL ``SELECT 1`` before it, the
health check of a persistent connection at the first query of each request
(``CONN_HEALTH_CHECKS``), which doubled what a warm read waited for. Here the question is its
own check (``ask``): should the connection have died since the last request, it is opened
again and the question asked once more, as the health check would have done.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from ninja import Schema

from companies.api import present
from companies.api.errors import company_not_found
from companies.api.selectors import NUMBER
from companies.models import Company, RegisterChange

MAX_BODIES = 10_000  # per process, least recently used dropped first


@dataclass(frozen=True)
class Body:
    """One resource's JSON as served, its ETag, and the change cursor it reflects."""

    cursor: int | None
    content: bytes
    etag: str


class Bodies:
    """A bounded least-recently-used map of ``(resource, number)`` to ``Body``."""

    def __init__(self, *, size: int) -> None:
        self.size = size
        self._bodies: OrderedDict[tuple[str, str], Body] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Body | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: tuple[str, str], body: Body) -> None:
        with self._lock:
            self._bodies[key] = body
            self._bodies.move_to_end(key)
            while len(self._bodies) > self.size:
                self._bodies.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()


bodies = Bodies(size=MAX_BODIES)


def _last_change_sql() -> str:
    company, change = Company._meta.db_table, RegisterChange._meta.db_table
    return (
        f"SELECT (SELECT max(r.id) FROM {change} r WHERE r.company_id = c.id) "  # noqa: S608
        f"FROM {company} c WHERE c.registration_number = %s"
    )


LAST_CHANGE = _last_change_sql()


Row = tuple[Any, ...]


def _fetch_one(sql: str, params: list[str]) -> Row | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row: Row | None = cursor.fetchone()
    return row


def ask(sql: str, params: list[str]) -> Row | None:
    """The first row of one query, without the health check's round trip before it: when the
    connection is the one a previous request left open, this query checks it instead (a broken
    connection is closed, a new one opened and the query asked again; any other failure is
    raised as it is). Inside a transaction, or when the check was done, just the query."""
    # health_check_enabled and health_check_done are Django's (since 4.1), not in its stubs.
    unchecked = (
        connection.connection is not None
        and connection.health_check_enabled  # type: ignore[attr-defined]
        and not connection.health_check_done  # type: ignore[attr-defined]
        and not connection.in_atomic_block
    )
    if not unchecked:
        return _fetch_one(sql, params)
    connection.health_check_done = True  # type: ignore[attr-defined]  # this query checks it
    try:
        return _fetch_one(sql, params)
    except (OperationalError, InterfaceError):
        if connection.is_usable():
            raise
        connection.close()
    return _fetch_one(sql, params)


def last_change(number: str) -> int | None:
    """The cursor of the company's last change (None if it has none), or ``not_found``.

    Plain SQL on purpose: this is the one query of a warm request, and the ORM took longer to
    compile it than PostgreSQL to answer it. The names are the models', the number a parameter."""
    if not NUMBER.fullmatch(number):
        raise company_not_found(number)
    row = ask(LAST_CHANGE, [number])
    if row is None:
        raise company_not_found(number)
    return None if row[0] is None else int(row[0])


def kept(resource: str, number: str) -> Body | None:
    """This process's body of ``resource`` of the company ``number`` when the company has not
    changed since it was kept; None when there is none to serve as it is (``served`` builds
    it, or refuses an unknown company)."""
    if not NUMBER.fullmatch(number):
        return None
    row = ask(LAST_CHANGE, [number])
    if row is None or row[0] is None:
        return None
    body = bodies.get((resource, number))
    return body if body is not None and body.cursor == int(row[0]) else None


def served(resource: str, number: str, build: Callable[[], Schema]) -> Body:
    """The body of ``resource`` of the company ``number``, or ``not_found``: from
    this process's copy when the company has not changed since, else ``build()`` now."""
    cursor = last_change(number)
    key = (resource, number)
    kept = bodies.get(key)
    if kept is not None and cursor is not None and kept.cursor == cursor:
        return kept
    content = build().model_dump_json().encode()
    body = Body(cursor, content, present.etag(content))
    if cursor is not None:
        bodies.put(key, body)
    return body
