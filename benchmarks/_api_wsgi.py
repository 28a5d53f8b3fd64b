"""The WSGI app that ``register_api.py`` serves with gunicorn (a helper, not a benchmark).

The portal as configured by the environment, routed through this module's URLconf: the portal's
own (the agency API at ``api/v1/``, the public register) and the baseline, a bare Django JSON
view at ``bare/<number>``, all behind the same middleware.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

application = get_wsgi_application()


def bare(request: HttpRequest, number: str) -> JsonResponse:
    return JsonResponse({"numero": number})


urlpatterns = [path("bare/<str:number>", bare), path("", include("portal.urls"))]
settings.ROOT_URLCONF = __name__
