"""Start-up as an operator sees it: a separate process reading the real environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "k3$-" + "x7Qp9vLm2Zr8Tb4Nc6Wd1Ys5Hf3Ju0Ga" * 2,
    "ALLOWED_HOSTS": "empresa24.queretaro.gob.mx",
    "OIDC_CLIENT_SECRET": "a-real-client-secret-from-the-identity-provider",
    "SANDBOX": "",
    "DEBUG": "",
    # The Security Server's TLS certificate, as `openssl x509 -noout -fingerprint -sha256` prints it.
    "AGENCY_API_SECURITY_SERVER_CERTS": ":".join(["5E"] * 32),
    "ESIGN_TRUST_ROOTS": "/etc/empresa24/sat-efirma-roots.pem",
}


def _manage(*args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    # A clean operator's environment: nothing the test run itself set (browser tests allow
    # synchronous ORM calls from Playwright's thread, which check --deploy rightly refuses).
    ignored = ("PYTEST", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ignored)}
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not valid"),
        ({"DATABASE_URL": "mysql://db/e24"}, "DATABASE_URL='mysql://db/e24' is not valid"),
        ({"CELERY_BROKER_URL": "sqs://"}, "CELERY_BROKER_URL='sqs://' is not valid"),
        (
            {"PORTAL_ENV": "staging"},
            "PORTAL_ENV='staging' is not valid: expected one of development, production",
        ),
        ({**PRODUCTION, "SECRET_KEY": ""}, "SECRET_KEY (or SECRET_KEY_FILE) is required"),
        ({**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required"),
        ({**PRODUCTION, "SANDBOX": "true"}, "SANDBOX=true is not allowed"),
        (
            {**PRODUCTION, "OIDC_CLIENT_SECRET": ""},
            "OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE) is required",
        ),
        ({**PRODUCTION, "ESIGN_TRUST_ROOTS": ""}, "ESIGN_TRUST_ROOTS is required"),
        ({"XROAD_TLS_CERT": "/etc/cert.pem"}, "XROAD_TLS_CERT and XROAD_TLS_KEY go together"),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_S3_BUCKET is required"),
        (
            {**PRODUCTION, "AGENCY_API_SECURITY_SERVER_CERTS": ""},
            "AGENCY_API_SECURITY_SERVER_CERTS or AGENCY_API_SECURITY_SERVERS is required",
        ),
        (
            {**PRODUCTION, "BEHIND_TLS_PROXY": "false"},
            "AGENCY_API_SECURITY_SERVER_CERTS needs BEHIND_TLS_PROXY=true",
        ),
        (
            {"AGENCY_API_SECURITY_SERVERS": "10.20.0.0/24,10.20.0.300"},
            "AGENCY_API_SECURITY_SERVERS='10.20.0.300' is not valid",
        ),
        (
            {"BEAT_RELAY_OUTBOX_SECONDS": "0"},
            "BEAT_RELAY_OUTBOX_SECONDS='0' is not valid: expected a whole number of at least 1",
        ),
        (
            {"BEAT_SERVICE_LEVEL_SECONDS": "every minute"},
            "BEAT_SERVICE_LEVEL_SECONDS='every minute' is not valid",
        ),
    ],
)
def test_bad_configuration_stops_start_up_with_a_named_reason(overrides, message):
    result = _manage("check", **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    "agency_api",
    [
        pytest.param({}, id="security server certificate"),
        pytest.param(
            {"AGENCY_API_SECURITY_SERVER_CERTS": "", "AGENCY_API_SECURITY_SERVERS": "10.20.0.5"},
            id="security server address",
        ),
    ],
)
def test_production_settings_pass_the_deployment_checklist_without_warnings(agency_api):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, **agency_api})
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_remote_signing_follows_the_e_identity_unless_set_apart():
    shown = (
        "from django.conf import settings as s; print(s.ESIGN_REMOTE_URL, "
        "s.ESIGN_REMOTE_AUTHORIZATION_ENDPOINT, s.ESIGN_REMOTE_TOKEN_ENDPOINT, "
        "s.ESIGN_REMOTE_CLIENT_ID, s.ESIGN_REMOTE_CLIENT_SECRET, s.ESIGN_REMOTE_TIMEOUT)"
    )
    same = _manage(
        "shell",
        "--no-imports",
        "-c",
        shown,
        OIDC_ISSUER="https://id.example/",
        OIDC_CLIENT_ID="e24",
    )
    apart = _manage(
        "shell", "--no-imports", "-c", shown,
        ESIGN_REMOTE_URL="https://firma.example/csc/v2/", ESIGN_REMOTE_CLIENT_ID="e24-firma",
        ESIGN_REMOTE_CLIENT_SECRET="s3cret", ESIGN_REMOTE_TIMEOUT="4",
    )  # fmt: skip

    assert same.stdout.split() == [
        "https://id.example/csc/v2",
        "https://id.example/authorize",
        "https://id.example/token",
        "e24",
        "DEVELOPMENT-ONLY-empresa24-sandbox-secret",
        "10.0",
    ], same.stderr
    assert apart.stdout.split()[0] == "https://firma.example/csc/v2"
    assert apart.stdout.split()[3:] == ["e24-firma", "s3cret", "4.0"], apart.stderr
