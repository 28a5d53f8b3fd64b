"""The landing page of an identity-use alert: "this is not me", without signing in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from companies import identity
from companies.models import FINAL_STATUSES


@require_http_methods(["GET", "POST"])
def not_me(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link is about and a button; the POST (CSRF-protected) holds the
    application. A link that is not genuine, spent or late answers 400 with the reason."""
    try:
        alert = (
            identity.report_not_me(token) if request.method == "POST" else identity.alert_of(token)
        )
    except identity.LinkRefused as refused:
        return render(request, "companies/not_me.html", {"refused": str(refused)}, status=400)
    context = {
        "alert": alert,
        "application": alert.application,
        "reported": request.method == "POST",
        "too_late": alert.application.status in FINAL_STATUSES,
    }
    return render(request, "companies/not_me.html", context)
