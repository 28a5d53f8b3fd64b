"""Shared fixtures. Integration and browser tests need real services: where one is missing they
skip with the reason, except under CI=true, where a missing service fails the run."""

from __future__ import annotations

import os

import pytest


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def efirma_folder(tmp_path_factory):
    """The sandbox SAT authority and the demo e.firma files, made once for the run outside the
    checkout (the sandbox makes them under var/ otherwise)."""
    from sandbox import efirma

    folder = tmp_path_factory.mktemp("efirma")
    efirma.make_folder(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_EFIRMA_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def seal_files(tmp_path_factory):
    """A development seal key pair for the whole run (the registry's real one in production)."""
    from io import StringIO

    from django.core.management import call_command

    folder = tmp_path_factory.mktemp("seal")
    key, cert = folder / "seal-key.pem", folder / "seal-cert.pem"
    call_command("make_seal_key", key=key, cert=cert, stdout=StringIO())
    return key, cert


@pytest.fixture(autouse=True)
def document_settings(settings, seal_files, efirma_folder, tmp_path_factory):
    """Documents issued in a test are sealed with the run's key and stored in a folder of the
    test's own, outside the checkout; signatures are trusted up to the run's sandbox SAT."""
    settings.ESIGN_TRUST_ROOTS = str(efirma_folder / "ca.pem")
    settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH = seal_files
    settings.SEAL_TSA_URL = ""  # B-B, unless a test serves a time-stamping authority
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def fresh_api_caches(settings, tmp_path_factory):
    """The agency API's per-process copies (the allowlist, the companies' bodies) start empty in
    every test: the database a test saw is rolled back, its ids may come again. Its request log
    is spooled to a folder of the test's own, ingested only when the test says so."""
    from companies.api import access, cache, spool

    access.allowlist.forget()
    cache.bodies.clear()
    settings.AGENCY_API_LOG_SPOOL = tmp_path_factory.mktemp("agency-log")
    settings.AGENCY_API_LOG_BATCH = 1_000_000
    settings.AGENCY_API_LOG_SECONDS = 1_000_000.0
    spool.spool.appended = 0


@pytest.fixture
def staff_password() -> str:
    return "correct-horse-battery-staple-42"


@pytest.fixture
def applicant(db):
    from tests.factories import EntrepreneurFactory

    return EntrepreneurFactory()


@pytest.fixture
def other_applicant(db):
    from tests.factories import EntrepreneurFactory

    return EntrepreneurFactory(
        curp="MERC851102HQTNSR00", first_name="Carlos Eduardo", last_name="Mendoza Reséndiz"
    )


@pytest.fixture
def clerk(db):
    from portal import roles
    from tests.factories import UserFactory

    return UserFactory(username="registradora", role=roles.CLERKS, is_staff=True)


@pytest.fixture(scope="session")
def sandbox_server():
    """The sandbox registries behind the X-Road emulator, served over real HTTP for the session."""
    from sandbox.world import build_emulator
    from xroad_client.emulator import serve_in_thread

    emulator = build_emulator()
    with serve_in_thread(emulator) as url:
        yield emulator, url


@pytest.fixture
def xroad_sandbox(sandbox_server, settings):
    """Point the portal's X-Road client at the sandbox; faults are cleared after each test."""
    from companies import registries as adapter

    emulator, url = sandbox_server
    emulator.clear_exchanges()
    settings.XROAD_SECURITY_SERVER_URL = url
    settings.XROAD_TIMEOUT = 2.0
    adapter.client.cache_clear()
    yield emulator
    emulator.clear_faults()
    adapter.client.cache_clear()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def identity_provider_server():
    """The sandbox e-identity provider on a loopback port; any loopback callback is accepted."""
    from sandbox.identity import ClientRegistration, create_app
    from xroad_client.emulator import serve_in_thread

    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    portal = ClientRegistration(
        client_id="empresa24-test",
        client_secret="test-only-secret",
        redirect_uris=(
            "http://testserver/oidc/callback/",
            "http://127.0.0.1:8000/oidc/callback/",
            "http://localhost:8000/oidc/callback/",
            # the remote signing step-up's callback (companies/signatures/remote.py)
            "http://testserver/firma-remota/vuelta/",
            "http://127.0.0.1:8000/firma-remota/vuelta/",
            "http://localhost:8000/firma-remota/vuelta/",
        ),
        post_logout_redirect_uris=("http://testserver/",),
        allow_loopback_redirects=True,
    )
    with serve_in_thread(create_app(issuer=issuer, clients=[portal]), port=port) as url:
        yield url


@pytest.fixture
def identity_provider(identity_provider_server, settings):
    issuer = identity_provider_server
    settings.OIDC_RP_CLIENT_ID = "empresa24-test"
    settings.OIDC_RP_CLIENT_SECRET = "test-only-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    settings.ESIGN_REMOTE_URL = f"{issuer}/csc/v2"
    settings.ESIGN_REMOTE_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize"
    settings.ESIGN_REMOTE_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.ESIGN_REMOTE_CLIENT_ID = "empresa24-test"
    settings.ESIGN_REMOTE_CLIENT_SECRET = "test-only-secret"
    return issuer


@pytest.fixture
def legal_forms(transactional_db):
    """Transactional tests flush every table, data migrations' rows included: load them again."""
    from companies.reference_data import load_legal_forms

    load_legal_forms()


def verified_login(client, user):
    """Sign a staff member in as if they had typed their password and TOTP code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def fresh_login(client, user, *, seconds_ago: int = 10):
    """Sign a person in as if their e-identity sign-in was ``seconds_ago`` seconds ago (signing
    needs one within the last 5 minutes)."""
    import time

    client.force_login(user)
    session = client.session
    session["eid_auth_time"] = int(time.time()) - seconds_ago
    session.save()
    return client


@pytest.fixture
def signed_application(applicant, other_applicant):
    """Ana's complete S.A.S., its current version signed by Ana and Carlos (the portal users of
    ``applicant`` and ``other_applicant``) through the signing service: ready to submit."""
    from tests.factories import complete_application, sign_everyone

    return sign_everyone(complete_application(applicant))


@pytest.fixture
def registered_company(applicant):
    """Ana's S.A.S. entered in the register by the registration service as the year's entry
    123, with its RFC; its documents not issued yet."""
    from tests import factories

    application = factories.complete_application(applicant)
    return factories.registered_company(application, number=123, rfc="TES261126AB1")


@pytest.fixture
def supervisor(db):
    from portal import roles
    from tests.factories import UserFactory

    return UserFactory(username="supervisor", role=roles.SUPERVISORS, is_staff=True)


@pytest.fixture
def second_clerk(db):
    from portal import roles
    from tests.factories import UserFactory

    return UserFactory(username="registrador2", role=roles.CLERKS, is_staff=True)


@pytest.fixture
def in_english(client, settings):
    """The test client's pages in English (the language cookie). LocaleMiddleware leaves the
    language it activated on the thread, so it is reset afterwards for the tests that follow."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.deactivate()
