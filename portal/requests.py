"""Request types for views: what the middleware stack adds to Django's HttpRequest."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from portal.models import User


class PortalRequest(HttpRequest):
    htmx: HtmxDetails


class SignedInRequest(PortalRequest):
    user: User
