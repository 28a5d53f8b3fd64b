"""e.firma certificates made in a test: a SAT-shaped hierarchy (the sandbox's own builder), a
person's certificate and key, another authority, a self-signed certificate, and signatures."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from companies import registries
from sandbox import efirma

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
DAY = datetime.timedelta(days=1)
ANA = efirma.DEMO[0]
CARLOS = efirma.DEMO[1]
OTHER_ROOT = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Otra AC Raiz")])
OTHER_AC = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Otra AC")])


def valid(days_ago: int = 30, days_left: int = 1400) -> efirma.Validity:
    return efirma.Validity(NOW - days_ago * DAY, NOW + days_left * DAY)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """What the browser's WebCrypto makes: RSASSA-PKCS1-v1_5 with SHA-256."""
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def self_signed(person: efirma.DemoCertificate) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = efirma.person_name(person)
    certificate = efirma.issue(
        name, key.public_key(), issuer=None, issuer_key=key, serial=person.serial,
        validity=valid(),
    )  # fmt: skip
    return certificate, key


def other_authority() -> efirma.Authority:
    return efirma.new_authority(now=NOW, root_name=OTHER_ROOT, ac_name=OTHER_AC)


def responder(authority: efirma.Authority):
    """A stand-in for ``registries.certificate_status`` answered by ``authority`` in-process."""

    def certificate_status(request: bytes, *, application=None) -> registries.Answer:
        response = efirma.ocsp_answer(authority, request)
        return registries.Answer(registries.Outcome.FOUND, {"ocsp_response": response}, "x-1")

    return certificate_status
