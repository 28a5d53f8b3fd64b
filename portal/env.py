"""Small typed readers for configuration held in environment variables.

Every reader names the variable and what it expects when a value is malformed, so that an
operator sees the mistake at start-up instead of a stack trace at the first request.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ is None else environ
    value = source.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def _bad(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}.")


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise _bad(name, value, "one of true/false, yes/no, on/off, 1/0")


def env_int(
    name: str, default: int, environ: Mapping[str, str] | None = None, *, minimum: int = 0
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _bad(name, value, f"a whole number of at least {minimum}") from None
    if number < minimum:
        raise _bad(name, value, f"a whole number of at least {minimum}")
    return number


def env_float(
    name: str, default: float, environ: Mapping[str, str] | None = None, *, minimum: float = 0.0
) -> float:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise _bad(name, value, f"a number of at least {minimum}") from None
    if number < minimum:
        raise _bad(name, value, f"a number of at least {minimum}")
    return number


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(
    name: str, default: list[str], environ: Mapping[str, str] | None = None
) -> list[str]:
    """Comma-separated IP addresses or CIDR networks, each in its normal form (``10.0.5.0/24``)."""
    networks = []
    for item in env_list(name, default, environ):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise _bad(
                name, item, "IP addresses or networks, e.g. 10.20.0.5 or 10.20.0.0/24"
            ) from None
    return networks


HEADER_NAME = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")


def env_header(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """An HTTP header name: letters, digits and single hyphens (proxies drop underscores)."""
    value = env_str(name, default, environ)
    if not HEADER_NAME.fullmatch(value):
        raise _bad(
            name, value, "a header name of letters, digits and hyphens, e.g. X-SSL-Client-Cert"
        )
    return value


SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def env_fingerprints(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Comma-separated SHA-256 fingerprints, as lower-case hex without colons."""
    fingerprints = []
    for item in env_list(name, [], environ):
        compact = item.replace(":", "").lower()
        if not SHA256_HEX.fullmatch(compact):
            raise _bad(name, item, "SHA-256 fingerprints of 64 hex digits (colons allowed)")
        fingerprints.append(compact)
    return fingerprints


def env_choice(
    name: str, choices: tuple[str, ...], default: str, environ: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() not in choices:
        raise _bad(name, value, "one of " + ", ".join(choices))
    return value.lower()


def env_secret(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Read a secret from NAME or from the file named by NAME_FILE (Docker/Kubernetes style)."""
    value = _raw(name, environ)
    path = _raw(f"{name}_FILE", environ)
    if value is not None and path is not None:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if path is None:
        return value
    try:
        content = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _bad(f"{name}_FILE", path, f"a readable file ({exc.strerror})") from None
    if not content:
        raise _bad(f"{name}_FILE", path, "a file that is not empty")
    return content


def env_path(name: str, default: Path, environ: Mapping[str, str] | None = None) -> Path:
    value = _raw(name, environ)
    return default if value is None else Path(value).expanduser().resolve()


def env_database(
    name: str, default: str, environ: Mapping[str, str] | None = None, *, conn_max_age: int
) -> dict[str, Any]:
    value = _raw(name, environ) or default
    scheme = urlsplit(value).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise _bad(name, value, "a sqlite:/// or postgres:// URL")
    try:
        config = dict(dj_database_url.parse(value, conn_max_age=conn_max_age))
    except ValueError as exc:
        raise _bad(name, value, f"a database URL ({exc})") from None
    if scheme != "sqlite" and not config.get("NAME"):
        raise _bad(name, value, "a URL that names the database, e.g. postgres://host/empresa24")
    config["CONN_HEALTH_CHECKS"] = scheme != "sqlite"
    if scheme == "sqlite":
        # The zero-setup stack has a web process and a worker writing to one file: writers
        # take the lock when their transaction begins and wait for it (instead of failing
        # with "database is locked"), and readers do not block them (WAL).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


def env_broker(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ) or default
    scheme = urlsplit(value).scheme
    if scheme not in {"redis", "rediss", "amqp", "amqps", "pyamqp", "filesystem", "memory"}:
        raise _bad(name, value, "a redis://, amqp:// or filesystem:// URL")
    return value


def env_email(name: str, default: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Turn EMAIL_URL into Django email settings.

    console://                      nothing sent: one INFO log line per message (default)
    file:///var/mail                one file per message in that folder
    smtp://user:password@host:587   SMTP with STARTTLS on 587, plain otherwise
    smtps://user:password@host:465  SMTP over TLS
    """
    value = _raw(name, environ) or default
    parts = urlsplit(value)
    config: dict[str, Any] = {
        "EMAIL_FILE_PATH": None,
        "EMAIL_HOST": "localhost",
        "EMAIL_PORT": 25,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
    }
    if parts.scheme == "console":
        return config | {"EMAIL_BACKEND": "portal.mail.LoggedEmailBackend"}
    if parts.scheme == "file":
        if not parts.path:
            raise _bad(name, value, "file:///absolute/folder")
        return config | {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise _bad(name, value, "smtp://user:password@host:port")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 587)
        except ValueError:
            raise _bad(name, value, "a port number between 1 and 65535") from None
        query = parse_qs(parts.query)
        return config | {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": parts.scheme == "smtp"
            and query.get("tls", ["true" if port == 587 else "false"])[0] in TRUE_WORDS,
        }
    raise _bad(name, value, "a console://, file:// or smtp(s):// URL")
