"""Who can sign in (`Identity`) and which relying parties may ask (`ClientRegistration`)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Literal

IdentityStatus = Literal["active", "deceased", "withdrawn"]

ACR = "urn:qro:e-id:loa2"
AMR = ("pwd",)


@dataclasses.dataclass(frozen=True)
class Identity:
    """A person the sandbox can sign in as; `sub` is the CURP.

    `family_name` holds both surnames ("Ramírez Olvera"). `status` is the CURP's status in
    the population registry: the provider signs in deceased and withdrawn people too, so
    that the portal's refusal can be tested. `description` says what the identity is for
    (e.g. "founder") and is shown on the picker only.
    """

    curp: str
    given_name: str
    family_name: str
    email: str | None
    birthdate: datetime.date
    status: IdentityStatus
    description: str = ""

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclasses.dataclass(frozen=True)
class ClientRegistration:
    """A relying party. Redirect URIs are matched exactly, except that a client with
    `allow_loopback_redirects` may use any port on a registered loopback redirect URI
    (`http://127.0.0.1:<port>/...`, `http://localhost:<port>/...`), as RFC 8252 section 7.3
    allows for native apps. Development only: tests of the portal run on random ports.
    """

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()
    display_name: str = ""
    allow_loopback_redirects: bool = False

    @property
    def label(self) -> str:
        return self.display_name or self.client_id


def identity_claims(identity: Identity) -> dict[str, Any]:
    """The person's claims, the same in the ID token and at the userinfo endpoint."""
    claims: dict[str, Any] = {
        "sub": identity.curp,
        "curp": identity.curp,
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "name": identity.name,
        "birthdate": identity.birthdate.isoformat(),
    }
    if identity.email:
        claims["email"] = identity.email
    return claims
