"""A development key pair and self-signed certificate for the registry's seal (``companies.documents.seal``).

Production uses a certificate issued to the registry; this one only lets development and tests
seal and check documents. Written to SEAL_KEY_PATH and SEAL_CERT_PATH unless --key/--cert say
otherwise; existing files are kept unless --force.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.management.base import BaseCommand, CommandError, CommandParser

from companies.documents import seal

KEY_SIZE = 3072


def self_signed_certificate(key: rsa.RSAPrivateKey, *, days: int) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Querétaro"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gobierno del Estado de Querétaro"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Desarrollo (no válido)"),
            x509.NameAttribute(NameOID.COMMON_NAME, seal.REGISTRY_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    path.chmod(0o600)


class Command(BaseCommand):
    help = "Make a development key and self-signed certificate for the registry's seal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", type=Path, help="where to write the key (SEAL_KEY_PATH)")
        parser.add_argument("--cert", type=Path, help="where to write the certificate")
        parser.add_argument("--days", type=int, default=730, help="validity (default 730)")
        parser.add_argument("--force", action="store_true", help="replace existing files")

    def handle(self, *args: Any, **options: Any) -> None:
        key_path = Path(options["key"] or seal.key_path())
        cert_path = Path(options["cert"] or seal.cert_path())
        existing = [str(p) for p in (key_path, cert_path) if p.exists()]
        if existing and not options["force"]:
            raise CommandError(
                f"{', '.join(existing)} already exists: the seal key is kept. "
                "Add --force to replace it (documents sealed with the old key stop validating)."
            )
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        certificate = self_signed_certificate(key, days=options["days"])
        write_private(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        cert_path.parent.mkdir(parents=True, exist_ok=True)
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        self.stdout.write(f"Seal key written to {key_path}, certificate to {cert_path}.")
