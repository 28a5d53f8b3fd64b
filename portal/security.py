"""Staff sign-in: password plus TOTP, throttled per (user name, address) and per address.

Throttling never counts against an account as such: someone guessing a clerk's password from
elsewhere slows down only themselves, so it cannot be used to lock the clerk out.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token

from portal.models import User

log = logging.getLogger("portal.auth_events")
View = Callable[..., HttpResponse]


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _keys(username: str, address: str) -> list[str]:
    who = hashlib.sha256(f"{username.lower()}|{address}".encode()).hexdigest()[:32]
    return [f"sign-in:pair:{who}", f"sign-in:address:{address}"]


def throttled(username: str, address: str) -> bool:
    pair, by_address = (cache.get(k, 0) for k in _keys(username, address))
    limit = settings.SIGN_IN_FAILURES_ALLOWED
    return bool(pair >= limit or by_address >= limit * 4)


def note_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        count_in_window(key, settings.SIGN_IN_LOCKOUT_SECONDS)


def count_in_window(key: str, seconds: int) -> int:
    """Count one more event under ``key``; the count starts again ``seconds`` after the first."""
    cache.add(key, 0, seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1


def forget_failures(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


class StaffSignInForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Write the 6-digit code your authenticator app shows.")},
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed attempts from here. Wait 15 minutes and try again."),
        "bad_code": _(
            "That code is not valid. Codes change every 30 seconds: write the current one."
        ),
        "no_device": _("Your account has no authenticator yet. Ask an administrator to set it up."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username", "")
        address = client_address(self.request)
        if throttled(username, address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            note_failure(username, address)
            raise
        user = self.get_user()
        if not list(devices_for_user(user, confirmed=True)):
            raise forms.ValidationError(self.error_messages["no_device"], code="no_device")
        self.otp_device = match_token(user, self.cleaned_data.get("otp_token", ""))
        if self.otp_device is None:
            note_failure(username, address)
            raise forms.ValidationError(self.error_messages["bad_code"], code="bad_code")
        forget_failures(username, address)
        return cleaned


def is_verified_staff(user: User | AnonymousUser, permission: str) -> bool:
    """Staff holding ``permission`` who signed in with the second factor in this session."""
    if not user.is_authenticated or not user.has_perm(permission):
        return False
    return bool(user.is_verified())  # type: ignore[attr-defined]  # django_otp's middleware


def staff_verified(view: View) -> View:
    """Staff pages need a sign-in verified with the second factor in this session."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_verified():  # type: ignore[union-attr]
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:sign_in')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


def staff_view(permission: str) -> Callable[[View], View]:
    """A staff page: signed in (else the sign-in page), holding ``permission`` (else 403), and
    verified with the second factor in this session (else the staff sign-in)."""

    def decorate(view: View) -> View:
        return login_required(
            permission_required(permission, raise_exception=True)(staff_verified(view))
        )

    return decorate


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log.info(
        "sign-in",
        extra={"user": user.pk, "address": client_address(request), "staff": user.is_staff},
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log.info(
        "sign-out", extra={"user": getattr(user, "pk", None), "address": client_address(request)}
    )


@receiver(user_login_failed)
def _failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    log.warning(
        "sign-in failed",
        extra={"username": credentials.get("username"), "address": client_address(request)},
    )
