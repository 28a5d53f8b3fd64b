"""The signing credentials of the remote signing service: each demo person's own e.firma.

The state's remote signing service holds a key for the person and signs with it once they
confirm. In the sandbox that key is the person's e.firma made by the sandbox SAT authority
(:mod:`sandbox.efirma`): the certificate and the encrypted ``.key`` of its folder, opened with
the demo password. So a signature made remotely verifies with the same chain and the same OCSP
answers as one made in the browser with the ``.cer`` and ``.key``. Only valid e.firma are
offered (not the revoked or expired older ones); a person with no e.firma (no RFC, a minor)
has no credential.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from sandbox import efirma

CREDENTIAL_PREFIX = "efirma-"


@dataclasses.dataclass(frozen=True)
class Credential:
    """One signing key and its certificate, for one person (by CURP)."""

    credential_id: str
    curp: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # the certificate, then its issuer, then the root
    key_file: Path
    password: str

    def sign_digest(self, digest: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 over a SHA-256 digest already made (the DigestInfo is added here)."""
        key = _private_key(self.key_file, self.password)
        return key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))


_keys: dict[tuple[Path, str], rsa.RSAPrivateKey] = {}
_keys_lock = threading.Lock()


def _private_key(path: Path, password: str) -> rsa.RSAPrivateKey:
    """The decrypted key, kept after the first use (decrypting is the slow part)."""
    with _keys_lock:
        key = _keys.get((path, password))
        if key is None:
            loaded = serialization.load_der_private_key(path.read_bytes(), password.encode())
            assert isinstance(loaded, rsa.RSAPrivateKey)
            key = _keys[(path, password)] = loaded
        return key


class CredentialStore:
    """The credentials read from an e.firma folder, the first time one is asked for.

    ``folder=None`` is :func:`sandbox.efirma.default_folder` at that moment (so that
    ``SANDBOX_EFIRMA_DIR`` set after the app was made still counts); the folder is made, as the
    tax registry's certificate service makes it, when it is missing.
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None
        self._by_id: dict[str, Credential] | None = None
        self._lock = threading.Lock()

    def for_person(self, curp: str) -> list[Credential]:
        wanted = curp.strip().upper()
        return [c for c in self._credentials().values() if c.curp == wanted]

    def get(self, credential_id: str) -> Credential | None:
        return self._credentials().get(credential_id)

    def _credentials(self) -> dict[str, Credential]:
        with self._lock:
            if self._by_id is None:
                self._by_id = _read(self._folder or efirma.default_folder())
            return self._by_id


def _read(folder: Path) -> dict[str, Credential]:
    authority = efirma.load_or_create(folder)
    people = folder / efirma.PEOPLE_FOLDER
    credentials: dict[str, Credential] = {}
    for demo in efirma.DEMO:
        if demo.standing != "valid" or not (people / f"{demo.file}.cer").is_file():
            continue
        certificate = x509.load_der_x509_certificate((people / f"{demo.file}.cer").read_bytes())
        credential_id = CREDENTIAL_PREFIX + efirma.serial_digits(certificate.serial_number)
        credentials[credential_id] = Credential(
            credential_id=credential_id,
            curp=demo.curp,
            certificate=certificate,
            chain=(certificate, authority.ac, authority.root),
            key_file=people / f"{demo.file}.key",
            password=demo.password,
        )
    return credentials
