"""The change feed: the register's change log (written by ``companies.register.changes``),
read back in order, a page after an agency's cursor at a time."""

from __future__ import annotations

from dataclasses import dataclass

from companies.models import RegisterChange


@dataclass(frozen=True)
class ChangePage:
    changes: list[RegisterChange]
    next: int
    has_more: bool


def changes_after(after: int, *, limit: int) -> ChangePage:
    """The events with a cursor greater than ``after``, oldest first."""
    rows = list(RegisterChange.objects.filter(pk__gt=after).order_by("pk")[: limit + 1])
    page = rows[:limit]
    return ChangePage(page, next=page[-1].pk if page else after, has_more=len(rows) > limit)
