"""The registry's electronic seal on its PDFs: a PAdES signature made with the registry's key
and certificate, and its check against that certificate as the trust root.

The key and the certificate are files (PEM), configured by path: ``SEAL_KEY_PATH`` and
``SEAL_CERT_PATH`` (default: ``var/seal/``). ``manage.py make_seal_key`` makes a development pair.
The seal is added as an incremental update, so the sealed file is still the PDF/A that was
drawn, byte for byte, followed by the signature.

With ``SEAL_TSA_URL`` set, an RFC 3161 Time-Stamping Authority puts a trusted time on the
signature (baseline B-T); without it the signing time is only the registry's own claim (B-B).
A TSA that does not answer stops the sealing with :class:`TimestampUnavailable`, so the task
tries again later. The check trusts timestamps from the root in ``SEAL_TSA_CA_PATH``.

A PDF that already carries signatures (the founders' e.firma on the articles) is sealed by
:func:`seal_signed_pdf`: the seal is an approval signature added after theirs, in one more
incremental update that leaves every earlier signature intact, at PAdES B-LT: the same update
writes the document security store (DSS) with every signer's certificate chain, the OCSP answers
the portal stored for the founders, and the chains of the seal and of its timestamp, so the file
validates offline. Our seal certificate is its own root and has no revocation service (no CRL,
no OCSP): a validator that trusts it as a root checks no revocation for it (RFC 5280 does not
check trust anchors); with a seal certificate issued by a CA, production embeds that CA's OCSP
answer or CRL too, passed like the founders' ones.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import ocsp as asn1_ocsp  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import PdfSignatureStatus, TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from companies.signatures import trust
from companies.signatures.refusals import SignatureRefused
from companies.signatures.report import PDF_READ_ERRORS

REGISTRY_NAME = "Registro Público de Empresas de Querétaro"
SEAL_FIELD = "SelloRegistro"
SEAL_LOCATION = "Querétaro, México"
TSA_TIMEOUT_SECONDS = 10

logger = logging.getLogger(__name__)


class SealUnavailable(Exception):
    """The seal's key or certificate cannot be read: the message says which file and what to do."""


class TimestampUnavailable(SealUnavailable):
    """The Time-Stamping Authority did not answer (or refused): the document waits for it."""


@dataclass(frozen=True)
class SealCheck:
    valid: bool  # intact, cryptographically sound, made with our certificate, nothing added after
    intact: bool  # the signed bytes are unchanged
    signer: str  # the common name of the certificate that made the seal ("" when none)
    problem: str  # why it is not valid, for people; "" when it is
    # when the seal was made, as a TSA trusted through SEAL_TSA_CA_PATH vouches; None without one
    timestamped_at: datetime | None = None


def key_path() -> Path:
    return Path(getattr(settings, "SEAL_KEY_PATH", settings.VAR_DIR / "seal" / "seal-key.pem"))


def cert_path() -> Path:
    return Path(getattr(settings, "SEAL_CERT_PATH", settings.VAR_DIR / "seal" / "seal-cert.pem"))


def tsa_url() -> str:
    return str(getattr(settings, "SEAL_TSA_URL", ""))


def tsa_ca_path() -> Path | None:
    configured = str(getattr(settings, "SEAL_TSA_CA_PATH", ""))
    return Path(configured) if configured else None


def _signer() -> signers.SimpleSigner:
    key, cert = key_path(), cert_path()
    for path in (key, cert):
        if not path.is_file():
            raise SealUnavailable(
                f"The seal file {path} does not exist. Set SEAL_KEY_PATH and SEAL_CERT_PATH, "
                "or run `manage.py make_seal_key` for a development key."
            )
    return _loaded_signer(str(key), str(cert), key.stat().st_mtime_ns, cert.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _loaded_signer(key: str, cert: str, *_modified: int) -> signers.SimpleSigner:
    """The seal's signer, read once per process (and again when a file changes: the times of
    modification are part of the key): reading an RSA key checks it, a fifth of a second."""
    loaded = signers.SimpleSigner.load(key_file=key, cert_file=cert)
    if loaded is None:
        raise SealUnavailable(f"The seal key {key} or certificate {cert} could not be read.")
    return _KeyKeptSigner(loaded)


class _KeyKeptSigner(signers.SimpleSigner):
    """pyHanko's ``SimpleSigner`` reads its key again at every signature (twice a seal: one to
    size the signature, one to make it); this one keeps the key it read, for RSA with PKCS #1
    v1.5 (what ``make_seal_key`` makes) and leaves any other mechanism to pyHanko."""

    def __init__(self, loaded: signers.SimpleSigner) -> None:
        super().__init__(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        self._key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


def seal_pdf(
    pdf: bytes, *, ocsp_responses: Sequence[bytes] = (), certificates: Sequence[bytes] = ()
) -> bytes:
    """The PDF with the registry's seal: a certifying PAdES signature that allows no change on a
    PDF without signatures; after the signatures it carries, :func:`seal_signed_pdf`."""
    if _signatures_in(pdf):
        return seal_signed_pdf(pdf, ocsp_responses=ocsp_responses, certificates=certificates)
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
    return _sign(writer, metadata, signer)


def seal_signed_pdf(
    pdf: bytes, *, ocsp_responses: Sequence[bytes] = (), certificates: Sequence[bytes] = ()
) -> bytes:
    """The signed PDF with the registry's seal last, at PAdES B-LT (B-LT with a timestamp from
    SEAL_TSA_URL; without one, the same validation data on a B-B seal).

    ``ocsp_responses`` are the DER OCSP answers the signatures rest on (the founders'
    ``CertificateStatus.response``), ``certificates`` DER certificates to add to the chains (the
    signers' certificates and SAT's issuing authorities are found by themselves: in the
    signatures and in ``ESIGN_TRUST_ROOTS``). The seal is an approval signature (a certifying one
    must be the first of a file) whose field locks the document: a signature or any other change
    after it breaks the seal, only more validation data or a document timestamp may follow. The
    DSS is written in the seal's own update, so the seal covers it and the whole file. Nothing is
    fetched: only the TSA is asked, for the time.
    Bytes that are not a PDF or not an OCSP answer raise ``ValueError``.
    """
    signer = _signer()
    if tsa_url() and not _tsa_roots():
        raise SealUnavailable(
            f"SEAL_TSA_CA_PATH does not name a readable root of the TSA {tsa_url()}: a signed "
            "document is sealed with the TSA's chain embedded (PAdES B-LT), so it needs it."
        )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    answers = [_ocsp_answer(der) for der in ocsp_responses]
    chains = _chain_certificates(writer.prev.embedded_signatures, certificates)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=chains, ocsps=answers)
    trusted = [signer.signing_cert, *_tsa_roots()]
    context = ValidationContext(
        trust_roots=trusted, other_certs=chains, ocsps=answers, allow_fetching=False
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        name=REGISTRY_NAME,
        location=SEAL_LOCATION,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,  # in the field's lock: nothing after
        embed_validation_info=True,
        validation_context=context,
        dss_settings=DSSContentSettings(
            placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE,
            include_vri=False,
        ),
    )
    _align_producer(writer)
    # An approval signature cannot certify; the lock of its field (PDF 2.0, /Lock /P 1) says
    # that no change may follow but validation data and document timestamps. It locks no field
    # by name (a FieldMDP lock on all of them would make pyHanko call a later signature just
    # "a change"), so a signature after the seal is seen for what it is, and breaks the seal.
    locked = fields.SigFieldSpec(
        SEAL_FIELD,
        field_mdp_spec=fields.FieldMDPSpec(fields.FieldMDPAction.INCLUDE, fields=[]),
        doc_mdp_update_value=fields.MDPPerm.NO_CHANGES,
    )
    return _sign(writer, metadata, signer, new_field_spec=locked)


def _sign(
    writer: IncrementalPdfFileWriter,
    metadata: signers.PdfSignatureMetadata,
    signer: signers.SimpleSigner,
    new_field_spec: fields.SigFieldSpec | None = None,
) -> bytes:
    url = tsa_url()
    try:
        output: BytesIO = signers.sign_pdf(
            writer,
            metadata,
            signer=signer,
            timestamper=_timestamper(url) if url else None,
            new_field_spec=new_field_spec,
        )
    except TimestampRequestError as error:
        cause = error.__cause__ or error
        raise TimestampUnavailable(
            f"The time-stamping authority {url} (SEAL_TSA_URL) gave no timestamp: {cause}. "
            "The document is sealed when it answers again."
        ) from error
    return output.getvalue()


def _signatures_in(pdf: bytes) -> bool:
    try:
        return bool(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)
    except PDF_READ_ERRORS:
        return False  # sealed as before, which says what is wrong with the bytes


def _ocsp_answer(der: bytes) -> asn1_ocsp.OCSPResponse:
    answer = asn1_ocsp.OCSPResponse.load(bytes(der))
    if answer["response_status"].native != "successful":
        raise ValueError("An OCSP answer to embed is not a successful response.")
    return answer


def _chain_certificates(
    signatures: Iterable[EmbeddedPdfSignature], extra: Sequence[bytes]
) -> list[asn1_x509.Certificate]:
    """Every certificate the earlier signatures need to be validated: the signers', those their
    CMS carries, ``extra``, and SAT's authorities above any of them; each once."""
    found: dict[bytes, asn1_x509.Certificate] = {}
    for der in extra:
        certificate = asn1_x509.Certificate.load(bytes(der))
        found.setdefault(certificate.dump(), certificate)
    for embedded in signatures:
        for certificate in (embedded.signer_cert, *embedded.other_embedded_certs):
            found.setdefault(certificate.dump(), certificate)
    for der in list(found):
        for authority in _sat_authorities_above(der):
            found.setdefault(authority.dump(), authority)
    return list(found.values())


def _sat_authorities_above(der: bytes) -> list[asn1_x509.Certificate]:
    try:
        chain = trust.chain_to_sat(x509.load_der_x509_certificate(der))
    except (SignatureRefused, ImproperlyConfigured, ValueError):
        return []  # not SAT's (or no SAT configured): its own chain is what it carries
    encoded = (a.public_bytes(serialization.Encoding.DER) for a in chain.authorities)
    return [asn1_x509.Certificate.load(d) for d in encoded]


def _tsa_roots() -> list[asn1_x509.Certificate]:
    path = tsa_ca_path()
    if not tsa_url() or path is None:
        return []
    try:
        return [load_cert_from_pemder(str(path))]
    except (OSError, ValueError) as error:
        logger.error("The TSA root %s (SEAL_TSA_CA_PATH) cannot be read: %r", path, error)
        return []


@functools.lru_cache(maxsize=4)
def _timestamper(url: str) -> HTTPTimeStamper:
    """One client per TSA: it keeps the token it fetched to size the signature, so sealing
    asks the TSA once per document instead of twice."""
    return HTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS)


def _align_producer(writer: IncrementalPdfFileWriter) -> None:
    """pyHanko writes its own name as the XMP producer but appends it to the Info producer;
    PDF/A wants the two equal (ISO 19005-3, 6.6.3), so the update gives Info that name first."""
    previous = writer.prev.trailer_view.get("/Info")
    info = generic.DictionaryObject(dict(previous.get_object()) if previous is not None else {})
    info[generic.pdf_name("/Producer")] = generic.TextStringObject(VENDOR)
    writer.set_info(info)


def seal_certificates() -> list[x509.Certificate]:
    """The certificates our seals are made with, to trust as roots (SEAL_CERT_PATH; none when it
    cannot be read, which is logged)."""
    try:
        return [x509.load_pem_x509_certificate(cert_path().read_bytes())]
    except (OSError, ValueError) as error:
        logger.error("The seal certificate %s cannot be read: %r", cert_path(), error)
        return []


def timestamp_roots() -> list[x509.Certificate]:
    """The roots of the time-stamping authorities we trust (SEAL_TSA_CA_PATH), maybe none."""
    path = tsa_ca_path()
    if path is None:
        return []
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as error:
        logger.warning("The TSA root %s (SEAL_TSA_CA_PATH) cannot be read: %r", path, error)
        return []


def _trusting_our_certificate() -> ValidationContext:
    """Our certificate is the only trust root; nothing is fetched (no OCSP, CRL or AIA)."""
    return ValidationContext(
        trust_roots=[load_cert_from_pemder(str(cert_path()))], allow_fetching=False
    )


def _trusting_the_tsa() -> ValidationContext:
    """The TSA's root (SEAL_TSA_CA_PATH) is the only root for timestamps; none when it is not
    configured, or cannot be read (then a timestamp is never trusted, and that is logged)."""
    path = tsa_ca_path()
    roots = []
    if path is not None:
        try:
            roots = [load_cert_from_pemder(str(path))]
        except (OSError, ValueError) as error:
            logger.error("The TSA root %s (SEAL_TSA_CA_PATH) cannot be read: %r", path, error)
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def validate_seal(pdf: bytes) -> SealCheck:
    """Whether the PDF carries our seal, unchanged since it was sealed."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        seals = [s for s in reader.embedded_signatures if s.field_name == SEAL_FIELD]
        if not seals:
            return SealCheck(False, False, "", _("The document has no seal of the registry."))
        ours = _trusting_our_certificate()
        tsa = _trusting_the_tsa() if _carries_timestamp(seals[0]) else ours
        status = validate_pdf_signature(seals[0], ours, ts_validation_context=tsa)
    except PDF_READ_ERRORS as error:
        logger.info("A document could not be read as a sealed PDF: %r", error)
        return SealCheck(False, False, "", _("The document cannot be read as a sealed PDF."))
    valid = _holds(status)
    token = status.timestamp_validity
    return SealCheck(
        valid=valid,
        intact=status.intact,
        signer=_common_name(status),
        problem="" if valid else _problem(status),
        timestamped_at=token.timestamp if valid and token is not None and token.trusted else None,
    )


def _carries_timestamp(embedded: EmbeddedPdfSignature) -> bool:
    """Whether the seal carries a signature timestamp (so the TSA's root is read only then)."""
    attributes = embedded.signer_info["unsigned_attrs"]
    return any(a["type"].native == "signature_time_stamp_token" for a in attributes)


def _holds(status: PdfSignatureStatus) -> bool:
    """pyHanko's verdict, which wants a timestamp to be trusted too. With no TSA root
    configured (SEAL_TSA_CA_PATH empty), a timestamp must still match the seal, but whose it is
    goes unchecked, and its time is not reported."""
    token = status.timestamp_validity
    if token is None or tsa_ca_path() is not None:
        return status.bottom_line
    without_token = dataclasses.replace(status, timestamp_validity=None)
    return without_token.bottom_line and _token_matches(token)


def _token_matches(token: TimestampSignatureStatus) -> bool:
    return token.intact and token.valid


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
    token = status.timestamp_validity
    if token is not None and not _token_matches(token):
        return _("The seal's timestamp does not match the seal.")
    if token is not None and not token.trusted:
        return _("The seal's timestamp is not from the registry's time-stamping authority.")
    return _("Something was added to the document after it was sealed.")
