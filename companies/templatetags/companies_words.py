"""Words for codes, in the reader's language: ``{% load companies_words %}``."""

from __future__ import annotations

from django import template

from companies.models import ApplicationEvent, outcomes
from companies.review import timeline

register = template.Library()


@register.filter
def event_note(event: ApplicationEvent) -> str:
    return timeline.note(event)


@register.filter
def check_outcome(code: str) -> str:
    """A check's or a name verdict's outcome code, in words."""
    return outcomes.label(outcomes.CheckOutcome, code)


@register.filter
def word_problem(kind: str) -> str:
    return outcomes.label(outcomes.WordProblemKind, kind)
