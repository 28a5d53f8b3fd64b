"""A founder's signature checked before it counts: the e.firma is SAT's, was valid and not
revoked when the founder signed, is the founder's own, and signs exactly the given bytes.

The checks run from the cheapest to the one that asks SAT, so that a wrong file is told at once
and SAT is asked only about a signature that would otherwise count. The signature is RSA
PKCS#1 v1.5 over SHA-256 of the bytes (what the browser's WebCrypto and a remote signing
service make); a PAdES signature in a PDF goes through the same checks of its certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils import timezone

from companies.models import Application, CertificateStatus
from companies.signatures import certificates, status, trust
from companies.signatures.certificates import Holder
from companies.signatures.refusals import (
    AnotherPerson,
    Expired,
    NotYetValid,
    OtherBytes,
    Revoked,
    UnknownToSat,
)


@dataclass(frozen=True)
class Verified:
    """A signature that counts: who signed, when, and SAT's answer it rests on."""

    holder: Holder
    signed_at: datetime
    certificate_status: CertificateStatus


def verify(
    *,
    certificate: bytes,
    signature: bytes,
    signed: bytes,
    founder_curp: str,
    signed_at: datetime | None = None,
    application: Application | None = None,
    responder: status.Responder | None = None,
) -> Verified:
    """The founder's signature over ``signed``, or the refusal that says what to do
    (``refusals.SignatureRefused``), or ``refusals.SignatureWaits`` when SAT did not answer."""
    signed_at = signed_at or timezone.now()
    cert = certificates.load(certificate)
    chain = trust.chain_to_sat(cert)
    valid_at(cert, signed_at)
    who = certificates.holder(cert)
    if who.curp != founder_curp.strip().upper():
        raise AnotherPerson()
    covers(cert, signature, signed)
    answer = status.ask(
        cert, chain.issuer, now=timezone.now(), application=application, responder=responder
    )
    not_revoked(answer, signed_at)
    return Verified(holder=who, signed_at=signed_at, certificate_status=answer)


def valid_at(certificate: x509.Certificate, moment: datetime) -> None:
    if moment < certificate.not_valid_before_utc:
        raise NotYetValid(certificate.not_valid_before_utc)
    if moment > certificate.not_valid_after_utc:
        raise Expired(certificate.not_valid_after_utc)


def covers(certificate: x509.Certificate, signature: bytes, signed: bytes) -> None:
    """The signature was made with the certificate's key over exactly ``signed``."""
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)  # certificates.load takes RSA only
    try:
        key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise OtherBytes() from None


def not_revoked(answer: CertificateStatus, signed_at: datetime) -> None:
    """Good, or revoked only after the founder signed (the signature was made while it held)."""
    if answer.status == CertificateStatus.Status.UNKNOWN:
        raise UnknownToSat()
    if answer.status == CertificateStatus.Status.REVOKED:
        assert answer.revoked_at is not None
        if answer.revoked_at <= signed_at:
            raise Revoked(answer.revoked_at)
