"""Staff sign in with a password and a TOTP code; throttling never locks anyone else out."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def rosa(clerk):
    clerk.set_password(PASSWORD)
    clerk.save()
    return clerk


@pytest.fixture
def device(rosa):
    return TOTPDevice.objects.create(user=rosa, name="phone", confirmed=True)


def code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client: Client, password: str, token: str, address: str = "10.0.0.1"):
    data = {"username": "registradora", "password": password, "otp_token": token}
    return client.post(reverse("portal:sign_in"), data, REMOTE_ADDR=address)


def test_password_and_current_code_open_the_queue(client, device):
    response = sign_in(client, PASSWORD, code(device))
    assert response.url == reverse("companies:queue")
    assert client.get(reverse("companies:queue")).status_code == 200


def test_a_wrong_code_says_what_to_do_and_signs_nobody_in(client, device):
    response = sign_in(client, PASSWORD, "000000" if code(device) != "000000" else "111111")
    assert "Los códigos cambian cada 30 segundos" in response.content.decode()
    assert client.get(reverse("companies:queue")).status_code == 302


def test_staff_without_an_authenticator_are_told_to_ask_an_administrator(client, rosa):
    response = sign_in(client, PASSWORD, "123456")
    assert "Pide a una persona administradora" in response.content.decode()


def test_a_password_alone_does_not_reach_staff_pages(client, rosa):
    client.force_login(rosa)  # signed in, but not verified with the second factor
    response = client.get(reverse("companies:queue"))
    assert response.status_code == 302 and response.url.startswith("/entrar/?next=")


def test_guessing_from_one_address_cannot_lock_the_clerk_out_elsewhere(client, device, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.auth_events"):
        for _ in range(5):
            sign_in(client, "wrong-password", "000000", address="203.0.113.9")
    throttled = sign_in(client, PASSWORD, code(device), address="203.0.113.9")
    assert "Demasiados intentos fallidos" in throttled.content.decode()
    elsewhere = sign_in(Client(), PASSWORD, code(device), address="10.0.0.1")
    assert elsewhere.status_code == 302
    assert sum(r.message == "sign-in failed" for r in caplog.records) == 5


def test_sign_in_and_sign_out_are_logged(client, device, caplog):
    with caplog.at_level(logging.INFO, logger="portal.auth_events"):
        sign_in(client, PASSWORD, code(device))
        client.post(reverse("portal:sign_out"))
    assert [r.message for r in caplog.records if r.name == "portal.auth_events"] == [
        "sign-in",
        "sign-out",
    ]
