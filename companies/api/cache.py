"""A company's resources as JSON, kept in each process and keyed by the company's last change.

The register changes rarely, and every change is a row of the change log written in the
transaction that made it (``companies.register.changes.record_change``): registration, the RFC
from the tax registry, a dissolution. So a body stays right for as long as the company's last
change cursor stays the same, and a request asks the database one question, that cursor (which
is also whether the company exists), instead of reading the entry and its officers. A change is
seen by the next request in every process at once: there is nothing to invalidate, the key moves.

A body is built after its cursor was read, so it is never older than the cursor it is stored
under. A company without a change row (entered by hand, before the log) is not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
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


def last_change(number: str) -> int | None:
    """The cursor of the company's last change (None if it has none), or ``not_found``.

    Plain SQL on purpose: this is the one query of a warm request, and the ORM took longer to
    compile it than PostgreSQL to answer it. The names are the models', the number a parameter."""
    if not NUMBER.fullmatch(number):
        raise company_not_found(number)
    with connection.cursor() as cursor:
        cursor.execute(LAST_CHANGE, [number])
        row = cursor.fetchone()
    if row is None:
        raise company_not_found(number)
    return None if row[0] is None else int(row[0])


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
