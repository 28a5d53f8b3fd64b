"""The shell of the portal: home, sign-in, health and readiness."""

from __future__ import annotations

import logging

from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp import login as otp_login

from portal.celery import app as celery_app
from portal.models import WorkerHeartbeat
from portal.security import StaffSignInForm

log = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks, "worker": _worker_age()}
    return JsonResponse(body, status=200 if ready else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not ready"; it is logged, not hidden
        log.warning("readiness: database unreachable", extra={"error": repr(exc)})
        return "unreachable"
    return "ok"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        log.warning("readiness: broker unreachable", extra={"error": repr(exc)})
        return "unreachable"
    return "ok"


def _worker_age() -> dict[str, float | None]:
    heartbeat = WorkerHeartbeat.objects.filter(source="beat").first()
    if heartbeat is None:
        return {"last_heartbeat_seconds_ago": None}
    age = (timezone.now() - heartbeat.seen_at).total_seconds()
    return {"last_heartbeat_seconds_ago": round(age, 1)}


class StaffSignInView(LoginView):
    """Registry staff: password and TOTP code; the session is marked verified for staff pages."""

    template_name = "portal/sign_in.html"
    form_class = StaffSignInForm
    next_page = "companies:queue"

    def form_valid(self, form: StaffSignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        otp_login(self.request, form.otp_device)
        return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and PDF viewers ask for /favicon.ico; ours is an SVG among the static files
    (resolved per request: the manifest of hashed names exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
