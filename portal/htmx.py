"""One view, two answers: the part of the page htmx swaps in, or the whole page.

A region a view may swap is a ``{% partialdef name inline %}`` of its page's template
(django-template-partials, the syntax Django 6 adopted); htmx asking gets ``page.html#name``,
everybody else (a link, a form without JavaScript, a boosted request) gets the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from portal.requests import PortalRequest


def wants_fragment(request: PortalRequest) -> bool:
    """htmx asking for a part of the page; a boosted request wants the whole page."""
    return bool(request.htmx) and not request.htmx.boosted


def fragment_or_page(
    request: PortalRequest,
    template: str,
    fragment: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """``template#fragment`` to htmx, ``template`` to everybody else, with the same context."""
    name = f"{template}#{fragment}" if wants_fragment(request) else template
    return render(request, name, context, status=status)
