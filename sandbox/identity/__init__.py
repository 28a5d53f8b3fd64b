"""Sandbox of Querétaro's state e-identity: a local OpenID Connect provider.

Development and tests only. Authorization code flow with PKCE (S256, required), an
identity picker instead of a password, RS256 ID tokens whose `sub` is the CURP. Every
identity is fictitious: by default the demo people of `sandbox/data/demo.json`.

    create_app(issuer=..., clients=[ClientRegistration(...)])   # any configuration
    default_app()                                                # from SANDBOX_IDP_* variables

See `sandbox/identity/README.md`.
"""

from sandbox.identity.app import create_app
from sandbox.identity.keys import SigningKey
from sandbox.identity.models import ClientRegistration, Identity, IdentityStatus
from sandbox.identity.seed import load_demo_identities
from sandbox.identity.settings import default_app

__all__ = [
    "ClientRegistration",
    "Identity",
    "IdentityStatus",
    "SigningKey",
    "create_app",
    "default_app",
    "load_demo_identities",
]
