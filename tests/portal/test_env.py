from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import env


@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (
            lambda e: env.env_bool("DEBUG", False, e),
            "maybe",
            "DEBUG='maybe' is not valid: expected one of true/false",
        ),
        (
            lambda e: env.env_int("DEBUG", 1, e),
            "ten",
            "DEBUG='ten' is not valid: expected a whole number of at least 0",
        ),
        (
            lambda e: env.env_int("DEBUG", 1, e, minimum=5),
            "3",
            "expected a whole number of at least 5",
        ),
        (
            lambda e: env.env_float("DEBUG", 1.0, e),
            "fast",
            "DEBUG='fast' is not valid: expected a number",
        ),
        (lambda e: env.env_choice("DEBUG", ("a", "b"), "a", e), "c", "expected one of a, b"),
        (
            lambda e: env.env_database("DEBUG", "sqlite://", e, conn_max_age=0),
            "mysql://h/db",
            "expected a sqlite:/// or postgres:// URL",
        ),
        (
            lambda e: env.env_database("DEBUG", "sqlite://", e, conn_max_age=0),
            "postgres://host",
            "a URL that names the database",
        ),
        (
            lambda e: env.env_broker("DEBUG", "memory://", e),
            "kafka://x",
            "expected a redis://, amqp:// or filesystem:// URL",
        ),
        (
            lambda e: env.env_email("DEBUG", "console://", e),
            "pigeon://x",
            "expected a console://, file:// or smtp(s):// URL",
        ),
        (
            lambda e: env.env_email("DEBUG", "console://", e),
            "smtp://",
            "smtp://user:password@host:port",
        ),
        (
            lambda e: env.env_email("DEBUG", "console://", e),
            "smtp://h:99999",
            "a port number between 1 and 65535",
        ),
        (
            lambda e: env.env_networks("DEBUG", [], e),
            "10.0.0.0/33",
            "DEBUG='10.0.0.0/33' is not valid: expected IP addresses or networks",
        ),
        (
            lambda e: env.env_fingerprints("DEBUG", e),
            "AB:CD",
            "expected SHA-256 fingerprints of 64 hex digits",
        ),
        (
            lambda e: env.env_header("DEBUG", "X-A", e),
            "X_SSL_Client_Cert",
            "expected a header name of letters, digits and hyphens",
        ),
    ],
)
def test_malformed_value_names_the_variable_and_what_is_expected(reader, value, message):
    with pytest.raises(ImproperlyConfigured) as caught:
        reader({"DEBUG": value})
    assert message in str(caught.value)


def test_missing_or_blank_values_fall_back_to_defaults():
    assert env.env_bool("X", True, {}) is True
    assert env.env_int("X", 7, {"X": "  "}) == 7
    assert env.env_list("X", ["a"], {}) == ["a"]
    assert env.env_list("X", [], {"X": "a.mx, b.mx,,"}) == ["a.mx", "b.mx"]


def test_database_url_gives_persistent_health_checked_postgres_connections():
    config = env.env_database(
        "DATABASE_URL", "sqlite://", {"DATABASE_URL": "postgres://u:p@db:5433/e24"}, conn_max_age=60
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("e24", "db", 5433)
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_secret_is_read_from_a_file(tmp_path: Path):
    secret = tmp_path / "key"
    secret.write_text("s3cr3t-from-file\n")
    assert env.env_secret("SECRET_KEY", {"SECRET_KEY_FILE": str(secret)}) == "s3cr3t-from-file"


def test_secret_file_that_cannot_be_read_is_named(tmp_path: Path):
    with pytest.raises(ImproperlyConfigured, match=r"SECRET_KEY_FILE=.* expected a readable file"):
        env.env_secret("SECRET_KEY", {"SECRET_KEY_FILE": str(tmp_path / "absent")})


def test_secret_given_twice_is_refused(tmp_path: Path):
    with pytest.raises(ImproperlyConfigured, match="either SECRET_KEY or SECRET_KEY_FILE"):
        env.env_secret("SECRET_KEY", {"SECRET_KEY": "a", "SECRET_KEY_FILE": "/x"})


def test_email_urls_map_to_django_backends():
    smtp = env.env_email("EMAIL_URL", "", {"EMAIL_URL": "smtp://ana%40mx:p%40ss@mail.mx:587"})
    assert smtp["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("ana@mx", "p@ss")
    assert smtp["EMAIL_USE_TLS"] is True and smtp["EMAIL_USE_SSL"] is False
    smtps = env.env_email("EMAIL_URL", "", {"EMAIL_URL": "smtps://mail.mx"})
    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"]) == (465, True)
    files = env.env_email("EMAIL_URL", "", {"EMAIL_URL": "file:///var/mail"})
    assert files["EMAIL_FILE_PATH"] == "/var/mail"


def test_networks_and_fingerprints_are_read_in_their_normal_form():
    networks = env.env_networks("N", [], {"N": "10.20.0.5, 10.20.1.7/24,2001:db8::1"})
    assert networks == ["10.20.0.5/32", "10.20.1.0/24", "2001:db8::1/128"]
    fingerprint = ":".join(["Ab"] * 32)
    assert env.env_fingerprints("F", {"F": fingerprint}) == ["ab" * 32]
