"""SAT's word on a certificate: an OCSP request (RFC 6960) over X-Road, the answer checked and
kept as a ``CertificateStatus`` row.

An answer counts only when it is about this certificate, signed by its issuer (or by a responder
the issuer certified for OCSP), fresh, and carries our nonce when it carries one. Anything else
(no answer, ``tryLater``, a bad signature, a stale answer) is not a verdict: the signature waits.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from companies import registries
from companies.models import Application, CertificateStatus
from companies.signatures.certificates import common_name, holder
from companies.signatures.refusals import SignatureWaits

FRESH_FOR = timedelta(hours=24)  # an answer older than this is not SAT's word on today
CLOCK_SKEW = timedelta(minutes=5)
log = logging.getLogger(__name__)

_STATUSES = {
    ocsp.OCSPCertStatus.GOOD: CertificateStatus.Status.GOOD,
    ocsp.OCSPCertStatus.REVOKED: CertificateStatus.Status.REVOKED,
    ocsp.OCSPCertStatus.UNKNOWN: CertificateStatus.Status.UNKNOWN,
}


# Who answers an OCSP request: ``registries.certificate_status`` (SAT over X-Road), or what
# stands in for it where the registries cannot be asked (the demo data, filed before the
# sandbox is up, asks the sandbox's authority in-process). Its answer is checked the same.
Responder = Callable[..., registries.Answer]


class NotAnAnswer(Exception):
    """The bytes are not an OCSP answer SAT vouches for, about this certificate."""


def request_for(certificate: x509.Certificate, issuer: x509.Certificate, nonce: bytes) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA256())
    builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def ask(
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    *,
    now: datetime,
    application: Application | None = None,
    responder: Responder | None = None,
) -> CertificateStatus:
    """SAT's checked answer on ``certificate`` (asked over X-Road unless ``responder`` is
    given), stored; :class:`SignatureWaits` without one."""
    nonce = secrets.token_bytes(16)
    ask_sat = responder or registries.certificate_status
    answer = ask_sat(request_for(certificate, issuer, nonce), application=application)
    if not answer.available:
        raise SignatureWaits()
    der = answer.record["ocsp_response"]
    try:
        response = read(der, certificate=certificate, issuer=issuer, nonce=nonce, now=now)
    except NotAnAnswer as problem:
        log.warning("OCSP answer not accepted", extra={"problem": str(problem)})
        raise SignatureWaits() from problem
    who = holder(certificate)
    return CertificateStatus.objects.create(
        application=application,
        serial_number=who.serial_number,
        issuer=common_name(certificate.issuer),
        curp=who.curp[:18],
        status=_STATUSES[response.certificate_status],
        revoked_at=response.revocation_time_utc,
        produced_at=response.produced_at_utc,
        response=der,
        x_road_id=answer.x_road_id,
    )


def read(
    der: bytes,
    *,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    nonce: bytes | None,
    now: datetime,
) -> ocsp.OCSPResponse:
    """The OCSP answer in ``der``, checked; :class:`NotAnAnswer` says what is wrong with it."""
    response = read_embedded(der, certificate=certificate, issuer=issuer)
    this_update, next_update = response.this_update_utc, response.next_update_utc
    if not (this_update - CLOCK_SKEW <= now <= this_update + FRESH_FOR) or (
        next_update is not None and next_update + CLOCK_SKEW < now
    ):
        raise NotAnAnswer(f"answer of {this_update:%Y-%m-%d %H:%M} is not fresh")
    if nonce is not None:
        _nonce_matches(response, nonce)
    return response


def read_embedded(
    der: bytes, *, certificate: x509.Certificate, issuer: x509.Certificate
) -> ocsp.OCSPResponse:
    """An answer embedded in a signed PDF, checked as :func:`read` does but for its freshness
    (it is evidence of the time of signing, read later) and a nonce: successful, about this
    certificate, signed by its issuer or its OCSP responder; :class:`NotAnAnswer` otherwise."""
    try:
        response = ocsp.load_der_ocsp_response(der)
    except ValueError as error:
        raise NotAnAnswer(f"not an OCSPResponse: {error}") from error
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise NotAnAnswer(f"responder said {response.response_status.name}")
    _about(response, certificate, issuer)
    _signed_for(response, issuer)
    return response


def _about(
    response: ocsp.OCSPResponse, certificate: x509.Certificate, issuer: x509.Certificate
) -> None:
    if response.serial_number != certificate.serial_number:
        raise NotAnAnswer("answer about another serial number")
    algorithm = response.hash_algorithm
    if response.issuer_key_hash != _digest(algorithm, _key_bits(issuer)) or (
        response.issuer_name_hash != _digest(algorithm, issuer.subject.public_bytes())
    ):
        raise NotAnAnswer("answer about a certificate of another issuer")


def _signed_for(response: ocsp.OCSPResponse, issuer: x509.Certificate) -> None:
    """Signed by the issuer itself, or by a responder certificate it issued for OCSP signing."""
    signers = [issuer] + [c for c in response.certificates if _delegated(c, issuer)]
    for signer in signers:
        key = signer.public_key()
        if not isinstance(key, rsa.RSAPublicKey) or response.signature_hash_algorithm is None:
            continue
        try:
            key.verify(
                response.signature,
                response.tbs_response_bytes,
                padding.PKCS1v15(),
                response.signature_hash_algorithm,
            )
        except InvalidSignature:
            continue
        return
    raise NotAnAnswer("answer not signed by the issuer or its OCSP responder")


def _delegated(responder: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        responder.verify_directly_issued_by(issuer)
        usage = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usage


def _nonce_matches(response: ocsp.OCSPResponse, nonce: bytes) -> None:
    try:
        echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return  # many responders (RFC 5019) answer from a cache, without the nonce
    if echoed != nonce:
        raise NotAnAnswer("answer to another request (nonce)")


def _key_bits(certificate: x509.Certificate) -> bytes:
    """The bytes of the subjectPublicKey BIT STRING, which issuerKeyHash hashes (RFC 6960 4.1.1);
    for RSA, the key in PKCS#1."""
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()
