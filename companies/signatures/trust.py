"""Whether a certificate was issued by SAT: its chain ends at a root in ``ESIGN_TRUST_ROOTS``.

The setting names one PEM file with SAT's roots and issuing authorities (in the sandbox, the one
``python -m sandbox`` writes). A root is a self-signed certificate of that file; the chain is
built upwards through the file's authorities, each signature checked. The file is read again
when it changes, so an operator can add SAT's next authority without a restart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from companies.signatures.certificates import common_name
from companies.signatures.refusals import ForeignAuthority, SelfSigned

MAX_CHAIN = 4  # the person's certificate, an issuing authority or two, the root
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chain:
    """The certificate's way up to SAT's root: the issuer first, the root last."""

    authorities: tuple[x509.Certificate, ...]

    @property
    def issuer(self) -> x509.Certificate:
        return self.authorities[0]


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _self_signed(certificate: x509.Certificate) -> bool:
    return certificate.issuer == certificate.subject and _issued_by(certificate, certificate)


def _is_authority(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


@cache
def _read(path: str, modified: float) -> tuple[x509.Certificate, ...]:
    try:
        certificates = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"ESIGN_TRUST_ROOTS={path!r} is not valid: expected a readable PEM file of SAT's "
            f"root and issuing certificates ({error})."
        ) from error
    return tuple(c for c in certificates if _is_authority(c))


def trusted() -> tuple[x509.Certificate, ...]:
    """SAT's authorities, as configured."""
    path = settings.ESIGN_TRUST_ROOTS
    if not path:
        raise ImproperlyConfigured("ESIGN_TRUST_ROOTS is not set: no e.firma can be checked.")
    try:
        modified = Path(path).stat().st_mtime
    except OSError:
        modified = 0.0
    return _read(str(path), modified)


def chain_to_sat(certificate: x509.Certificate) -> Chain:
    """The chain from ``certificate`` to one of SAT's roots, or why there is none: signed by
    itself (:class:`SelfSigned`) or by someone SAT did not certify (:class:`ForeignAuthority`)."""
    if _self_signed(certificate):
        raise SelfSigned()
    authorities = trusted()
    path: list[x509.Certificate] = []
    current = certificate
    while len(path) < MAX_CHAIN:
        issuer = next(
            (a for a in authorities if a.subject == current.issuer and _issued_by(current, a)),
            None,
        )
        if issuer is None:
            break
        path.append(issuer)
        if _self_signed(issuer):
            return Chain(tuple(path))
        current = issuer
    log.info("certificate outside SAT's chain", extra={"issuer": certificate.issuer})
    raise ForeignAuthority(common_name(certificate.issuer))
