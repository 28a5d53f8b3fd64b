"""`default_app()`: the provider the way `make run` and the portal's tests use it.

Read from the environment, with development defaults:

| variable | default |
| --- | --- |
| `SANDBOX_IDP_ISSUER` | `http://127.0.0.1:8701` |
| `SANDBOX_IDP_CLIENT_ID` | `empresa24-portal` |
| `SANDBOX_IDP_CLIENT_SECRET` | `DEVELOPMENT-ONLY-empresa24-sandbox-secret` |
| `SANDBOX_IDP_REDIRECT_URIS` | extra redirect URIs, comma separated |
| `SANDBOX_IDP_POST_LOGOUT_REDIRECT_URIS` | extra post-logout redirect URIs, comma separated |
| `SANDBOX_IDP_ALLOW_LOOPBACK_REDIRECTS` | `false`; `true` accepts any port on loopback URIs |
| `SANDBOX_IDP_SIGNING_KEY` | path of an RSA private key (PEM); unset: a new key per start |
| `SANDBOX_IDP_DATA_DIR` | the seed folder to read demo identities from (`sandbox/data/`) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from starlette.applications import Starlette

from sandbox.identity.app import create_app
from sandbox.identity.models import ClientRegistration
from sandbox.identity.seed import load_demo_identities

DEFAULT_ISSUER = "http://127.0.0.1:8701"
DEFAULT_CLIENT_ID = "empresa24-portal"
# Published on purpose: the sandbox signs in fictitious people only. Never use it elsewhere.
DEVELOPMENT_CLIENT_SECRET = "DEVELOPMENT-ONLY-empresa24-sandbox-secret"  # noqa: S105
# The portal's sign-in callback, and the callback of the remote signing step-up.
REMOTE_SIGNING_CALLBACK_PATH = "/firma-remota/vuelta/"
DEFAULT_REDIRECT_URIS = (
    "http://127.0.0.1:8000/oidc/callback/",
    "http://localhost:8000/oidc/callback/",
    f"http://127.0.0.1:8000{REMOTE_SIGNING_CALLBACK_PATH}",
    f"http://localhost:8000{REMOTE_SIGNING_CALLBACK_PATH}",
)
DEFAULT_POST_LOGOUT_REDIRECT_URIS = ("http://127.0.0.1:8000/", "http://localhost:8000/")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def default_app(environ: Mapping[str, str] | None = None) -> Starlette:
    """The development provider, configured from `environ` (default: `os.environ`)."""
    env = os.environ if environ is None else environ
    return create_app(
        issuer=env.get("SANDBOX_IDP_ISSUER") or DEFAULT_ISSUER,
        clients=[portal_client(env)],
        identities=load_demo_identities(env.get("SANDBOX_IDP_DATA_DIR") or None),
        signing_key=env.get("SANDBOX_IDP_SIGNING_KEY") or None,
    )


def portal_client(env: Mapping[str, str]) -> ClientRegistration:
    """Empresa24's registration: the defaults plus whatever the environment adds."""
    redirect_uris = (*DEFAULT_REDIRECT_URIS, *env_list(env, "SANDBOX_IDP_REDIRECT_URIS"))
    logout_uris = env_list(env, "SANDBOX_IDP_POST_LOGOUT_REDIRECT_URIS")
    return ClientRegistration(
        client_id=env.get("SANDBOX_IDP_CLIENT_ID") or DEFAULT_CLIENT_ID,
        client_secret=env.get("SANDBOX_IDP_CLIENT_SECRET") or DEVELOPMENT_CLIENT_SECRET,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=(*DEFAULT_POST_LOGOUT_REDIRECT_URIS, *logout_uris),
        display_name="Empresa24",
        allow_loopback_redirects=env_flag(env, "SANDBOX_IDP_ALLOW_LOOPBACK_REDIRECTS"),
    )


def env_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def env_flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value not in _TRUE | _FALSE:
        raise ValueError(f"{name} must be true or false, not {env[name]!r}.")
    return value in _TRUE
