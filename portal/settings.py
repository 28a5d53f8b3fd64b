"""Empresa24 settings: one file, configured by environment variables (see README.md).

PORTAL_ENV picks the defaults: ``development`` (the default) needs no server at all: SQLite
under var/, a filesystem Celery broker, e-mail only logged (one line each) and the sandbox registries;
``production`` insists on real secrets and hosts and refuses the sandbox.
"""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env.env_path("VAR_DIR", BASE_DIR / "var")

ENVIRONMENT = env.env_choice("PORTAL_ENV", ("development", "production"), "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env.env_bool("DEBUG", not PRODUCTION)

_secret_key = env.env_secret("SECRET_KEY")
if _secret_key is None and PRODUCTION:
    raise ImproperlyConfigured(
        "SECRET_KEY (or SECRET_KEY_FILE) is required when PORTAL_ENV=production."
    )
SECRET_KEY = _secret_key or "django-insecure-development-only-never-use-in-production"

ALLOWED_HOSTS = env.env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is required when PORTAL_ENV=production, e.g. empresa24.queretaro.gob.mx."
    )
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS", [])
# The portal's public address, for links in e-mails.
PORTAL_BASE_URL = env.env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# The sandbox (demo sign-in, local registries) exists for development and tests only.
SANDBOX = env.env_bool("SANDBOX", not PRODUCTION)
SANDBOX_BANK_URL = env.env_str("SANDBOX_BANK_URL", "http://127.0.0.1:8702")
if SANDBOX and PRODUCTION:
    raise ImproperlyConfigured("SANDBOX=true is not allowed when PORTAL_ENV=production.")

INSTALLED_APPS = [
    "portal",
    "companies",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "mozilla_django_oidc",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "portal.logging.RequestIdMiddleware",
    "portal.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.limits.RequestTooLargeMiddleware",  # reads the body before CsrfViewMiddleware does
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.method_not_allowed.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "portal:sign_in"
LOGIN_REDIRECT_URL = "companies:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite under var/ by default; PostgreSQL with persistent, health-checked connections.
DATABASES = {
    "default": env.env_database(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env.env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Spanish (Mexico) first, English complete.
LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Mexico_City"
# Dates in lowercase Spanish, times with their zone: portal/formats/.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True

# How much of a request Django reads. The longest field of any form takes 4,000 characters
# and says so in its own message, with the text kept (companies/filing/forms.py); the body limit is
# far above that, so a person who pastes even 5 MB into the corporate purpose gets that message
# back, and only abuse meets portal.limits' page (413). It also bounds a multipart body: the
# largest one is the 5 MB PDF checked at /verificar/ (which refuses a larger file itself).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The widest form is the administration step (one checkbox per founder, at most 50 partners in
# an S. de R.L.) or an admin list page selecting its 100 rows; Django's 1,000 is far more.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
# The PDF checked at /verificar/ is read whole anyway: up to its 5 MB (and the form around it)
# it stays in memory instead of going through a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024 + 64 * 1024

# Static and uploaded files.
STATIC_URL = "/static/"
STATIC_ROOT = env.env_path("STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGE_BACKEND = env.env_choice("STORAGE_BACKEND", ("filesystem", "s3"), "filesystem")
MEDIA_ROOT = env.env_path("STORAGE_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media/"
_default_storage: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STORAGE_BACKEND == "s3":
    _bucket = env.env_str("STORAGE_S3_BUCKET", "")
    if not _bucket:
        raise ImproperlyConfigured("STORAGE_S3_BUCKET is required when STORAGE_BACKEND=s3.")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env.env_str("STORAGE_S3_ENDPOINT_URL", "") or None,
            "region_name": env.env_str("STORAGE_S3_REGION", "") or None,
            "access_key": env.env_secret("STORAGE_S3_ACCESS_KEY"),
            "secret_key": env.env_secret("STORAGE_S3_SECRET_KEY"),
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail.
_email = env.env_email("EMAIL_URL", "console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
DEFAULT_FROM_EMAIL = env.env_str(
    "DEFAULT_FROM_EMAIL", "Empresa24 <no-responder@empresa24.queretaro.gob.mx>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The registry's seal for certificates and articles (PAdES); `manage.py make_seal_key` makes a
# development pair. In production point these at the registry's real key and certificate.
SEAL_KEY_PATH = env.env_path("SEAL_KEY_PATH", VAR_DIR / "seal" / "seal-key.pem")
SEAL_CERT_PATH = env.env_path("SEAL_CERT_PATH", VAR_DIR / "seal" / "seal-cert.pem")
# An RFC 3161 Time-Stamping Authority puts a trusted time on the seal (PAdES B-T); without one
# the seal is B-B. SEAL_TSA_CA_PATH is the TSA's root, trusted when documents are verified. In the
# sandbox both default to `python -m sandbox`'s TSA, which writes its root under var/ when it
# starts; SEAL_TSA_URL=off seals without it.
_seal_tsa_url = env.env_str("SEAL_TSA_URL", "http://127.0.0.1:8703/" if SANDBOX else "")
SEAL_TSA_URL = "" if _seal_tsa_url.lower() == "off" else _seal_tsa_url
SEAL_TSA_CA_PATH = env.env_str(
    "SEAL_TSA_CA_PATH", str(VAR_DIR / "sandbox-tsa" / "ca.pem") if SANDBOX else ""
)

# Advanced electronic signatures (e.firma): the certificates of SAT's hierarchy a founder's
# certificate must chain to (PEM, roots and issuing authorities in one file). In the sandbox it is
# what `python -m sandbox` writes under var/ when it starts (sandbox/efirma.py); in production SAT's
# own roots, which must be set: without them no signature can be trusted.
ESIGN_TRUST_ROOTS = env.env_str(
    "ESIGN_TRUST_ROOTS", str(VAR_DIR / "sandbox-efirma" / "ca.pem") if SANDBOX else ""
)
if PRODUCTION and not ESIGN_TRUST_ROOTS:
    raise ImproperlyConfigured(
        "ESIGN_TRUST_ROOTS is required when PORTAL_ENV=production: the PEM file of SAT's root and "
        "issuing certificates that founders' e.firma certificates chain to."
    )

# Celery: the broker is a filesystem folder by default, so a real worker process runs with no server.
CELERY_BROKER_URL = env.env_broker("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_SOFT_TIME_LIMIT = env.env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env.env_int("CELERY_TASK_TIME_LIMIT", 150, minimum=1)
# Redis redelivers a message a worker took but never acknowledged (it died) after this long.
CELERY_VISIBILITY_TIMEOUT = env.env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=5)
# First wait before processing tries an unavailable registry again (then doubling, up to 30 min).
PROCESSING_RETRY_SECONDS = env.env_int("PROCESSING_RETRY_SECONDS", 30, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_TIME_LIMIT must be larger than CELERY_TASK_SOFT_TIME_LIMIT."
    )
# Beat: seconds between runs of the periodic work (portal/celery.py's beat_schedule). The relay
# sends what the broker refused at commit; re-driving picks up applications stuck for
# supervision.STUCK_AFTER; the service-level watch warns supervisors at 80 % and at a breach.
BEAT_RELAY_OUTBOX_SECONDS = env.env_int("BEAT_RELAY_OUTBOX_SECONDS", 15, minimum=1)
BEAT_REDRIVE_SECONDS = env.env_int("BEAT_REDRIVE_SECONDS", 300, minimum=1)
BEAT_SERVICE_LEVEL_SECONDS = env.env_int("BEAT_SERVICE_LEVEL_SECONDS", 60, minimum=1)
BEAT_EXPIRE_RESERVATIONS_SECONDS = env.env_int("BEAT_EXPIRE_RESERVATIONS_SECONDS", 3600, minimum=1)
BEAT_CHECK_SIGNATURES_SECONDS = env.env_int("BEAT_CHECK_SIGNATURES_SECONDS", 60, minimum=1)
BEAT_INGEST_REQUEST_LOG_SECONDS = env.env_int("BEAT_INGEST_REQUEST_LOG_SECONDS", 10, minimum=1)
# Filings on registered companies whose effective date has come are registered by beat this often.
BEAT_APPLY_DUE_FILINGS_SECONDS = env.env_int("BEAT_APPLY_DUE_FILINGS_SECONDS", 900, minimum=1)
BEAT_PUSH_CHANGES_SECONDS = env.env_int("BEAT_PUSH_CHANGES_SECONDS", 30, minimum=1)
# Agency subscriptions (companies/push): the first wait after a subscriber failed to take a
# change (then doubling, up to PUSH_RETRY_MAX_SECONDS), and how many changes one task sends.
PUSH_RETRY_SECONDS = env.env_int("PUSH_RETRY_SECONDS", 5, minimum=1)
PUSH_RETRY_MAX_SECONDS = env.env_int("PUSH_RETRY_MAX_SECONDS", 1800, minimum=1)
PUSH_BATCH = env.env_int("PUSH_BATCH", 500, minimum=1)
# Days a "this is not me" link of an identity-use alert stays valid (companies/identity.py).
IDENTITY_ALERT_DAYS = env.env_int("IDENTITY_ALERT_DAYS", 30, minimum=1)
# Sent outbox messages are deleted this many days after they were sent (every night at 03:41).
OUTBOX_KEEP_DAYS = env.env_int("OUTBOX_KEEP_DAYS", 7, minimum=1)

# X-Road: the portal is a client subsystem behind its Security Server.
XROAD_SECURITY_SERVER_URL = env.env_str("XROAD_SECURITY_SERVER_URL", "http://127.0.0.1:8700")
XROAD_CLIENT = env.env_str("XROAD_CLIENT", "MX-DEV/GOV/QRO-SEDESU/empresa24")
XROAD_TLS_CERT = env.env_str("XROAD_TLS_CERT", "")
XROAD_TLS_KEY = env.env_str("XROAD_TLS_KEY", "")
XROAD_CA_BUNDLE = env.env_str("XROAD_CA_BUNDLE", "")
XROAD_TIMEOUT = env.env_float("XROAD_TIMEOUT", 10.0, minimum=0.1)
XROAD_SERVICES = {
    "population": env.env_str("XROAD_SERVICE_POPULATION", "MX-DEV/GOV/RENAPO/poblacion/personas"),
    "tax": env.env_str("XROAD_SERVICE_TAX", "MX-DEV/GOV/SAT/padron/contribuyentes"),
    "notaries": env.env_str("XROAD_SERVICE_NOTARIES", "MX-DEV/GOV/QRO-NOTARIAS/notarias/notarios"),
    "payments": env.env_str("XROAD_SERVICE_PAYMENTS", "MX-DEV/GOV/QRO-FINANZAS/pagos/referencias"),
    "certificates": env.env_str("XROAD_SERVICE_CERTIFICATES", "MX-DEV/GOV/SAT/padron/certificados"),
}
if bool(XROAD_TLS_CERT) != bool(XROAD_TLS_KEY):
    raise ImproperlyConfigured("XROAD_TLS_CERT and XROAD_TLS_KEY go together: set both or neither.")

# Sign-in: entrepreneurs with the state e-identity (OpenID Connect + PKCE), staff with a password.
AUTHENTICATION_BACKENDS = [
    "portal.auth.EIdentityBackend",
    "django.contrib.auth.backends.ModelBackend",
]
OIDC_ISSUER = env.env_str("OIDC_ISSUER", "http://127.0.0.1:8701").rstrip("/")
OIDC_RP_CLIENT_ID = env.env_str("OIDC_CLIENT_ID", "empresa24-portal")
_oidc_secret = env.env_secret("OIDC_CLIENT_SECRET")
if _oidc_secret is None and PRODUCTION:
    raise ImproperlyConfigured(
        "OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE) is required when PORTAL_ENV=production."
    )
# The sandbox identity provider's development client secret; production must set its own.
OIDC_RP_CLIENT_SECRET = _oidc_secret or "DEVELOPMENT-ONLY-empresa24-sandbox-secret"
OIDC_OP_AUTHORIZATION_ENDPOINT = env.env_str(
    "OIDC_AUTHORIZATION_ENDPOINT", f"{OIDC_ISSUER}/authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env.env_str("OIDC_TOKEN_ENDPOINT", f"{OIDC_ISSUER}/token")
OIDC_OP_USER_ENDPOINT = env.env_str("OIDC_USERINFO_ENDPOINT", f"{OIDC_ISSUER}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env.env_str("OIDC_JWKS_ENDPOINT", f"{OIDC_ISSUER}/jwks")
OIDC_RP_SCOPES = env.env_str("OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_AUTHENTICATE_CLASS = "portal.auth.EIdentityRequestView"
LOGIN_REDIRECT_URL_FAILURE = "/entrar/"
# The sign-in's access token is kept in the session: the e-identity's remote signing service
# lists a founder's credentials with it (companies/signatures/remote.py).
OIDC_STORE_ACCESS_TOKEN = True

# Remote signing (Cloud Signature Consortium API v2) at the state e-identity, for founders without
# JavaScript or without their e.firma at hand: the same provider and client as the sign-in unless
# set apart. The step-up that authorizes one hash goes through the provider's authorize and token
# endpoints.
ESIGN_REMOTE_URL = env.env_str("ESIGN_REMOTE_URL", f"{OIDC_ISSUER}/csc/v2").rstrip("/")
ESIGN_REMOTE_AUTHORIZATION_ENDPOINT = env.env_str(
    "ESIGN_REMOTE_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT
)
ESIGN_REMOTE_TOKEN_ENDPOINT = env.env_str("ESIGN_REMOTE_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT)
ESIGN_REMOTE_CLIENT_ID = env.env_str("ESIGN_REMOTE_CLIENT_ID", OIDC_RP_CLIENT_ID)
ESIGN_REMOTE_CLIENT_SECRET = env.env_secret("ESIGN_REMOTE_CLIENT_SECRET") or OIDC_RP_CLIENT_SECRET
ESIGN_REMOTE_TIMEOUT = env.env_float("ESIGN_REMOTE_TIMEOUT", 10.0, minimum=0.1)

# Staff sign in with a password and a TOTP code. Failed attempts slow down per (user name, address)
# and per address, never per account, so nobody can lock a clerk out by guessing on their behalf.
OTP_TOTP_ISSUER = "Empresa24 Querétaro"
OTP_TOTP_THROTTLE_FACTOR = 0
SIGN_IN_FAILURES_ALLOWED = env.env_int("SIGN_IN_FAILURES_ALLOWED", 5, minimum=1)
SIGN_IN_LOCKOUT_SECONDS = env.env_int("SIGN_IN_LOCKOUT_SECONDS", 900, minimum=1)

# Cache (sign-in throttling): memory by default, Redis in production (CACHE_URL=redis://...).
_cache_url = env.env_str("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
    if _cache_url.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if _cache_url and not _cache_url.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"CACHE_URL={_cache_url!r} is not valid: expected a redis:// URL.")

# Security headers. django-csp: nothing inline, scripts and styles from our own origin only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
BEHIND_TLS_PROXY = env.env_bool("BEHIND_TLS_PROXY", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# How many proxies in front of the portal append the caller's address to X-Forwarded-For: the
# caller is the address that many places from the right. 0 reads only the connection's address.
TRUSTED_PROXY_COUNT = env.env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)

# The agency API answers only its X-Road Security Server: a TLS client certificate whose SHA-256
# fingerprint is listed (passed on by the TLS proxy in AGENCY_API_CLIENT_CERT_HEADER), or an
# address in AGENCY_API_SECURITY_SERVERS. Loopback by default in development (the sandbox).
AGENCY_API_SECURITY_SERVER_CERTS = env.env_fingerprints("AGENCY_API_SECURITY_SERVER_CERTS")
AGENCY_API_CLIENT_CERT_HEADER = env.env_header("AGENCY_API_CLIENT_CERT_HEADER", "X-SSL-Client-Cert")
AGENCY_API_SECURITY_SERVERS = env.env_networks(
    "AGENCY_API_SECURITY_SERVERS", [] if PRODUCTION else ["127.0.0.1", "::1"]
)
# The agency API's request log (companies/api/spool.py): each web process appends a line per
# request to a file of its own in this folder; the lines are ingested into the table by the
# process itself every AGENCY_API_LOG_BATCH entries or AGENCY_API_LOG_SECONDS seconds (at its
# next request) and by beat every BEAT_INGEST_REQUEST_LOG_SECONDS.
AGENCY_API_LOG_SPOOL = env.env_path("AGENCY_API_LOG_SPOOL", VAR_DIR / "agency-log")
AGENCY_API_LOG_BATCH = env.env_int("AGENCY_API_LOG_BATCH", 500, minimum=1)
AGENCY_API_LOG_SECONDS = env.env_float("AGENCY_API_LOG_SECONDS", 5.0, minimum=0.0)
if PRODUCTION and not (AGENCY_API_SECURITY_SERVER_CERTS or AGENCY_API_SECURITY_SERVERS):
    raise ImproperlyConfigured(
        "AGENCY_API_SECURITY_SERVER_CERTS or AGENCY_API_SECURITY_SERVERS is required when "
        "PORTAL_ENV=production: the agency API must answer only the X-Road Security Server."
    )
if AGENCY_API_SECURITY_SERVER_CERTS and not BEHIND_TLS_PROXY:
    raise ImproperlyConfigured(
        "AGENCY_API_SECURITY_SERVER_CERTS needs BEHIND_TLS_PROXY=true: the certificate arrives "
        "in AGENCY_API_CLIENT_CERT_HEADER from the proxy that terminates TLS."
    )

# Prometheus metrics (portal/metrics.py): /metrics answers only `Authorization: Bearer
# $METRICS_TOKEN`, and is a 404 while no token is set. A Celery worker serves its own on
# METRICS_WORKER_PORT (0: none). PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself) sums
# the processes of one host: gunicorn's workers, Celery's pool.
METRICS_TOKEN = env.env_secret("METRICS_TOKEN") or ""
METRICS_WORKER_PORT = env.env_int("METRICS_WORKER_PORT", 0)

# Logs: JSON lines on standard output, each line of a request carrying its request id.
LOG_LEVEL = env.env_choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.utils.autoreload": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        # WeasyPrint's progress ("Step 1 - Fetching and parsing HTML") and fontTools' subsetting
        # chatter are INFO lines for every document drawn: only their warnings are worth a line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not PRODUCTION:
    # Zero-setup development: the folders for SQLite, the broker and static files exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
