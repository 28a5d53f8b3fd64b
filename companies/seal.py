"""The registry's electronic seal on its PDFs: a PAdES signature (baseline B-B) made with the
registry's key and certificate, and its check against that certificate as the trust root.

The key and the certificate are files (PEM), configured by path: ``SEAL_KEY_PATH`` and
``SEAL_CERT_PATH`` (default: ``var/seal/``). ``manage.py make_seal_key`` makes a development pair.
The seal is added as an incremental update, so the sealed file is still the PDF/A that was
drawn, byte for byte, followed by the signature.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

REGISTRY_NAME = "Registro Público de Empresas de Querétaro"
SEAL_FIELD = "SelloRegistro"
SEAL_LOCATION = "Querétaro, México"

# What pyHanko's reader raises on bytes that are not a well-formed (sealed) PDF: its own errors,
# and, deeper in a damaged file, zlib, missing keys or objects of the wrong type.
_UNREADABLE = (
    PdfError,
    SignatureValidationError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    zlib.error,
)

logger = logging.getLogger(__name__)


class SealUnavailable(Exception):
    """The seal's key or certificate cannot be read: the message says which file and what to do."""


@dataclass(frozen=True)
class SealCheck:
    valid: bool  # intact, cryptographically sound, made with our certificate, nothing added after
    intact: bool  # the signed bytes are unchanged
    signer: str  # the common name of the certificate that made the seal ("" when none)
    problem: str  # why it is not valid, for people; "" when it is


def key_path() -> Path:
    return Path(getattr(settings, "SEAL_KEY_PATH", settings.VAR_DIR / "seal" / "seal-key.pem"))


def cert_path() -> Path:
    return Path(getattr(settings, "SEAL_CERT_PATH", settings.VAR_DIR / "seal" / "seal-cert.pem"))


def _signer() -> signers.SimpleSigner:
    key, cert = key_path(), cert_path()
    for path in (key, cert):
        if not path.is_file():
            raise SealUnavailable(
                f"The seal file {path} does not exist. Set SEAL_KEY_PATH and SEAL_CERT_PATH, "
                "or run `manage.py make_seal_key` for a development key."
            )
    signer = signers.SimpleSigner.load(key_file=str(key), cert_file=str(cert))
    if signer is None:
        raise SealUnavailable(f"The seal key {key} or certificate {cert} could not be read.")
    return signer


def seal_pdf(pdf: bytes) -> bytes:
    """The PDF with the registry's seal: a certifying PAdES signature that allows no change."""
    signer = _signer()
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        name=REGISTRY_NAME,
        location=SEAL_LOCATION,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    _align_producer(writer)
    output: BytesIO = signers.sign_pdf(writer, metadata, signer=signer)
    return output.getvalue()


def _align_producer(writer: IncrementalPdfFileWriter) -> None:
    """pyHanko writes its own name as the XMP producer but appends it to the Info producer;
    PDF/A wants the two equal (ISO 19005-3, 6.6.3), so the update gives Info that name first."""
    previous = writer.prev.trailer_view.get("/Info")
    info = generic.DictionaryObject(dict(previous.get_object()) if previous is not None else {})
    info[generic.pdf_name("/Producer")] = generic.TextStringObject(VENDOR)
    writer.set_info(info)


def _trusting_our_certificate() -> ValidationContext:
    """Our certificate is the only trust root; nothing is fetched (no OCSP, CRL or AIA)."""
    return ValidationContext(
        trust_roots=[load_cert_from_pemder(str(cert_path()))], allow_fetching=False
    )


def validate_seal(pdf: bytes) -> SealCheck:
    """Whether the PDF carries our seal, unchanged since it was sealed."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        seals = [s for s in reader.embedded_signatures if s.field_name == SEAL_FIELD]
        if not seals:
            return SealCheck(False, False, "", _("The document has no seal of the registry."))
        status = validate_pdf_signature(seals[0], _trusting_our_certificate())
    except _UNREADABLE as error:
        logger.info("A document could not be read as a sealed PDF: %r", error)
        return SealCheck(False, False, "", _("The document cannot be read as a sealed PDF."))
    return SealCheck(
        valid=status.bottom_line,
        intact=status.intact,
        signer=_common_name(status),
        problem="" if status.bottom_line else _problem(status),
    )


def _common_name(status: PdfSignatureStatus) -> str:
    subject = status.signing_cert.subject
    name: str = subject.native.get("common_name") or subject.human_friendly
    return name


def _problem(status: PdfSignatureStatus) -> str:
    if not status.intact:
        return _("The document was changed after it was sealed.")
    if not status.valid:
        return _("The seal's signature does not match the document.")
    if not status.trusted:
        return _("The seal was not made with the registry's certificate.")
    return _("Something was added to the document after it was sealed.")
