"""PKCE with S256 only (RFC 7636): the code challenge is the verifier's SHA-256, base64url."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

METHOD = "S256"
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


def challenge_is_well_formed(challenge: str) -> bool:
    """43 base64url characters: what S256 of any verifier looks like."""
    return _S256_CHALLENGE.fullmatch(challenge) is not None


def verifier_is_well_formed(verifier: str) -> bool:
    return _VERIFIER.fullmatch(verifier) is not None


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str, challenge: str) -> bool:
    return hmac.compare_digest(s256_challenge(verifier), challenge)
