"""Requests too large to read, answered with a page in the person's language.

Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, or with more fields or files than
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` / ``DATA_UPLOAD_MAX_NUMBER_FILES``, by raising when
``request.POST`` is first read, which is in ``CsrfViewMiddleware``; the answer would be its
generic 400 (the English debug page when ``DEBUG`` is on). This middleware, listed just before
it, reads the form first, in ``process_view``: every middleware has prepared the request by
then (user, language, CSP nonce), so the page is the portal's own, with ``DEBUG`` on or off.

The body cannot be read, so what was sent is lost; the page says so and links back to the page,
where a wizard step shows the draft as last saved. The per-field limits of the forms are far
lower than this one, so a person who types too much meets their field's message instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_METHODS = ("POST", "PUT", "PATCH")


class RequestTooLargeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in BODY_METHODS or request.content_type not in FORM_TYPES:
            return None
        if too_long(request):  # refused unread: no upload is streamed to disk first
            return too_large(request)
        try:
            request.POST  # noqa: B018 -- parsed here, where a refusal can be answered
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            return too_large(request)
        return None


def too_long(request: HttpRequest) -> bool:
    """A body declared longer than any form of the portal sends, uploads included."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads such a body as empty
    return limit is not None and length > limit


def too_large(request: HttpRequest) -> HttpResponse:
    """The page that says what to do, with a link to the page the form was on."""
    return render(request, "413.html", {"back": _form_page(request)}, status=413)


def _form_page(request: HttpRequest) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.path  # a wizard step shows its saved draft at its own address
