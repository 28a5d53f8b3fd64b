"""A test-only URLconf around the e.firma signing partial: the portal's own URLs, plus a page
that includes ``companies/_efirma_form.html`` pointing at stand-in endpoints that speak the
contract of ``companies/views/efirma.py`` (prepare: the .cer as a multipart file, answered with
fixed bytes to sign and a finish URL; finish: the signature), and record every request they
receive (the live server runs in this process, so the tests read ``received`` directly)."""

from __future__ import annotations

import base64
import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.urls import include, path, reverse
from django.views.decorators.http import require_POST

TO_SIGN = b"1\x82\x01\x0bCMS signed attributes of the articles, version 3 \x00\xff\x10"
TO_SIGN_AGAIN = b"1\x82\x01\x0bCMS signed attributes after Carlos signed, version 3 \x01"
REFUSAL = "Este certificado fue revocado el 3 de marzo: renueva tu e.firma en el SAT."
SIGNED = "Tu firma cuenta."
FOUNDER = "17"
# (endpoint, form fields, uploaded files by field as bytes, raw body unless multipart)
received: list[tuple[str, dict[str, list[str]], dict[str, bytes], bytes]] = []

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Firma de prueba</h1>'
    '{% include "companies/_efirma_form.html" with prepare_url=prepare_url '
    "founder=founder %}{% endblock %}"
)


def sign_page(request: HttpRequest, variant: str = "") -> HttpResponse:
    context = {"prepare_url": reverse("efirma_test:prepare", args=[variant or "ok"])}
    context["founder"] = FOUNDER
    return HttpResponse(PAGE.render(context, request))


def _record(request: HttpRequest, name: str) -> None:
    files = {field: upload.read() for field, upload in request.FILES.items()}
    # a multipart body is streamed into POST and FILES, and is not kept as a whole
    body = b"" if files else request.body
    received.append((name, dict(request.POST.lists()), files, body))


def _prepared(variant: str, to_sign: bytes) -> JsonResponse:
    return JsonResponse(
        {
            "session": "5b0c5c36-0d3a-4c57-9d4c-5a7f3c1f7e21",
            "to_be_signed": base64.b64encode(to_sign).decode("ascii"),
            "digest": base64.b64encode(hashlib.sha256(to_sign).digest()).decode("ascii"),
            "expires_at": "2026-12-03T20:00:00+00:00",
            "founder": int(FOUNDER),
            "finish": reverse("efirma_test:finish", args=[variant]),
        }
    )


@require_POST
def prepare(request: HttpRequest, variant: str) -> JsonResponse:
    _record(request, "prepare")
    if variant == "revocado":
        return JsonResponse({"error": "Revoked", "message": REFUSAL}, status=400)
    prepared_before = sum(1 for what, *_ in received if what == "prepare") > 1
    again = variant in ("primero", "otra-vez") and prepared_before
    return _prepared(variant, TO_SIGN_AGAIN if again else TO_SIGN)


@require_POST
def finish(request: HttpRequest, variant: str) -> HttpResponse:
    _record(request, "finish")
    finishes = sum(1 for what, *_ in received if what == "finish")
    if variant == "averiado":
        return HttpResponse("<h1>Server Error (500)</h1>", status=500)
    if variant == "otra-vez" or (variant == "primero" and finishes == 1):
        return JsonResponse(
            {"error": "SomeoneSignedFirst", "message": "Otra persona firmó primero."}, status=409
        )
    if variant == "espera":
        return JsonResponse({"status": "waiting", "message": "Esperamos al SAT."}, status=202)
    return JsonResponse(
        {"status": "signed", "message": SIGNED, "signatures": reverse("efirma_test:signed")}
    )


def signed(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>ok</title><p>Firmado</p>")


test_urls = [
    path("", sign_page, name="page"),
    path("<slug:variant>/", sign_page, name="page_variant"),
    path("preparar/<slug:variant>/", prepare, name="prepare"),
    path("terminar/<slug:variant>/", finish, name="finish"),
    path("listo/firmado/", signed, name="signed"),
]
urlpatterns = [
    path("prueba-efirma/", include((test_urls, "efirma_test"))),
    path("", include("portal.urls")),
]
