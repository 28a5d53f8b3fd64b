"""Supervisor dashboard (the supervisor-dashboard helper replaces this file entirely)."""

from django.http import Http404, HttpRequest, HttpResponse


def dashboard(request: HttpRequest) -> HttpResponse:
    raise Http404


def export_csv(request: HttpRequest) -> HttpResponse:
    raise Http404
