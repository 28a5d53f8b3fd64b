"""A test-only URLconf around the e.firma signing partial: the portal's own URLs, plus a page
that includes ``companies/_efirma_form.html`` pointing at two stand-in endpoints that hand out
fixed bytes to sign and record every request they receive (the live server runs in this
process, so the tests read ``received`` directly)."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.urls import include, path, reverse
from django.views.decorators.http import require_POST

TO_SIGN = b"1\x82\x01\x0bCMS signed attributes of the articles, version 3 \x00\xff\x10"
REFUSAL = "Este certificado fue revocado el 3 de marzo: renueva tu e.firma en el SAT."
received: list[tuple[str, dict[str, list[str]], bytes]] = []

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Firma de prueba</h1>'
    '{% include "companies/_efirma_form.html" with to_sign_url=to_sign_url '
    "finish_url=finish_url %}{% endblock %}"
)


def sign_page(request: HttpRequest, refuse: bool = False, broken: bool = False) -> HttpResponse:
    to_sign = "efirma_test:to_sign_refused" if refuse else "efirma_test:to_sign"
    finish = "efirma_test:finish_broken" if broken else "efirma_test:finish"
    context = {"to_sign_url": reverse(to_sign), "finish_url": reverse(finish)}
    return HttpResponse(PAGE.render(context, request))


def _record(request: HttpRequest, name: str) -> None:
    received.append((name, dict(request.POST.lists()), request.body))


@require_POST
def to_sign(request: HttpRequest) -> JsonResponse:
    _record(request, "to_sign")
    return JsonResponse({"to_sign": base64.b64encode(TO_SIGN).decode("ascii")})


@require_POST
def to_sign_refused(request: HttpRequest) -> JsonResponse:
    _record(request, "to_sign")
    return JsonResponse({"error": REFUSAL}, status=422)


@require_POST
def finish(request: HttpRequest) -> JsonResponse:
    _record(request, "finish")
    return JsonResponse({"redirect": reverse("efirma_test:signed")})


@require_POST
def finish_broken(request: HttpRequest) -> HttpResponse:
    _record(request, "finish")
    return HttpResponse("<h1>Server Error (500)</h1>", status=500)


def signed(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>ok</title><p>Firmado</p>")


test_urls = [
    path("", sign_page, name="page"),
    path("revocado/", sign_page, {"refuse": True}, name="page_refused"),
    path("por-firmar/", to_sign, name="to_sign"),
    path("por-firmar-revocado/", to_sign_refused, name="to_sign_refused"),
    path("averiado/", sign_page, {"broken": True}, name="page_broken"),
    path("terminar/", finish, name="finish"),
    path("terminar-averiado/", finish_broken, name="finish_broken"),
    path("firmado/", signed, name="signed"),
]
urlpatterns = [
    path("prueba-efirma/", include((test_urls, "efirma_test"))),
    path("", include("portal.urls")),
]
