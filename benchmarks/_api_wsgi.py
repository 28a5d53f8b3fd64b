"""The WSGI app that ``register_api.py`` serves with gunicorn (a helper, not a benchmark).

The portal as configured by the environment, routed through this module's URLconf: the agency
API where the lead mounts it (``api/v1/``) and the baseline, a bare Django JSON view, both
behind the same middleware.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

application = get_wsgi_application()

from companies.api import api  # noqa: E402  (needs the apps loaded)


def bare(request: HttpRequest, number: str) -> JsonResponse:
    return JsonResponse({"numero": number})


urlpatterns = [path("api/v1/", api.urls), path("bare/<str:number>", bare)]
settings.ROOT_URLCONF = __name__
