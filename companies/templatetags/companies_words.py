"""Words for codes, in the reader's language: ``{% load companies_words %}``."""

from __future__ import annotations

from django import template

from companies import timeline
from companies.models import ApplicationEvent

register = template.Library()


@register.filter
def event_note(event: ApplicationEvent) -> str:
    return timeline.note(event)
