"""The provider's RSA signing key: signs ID tokens (RS256), published at `/jwks`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySetSerialization, RSAKey

ALGORITHM = "RS256"
KEY_SIZE = 2048


class SigningKey:
    """A private RSA key with a `kid` (its RFC 7638 thumbprint)."""

    def __init__(self, key: RSAKey) -> None:
        if not key.is_private:
            raise ValueError("The signing key must be a private RSA key.")
        key.ensure_kid()
        self._key = key
        self.kid: str = key.kid or key.thumbprint()

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh RSA 2048 key: tokens from an earlier run no longer verify."""
        return cls(RSAKey.generate_key(KEY_SIZE))

    @classmethod
    def from_pem_file(cls, path: Path | str) -> SigningKey:
        """The key in a PEM file (PKCS#1 or PKCS#8, unencrypted)."""
        return cls(RSAKey.import_key(Path(path).read_bytes()))

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS (a JWT) over `claims`."""
        header = {"alg": ALGORITHM, "kid": self.kid}
        return jwt.encode(header, claims, self._key, algorithms=[ALGORITHM])

    def verified_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this key signed (expired or not), or None."""
        try:
            return dict(jwt.decode(token, self._key, algorithms=[ALGORITHM]).claims)
        except (JoseError, ValueError):
            return None

    def public_jwks(self) -> KeySetSerialization:
        public = self._key.as_dict(private=False, use="sig", alg=ALGORITHM)
        return {"keys": [public]}
