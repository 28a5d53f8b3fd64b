"""What an event's note says, in the reader's language.

A note the portal writes itself is stored once, as its English msgid (``gettext_noop``), and
translated when it is shown: the clerk who approves in Spanish and the founder who reads in
English each see their own language. Words a person typed (a request for changes, a founder's
reason to decline, a rejection's explanation) are shown as they were written.

Events are hash-chained and never rewritten, so the notes stored before this rule, already in
the language of whoever caused them, are recognised here and shown translated too.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from companies.models import ApplicationEvent
from companies.review.claims import APPROVED_BY_THE_REGISTRY, REJECTION_REASONS
from companies.workflow import EDITED_BY_THE_FILER

# Events whose note is a person's own words, unless it is one of the portal's notes.
WRITTEN_BY_PEOPLE = {"request_changes", "reopen"}
# The portal's notes that were stored translated before they were stored as msgids.
ONCE_TRANSLATED = (APPROVED_BY_THE_REGISTRY, EDITED_BY_THE_FILER)


def note(event: ApplicationEvent) -> str:
    """The event's note for the active language; blank when it has none."""
    reasons = event.data.get("reasons") if isinstance(event.data, dict) else None
    if event.verb == "send_to_review" and reasons:
        return " · ".join(gettext(r) for r in reasons)
    if event.verb == "reject" and event.data.get("reason") in REJECTION_REASONS:
        return _rejection(event)
    text = _as_msgid(event.reason)
    if event.verb in WRITTEN_BY_PEOPLE and text not in ONCE_TRANSLATED:
        return text
    return gettext(text) if text else ""


def _rejection(event: ApplicationEvent) -> str:
    msgid = REJECTION_REASONS[event.data["reason"]]
    explanation = event.data.get("explanation")
    if explanation is None:  # stored before the explanation was kept apart
        explanation = _after_label(event.reason, msgid=msgid)
        if explanation is None:
            return event.reason
    return f"{gettext(msgid)}. {explanation}".strip()


def _after_label(stored: str, *, msgid: str) -> str | None:
    """What follows the reason's label, in whichever language the label was stored."""
    for label in _translations(msgid):
        if stored.startswith(f"{label}."):
            return stored[len(label) + 1 :].strip()
    return None


def _as_msgid(stored: str) -> str:
    return _known_translations().get(stored, stored)


@cache
def _known_translations() -> dict[str, str]:
    return {label: msgid for msgid in ONCE_TRANSLATED for label in _translations(msgid)}


@cache
def _translations(msgid: str) -> tuple[str, ...]:
    labels = {msgid}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(gettext(msgid))
    return tuple(sorted(labels, key=len, reverse=True))
