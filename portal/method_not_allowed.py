"""A page for a 405: an address reached with the wrong method says what to do instead.

Django's ``require_POST`` and class-based views answer 405 with an empty body, which a browser
shows as a blank page (a bookmarked or reloaded form address, a link to a button's URL). This
middleware gives those responses the portal's page, in the visitor's language, keeping the
status and the ``Allow`` header. Responses that already carry a body (the agency API's JSON)
are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        page = HttpResponse(
            render_to_string(
                "405.html",
                {"form_only": "POST" in allowed and "GET" not in allowed, "back": _back(request)},
                request=request,
            ),
            status=405,
        )
        for header in ("Allow", "Vary"):
            if header in response:
                page[header] = response[header]
        return page


def _back(request: HttpRequest) -> str:
    """The page the visitor came from, when it is one of ours."""
    referer = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and same_site else ""
