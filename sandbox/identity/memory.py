"""What the provider remembers, in memory only: open sign-in forms, codes and access tokens.

Nothing survives a restart, and nothing is kept about the browser beyond one sign-in: every
authorization request shows the picker again (so `prompt=login` and `max_age` always hold).
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from collections.abc import Callable

from sandbox.identity.models import ClientRegistration, Identity

Clock = Callable[[], datetime.datetime]

FORM_LIFETIME = datetime.timedelta(minutes=10)
CODE_LIFETIME = datetime.timedelta(seconds=60)
ACCESS_TOKEN_LIFETIME = datetime.timedelta(minutes=10)
# A token for one signature (scope=credential) is short-lived and works once.
CREDENTIAL_TOKEN_LIFETIME = datetime.timedelta(minutes=5)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclasses.dataclass(frozen=True)
class CredentialAuthorization:
    """What a `scope=credential` request authorizes (CSC API v2, section 8.4.2): one
    credential, exactly these hashes (SHA-256 digests), once."""

    credential_id: str
    hashes: tuple[bytes, ...]
    hash_algorithm_oid: str
    description: str


@dataclasses.dataclass(frozen=True)
class AuthorizationRequest:
    """A validated `GET /authorize`: what the code will be bound to. `credential` is set for
    the step-up that authorizes a signature (`scope=credential`), which has no nonce."""

    client: ClientRegistration
    redirect_uri: str
    scope: str
    state: str
    nonce: str | None
    code_challenge: str
    login_hint: str | None = None
    credential: CredentialAuthorization | None = None


@dataclasses.dataclass(frozen=True)
class Grant:
    """Who signed in, when, and for which request: what a code and a token stand for."""

    request: AuthorizationRequest
    identity: Identity
    auth_time: datetime.datetime


@dataclasses.dataclass(frozen=True)
class _Form:
    request: AuthorizationRequest
    browser: str
    expires_at: datetime.datetime


@dataclasses.dataclass(frozen=True)
class _Code:
    grant: Grant
    expires_at: datetime.datetime


@dataclasses.dataclass(frozen=True)
class _Token:
    grant: Grant
    code: str
    expires_at: datetime.datetime


class ProviderMemory:
    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock
        self._forms: dict[str, _Form] = {}
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, _Token] = {}
        self._token_by_code: dict[str, str] = {}

    def open_form(self, request: AuthorizationRequest, *, browser: str) -> str:
        """A form token for the picker, valid only with the browser cookie it was made for."""
        self._forget_expired()
        token = secrets.token_urlsafe(32)
        self._forms[token] = _Form(request, browser, self.clock() + FORM_LIFETIME)
        return token

    def pending_request(self, form_token: str, *, browser: str) -> AuthorizationRequest | None:
        form = self._forms.get(form_token)
        if form is None or form.expires_at <= self.clock():
            return None
        return form.request if secrets.compare_digest(form.browser, browser) else None

    def close_form(self, form_token: str) -> None:
        self._forms.pop(form_token, None)

    def issue_code(self, grant: Grant) -> str:
        self._forget_expired()
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(grant, self.clock() + CODE_LIFETIME)
        return code

    def redeem_code(self, code: str) -> Grant | None:
        """The grant behind a code, once: a code is spent by its first use, right or wrong.

        A second use answers None and revokes the access token issued for the first one
        (RFC 6749 section 4.1.2).
        """
        issued = self._codes.pop(code, None)
        if issued is None:
            self._revoke_token_from(code)
            return None
        return issued.grant if self.clock() < issued.expires_at else None

    def issue_access_token(
        self, grant: Grant, *, code: str, lifetime: datetime.timedelta = ACCESS_TOKEN_LIFETIME
    ) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = _Token(grant, code, self.clock() + lifetime)
        self._token_by_code[code] = token
        return token

    def access_grant(self, access_token: str) -> Grant | None:
        token = self._tokens.get(access_token)
        if token is None or token.expires_at <= self.clock():
            return None
        return token.grant

    def token_expired(self, access_token: str) -> bool:
        """Whether the token is one this provider issued that has expired (and is not spent)."""
        token = self._tokens.get(access_token)
        return token is not None and token.expires_at <= self.clock()

    def spend_access_token(self, access_token: str) -> Grant | None:
        """The grant behind a token, once: the token is forgotten by this use. None for a
        token that is unknown, spent or expired."""
        token = self._tokens.pop(access_token, None)
        if token is None:
            return None
        self._token_by_code.pop(token.code, None)
        return token.grant if token.expires_at > self.clock() else None

    def _revoke_token_from(self, code: str) -> None:
        token = self._token_by_code.pop(code, None)
        if token is not None:
            self._tokens.pop(token, None)

    def _forget_expired(self) -> None:
        now = self.clock()
        self._forms = {k: f for k, f in self._forms.items() if f.expires_at > now}
        self._codes = {k: c for k, c in self._codes.items() if c.expires_at > now}
        self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
        self._token_by_code = {t.code: k for k, t in self._tokens.items()}
