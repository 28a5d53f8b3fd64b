"""What an e.firma certificate says about its holder, read the way SAT writes it.

SAT puts the holder's RFC in the subject's x500UniqueIdentifier (2.5.4.45) and the CURP in
serialNumber (2.5.4.5). For a legal person both hold two values, ``"company / representative"``
(``"CJU150610I85 / RAOA9005149F8"``, ``" / RAOA900514MQTMLN01"``): the person is the last.
Serial numbers are 20 digits written as ASCII bytes; they are shown as those digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from companies.signatures.refusals import UnreadableCertificate

MAX_CERTIFICATE_BYTES = 16_384


@dataclass(frozen=True)
class Holder:
    """The person an e.firma certificate names, and the certificate as people see it."""

    curp: str
    rfc: str
    name: str
    serial_number: str  # as SAT shows it
    issuer: str  # the issuing authority's common name
    valid_from: datetime
    valid_until: datetime


def load(der: bytes) -> x509.Certificate:
    """The certificate in ``der`` (or PEM), or :class:`UnreadableCertificate`; an RSA key only,
    as every e.firma has."""
    if not der or len(der) > MAX_CERTIFICATE_BYTES:
        raise UnreadableCertificate()
    try:
        loader = x509.load_pem_x509_certificate if der.lstrip().startswith(b"-----") else None
        certificate = (loader or x509.load_der_x509_certificate)(der)
        key = certificate.public_key()
    except ValueError as error:
        raise UnreadableCertificate() from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise UnreadableCertificate()
    return certificate


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _person_part(value: str) -> str:
    """The person's identifier in SAT's ``"company / person"`` or plain ``"person"``."""
    parts = [part.strip().upper() for part in value.split("/")]
    return next((part for part in reversed(parts) if part), "")


def serial_number(certificate: x509.Certificate) -> str:
    """SAT's 20 digits when the serial number is ASCII digits (as SAT's are), hex otherwise."""
    raw = certificate.serial_number.to_bytes((certificate.serial_number.bit_length() + 7) // 8)
    return raw.decode("ascii") if raw.isdigit() else f"{certificate.serial_number:x}"


def common_name(name: x509.Name) -> str:
    return _attribute(name, NameOID.COMMON_NAME) or name.rfc4514_string()


def holder(certificate: x509.Certificate) -> Holder:
    subject = certificate.subject
    return Holder(
        curp=_person_part(_attribute(subject, NameOID.SERIAL_NUMBER)),
        rfc=_person_part(_attribute(subject, NameOID.X500_UNIQUE_IDENTIFIER)),
        name=_attribute(subject, NameOID.COMMON_NAME),
        serial_number=serial_number(certificate),
        issuer=common_name(certificate.issuer),
        valid_from=certificate.not_valid_before_utc,
        valid_until=certificate.not_valid_after_utc,
    )
