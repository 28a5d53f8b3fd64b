"""Every signature embedded in a PDF, checked offline: who signed, with which certificate, when,
and whether it still holds.

The check is pyHanko's, with nothing fetched (no OCSP, CRL or AIA): the chains and revocation
answers are the ones the file carries in its document security store (DSS) and in the
signatures. An e.firma is trusted up to SAT's root (``ESIGN_TRUST_ROOTS``), the registry's seal
up to the seal certificates the caller names, timestamps up to the TSA roots it names. For each
signature pyHanko's modification analysis says what was added after it: nothing, only
validation data and timestamps, more signatures, or other changes (which break it).

The OCSP answers in the file are read here too (each checked to be the issuer's answer about
the signer's certificate): pyHanko's validator consults embedded answers only for certificates
that name an OCSP responder in their AIA extension, which the sandbox's e.firma do not. A
certificate revoked before it signed makes the signature fail; revoked later, it holds.

Bytes that are not a PDF, a damaged or truncated one, one over :data:`MAX_PDF_BYTES` are refused
with :class:`UnreadablePdf`, whose message says so; a PDF without signatures gives an empty list.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import ocsp as asn1_ocsp  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp
from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.status import (
    PdfSignatureStatus,
    SignatureCoverageLevel,
    TimestampSignatureStatus,
)
from pyhanko_certvalidator import ValidationContext

from companies.signatures import certificates, trust
from companies.signatures import status as sat_status

MAX_PDF_BYTES = 10 * 1024 * 1024
PDF_HEADER = b"%PDF-"

# What pyHanko's reader raises on bytes that are not a well-formed PDF (its own errors, and,
# deeper in a damaged file, zlib, missing keys or objects of the wrong type).
PDF_READ_ERRORS = (
    PdfError,
    SignatureValidationError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    NotImplementedError,  # what pyHanko raises for a feature of the file it does not support
    zlib.error,
)

log = logging.getLogger(__name__)


class UnreadablePdf(Exception):
    """The bytes cannot be reported on; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Kind(enum.StrEnum):
    EFIRMA = "efirma"  # a person's e.firma: SAT's certificate with a CURP
    SEAL = "seal"  # the registry's seal (one of the seal certificates the caller trusts)
    TIMESTAMP = "timestamp"  # a document timestamp (PAdES B-LTA)
    OTHER = "other"  # any other certificate


class LaterChanges(enum.StrEnum):
    NONE = "none"  # the signature covers the whole file
    VALIDATION_DATA = "validation_data"  # only the DSS and document timestamps follow
    SIGNATURES = "signatures"  # more signatures (or filled-in form fields) follow
    OTHER = "other"  # anything else: the document was changed after this signature


class Revocation(enum.StrEnum):
    EMBEDDED = "embedded"  # an answer of its issuer in the file: not revoked when it signed
    REVOKED = "revoked"  # an answer of its issuer in the file: revoked before it signed
    MISSING = "missing"  # none: the file cannot show offline it was not revoked
    NOT_NEEDED = "not_needed"  # the certificate is itself a trusted root (our seal)


@dataclass(frozen=True)
class SignatureReport:
    """One embedded signature as people read it, and pyHanko's verdict on it."""

    field: str
    kind: Kind
    signer: str
    curp: str  # e.firma only ("" otherwise)
    rfc: str
    serial_number: str  # SAT's 20 digits for an e.firma, hexadecimal otherwise
    issuer: str
    # what is known of a signature before it is checked: nothing holds
    signed_at: datetime | None = None  # a trusted timestamp's time, else the signer's own claim
    time_certified: bool = False  # ``signed_at`` comes from a timestamp whose TSA is trusted
    intact: bool = False  # the bytes it signed are unchanged
    valid: bool = False  # the signature is cryptographically sound
    trusted: bool = False  # its certificate chains to SAT's root (or is our seal), not revoked
    covers_whole_file: bool = False
    later_changes: LaterChanges = LaterChanges.OTHER
    revocation: Revocation = Revocation.MISSING
    revoked_at: datetime | None = None  # when an embedded answer says it was revoked
    problem: str = ""  # why it does not hold, for people; "" when it does

    @property
    def holds(self) -> bool:
        return not self.problem

    @property
    def kind_label(self) -> str:
        return {
            Kind.EFIRMA: _("e.firma (SAT)"),
            Kind.SEAL: _("the registry's electronic seal"),
            Kind.TIMESTAMP: _("document timestamp"),
            Kind.OTHER: _("other certificate"),
        }[self.kind]

    @property
    def later_changes_label(self) -> str:
        return {
            LaterChanges.NONE: _("It covers the whole file: nothing was added after it."),
            LaterChanges.VALIDATION_DATA: _(
                "Only validation data and timestamps were added after it."
            ),
            LaterChanges.SIGNATURES: _("More signatures were added after it."),
            LaterChanges.OTHER: _("The file was changed after it."),
        }[self.later_changes]

    @property
    def revocation_label(self) -> str:
        return {
            Revocation.EMBEDDED: _(
                "The file carries the certificate's status from its issuer: it can be checked "
                "offline."
            ),
            Revocation.REVOKED: _("The file carries the issuer's answer: revoked."),
            Revocation.MISSING: _(
                "The file does not carry the certificate's status from its issuer."
            ),
            Revocation.NOT_NEEDED: _("The registry's own certificate: no status to check."),
        }[self.revocation]


def signatures_in(
    pdf: bytes,
    *,
    seal_roots: Sequence[x509.Certificate] = (),
    timestamp_roots: Sequence[x509.Certificate] = (),
    at: datetime | None = None,
) -> list[SignatureReport]:
    """Every signature in ``pdf``, in the order they were added, checked offline (as of ``at``,
    by default now); raises :class:`UnreadablePdf` for bytes that cannot be reported on.

    A certificate that has expired since (an e.firma lasts four years) does not make a signature
    fail when a trusted timestamp proves the signature existed while it was valid: its own
    timestamp, or that of a later intact signature over it (the seal's, at B-LT); the
    signature is then checked as of that time."""
    if len(pdf) > MAX_PDF_BYTES:
        raise UnreadablePdf(
            _("The file is larger than %(megabytes)d MB: it cannot be checked.")
            % {"megabytes": MAX_PDF_BYTES // (1024 * 1024)}
        )
    if not pdf.startswith(PDF_HEADER):
        raise UnreadablePdf(_("This file is not a PDF."))
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
        store = _store(reader)
    except PDF_READ_ERRORS as error:
        log.info("A PDF could not be read for its signatures: %r", error)
        raise UnreadablePdf(
            _("This PDF is damaged or incomplete (perhaps cut short): it cannot be read.")
        ) from error
    roots = _Roots.of(seal_roots, timestamp_roots, at)
    reports: list[SignatureReport] = []
    proof: datetime | None = None  # the earliest trusted time of a later intact signature
    for signature in reversed(embedded):
        found = _report(signature, roots, store, proof)
        if found.intact and found.time_certified and found.signed_at is not None:
            proof = found.signed_at if proof is None else min(proof, found.signed_at)
        reports.append(found)
    return reports[::-1]


@dataclass(frozen=True)
class _Store:
    """What the file carries to validate its signatures: certificates and OCSP answers."""

    certificates: tuple[asn1_x509.Certificate, ...]
    answers: tuple[bytes, ...]  # DER OCSPResponses

    def ocsp_responses(self) -> list[asn1_ocsp.OCSPResponse]:
        return [asn1_ocsp.OCSPResponse.load(der) for der in self.answers]

    def issuer_of(self, certificate: x509.Certificate) -> x509.Certificate | None:
        """The certificate that issued ``certificate``: one of SAT's, or one the file carries."""
        try:
            candidates = list(trust.trusted())
        except ImproperlyConfigured:
            candidates = []
        candidates += [x509.load_der_x509_certificate(c.dump()) for c in self.certificates]
        for candidate in candidates:
            if candidate.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return candidate
        return None


def _store(reader: PdfFileReader) -> _Store:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return _Store((), ())
    answers = tuple(bytes(ref.get_object().data) for ref in dss.ocsps)
    return _Store(tuple(dss.load_certs()), answers)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class _Roots:
    sat: tuple[asn1_x509.Certificate, ...]
    sat_authorities: tuple[asn1_x509.Certificate, ...]
    seal: tuple[asn1_x509.Certificate, ...]
    timestamps: tuple[asn1_x509.Certificate, ...]
    at: datetime | None  # when to validate; None: now

    @classmethod
    def of(
        cls,
        seal_roots: Sequence[x509.Certificate],
        timestamp_roots: Sequence[x509.Certificate],
        at: datetime | None,
    ) -> _Roots:
        try:
            authorities = trust.trusted()
        except ImproperlyConfigured as error:
            log.error("No e.firma can be trusted in a PDF: %s", error)
            authorities = ()
        roots = [a for a in authorities if a.issuer == a.subject]
        others = [a for a in authorities if a.issuer != a.subject]
        return cls(
            sat=tuple(_asn1(c) for c in roots),
            sat_authorities=tuple(_asn1(c) for c in others),
            seal=tuple(_asn1(c) for c in seal_roots),
            timestamps=tuple(_asn1(c) for c in timestamp_roots),
            at=at,
        )

    def context(
        self,
        trusted: Sequence[asn1_x509.Certificate],
        store: _Store,
        moment: datetime | None = None,
    ) -> ValidationContext:
        """Only ``trusted`` as roots, the file's certificates and SAT's authorities to build the
        chain, the file's OCSP answers, nothing fetched; as of ``moment`` (else ``at``)."""
        return ValidationContext(
            trust_roots=list(trusted),
            other_certs=[*store.certificates, *self.sat_authorities],
            ocsps=store.ocsp_responses(),
            allow_fetching=False,
            moment=moment or self.at,
        )


def _report(
    embedded: EmbeddedPdfSignature, roots: _Roots, store: _Store, proof: datetime | None
) -> SignatureReport:
    field = embedded.field_name or ""
    try:
        if embedded.sig_object_type == "/DocTimeStamp":
            return _timestamp_report(embedded, roots, store)
        return _signature_report(embedded, roots, store, proof)
    except PDF_READ_ERRORS as error:
        log.info("A signature in a PDF could not be checked: %r", error)
        return _unreadable(field)


def _kind(signer: asn1_x509.Certificate, roots: _Roots) -> Kind:
    if any(signer.dump() == seal.dump() for seal in roots.seal):
        return Kind.SEAL
    try:
        holder = certificates.holder(x509.load_der_x509_certificate(signer.dump()))
    except ValueError:
        return Kind.OTHER
    return Kind.EFIRMA if holder.curp else Kind.OTHER


def _signature_report(
    embedded: EmbeddedPdfSignature, roots: _Roots, store: _Store, proof: datetime | None
) -> SignatureReport:
    kind = _kind(embedded.signer_cert, roots)
    trusted = {Kind.EFIRMA: roots.sat, Kind.SEAL: roots.seal}.get(kind, roots.sat + roots.seal)
    ts_context = roots.context(roots.timestamps, store)
    status = validate_pdf_signature(
        embedded, roots.context(trusted, store), ts_validation_context=ts_context
    )
    token = status.timestamp_validity
    time_certified = token is not None and _token_holds(token) and token.trusted
    own = token.timestamp if time_certified and token is not None else None
    proven = min((t for t in (own, proof) if t is not None), default=None)
    if not status.trusted and proven is not None:
        # existed at ``proven``: whether the certificate held then (it may have expired since)
        status = validate_pdf_signature(
            embedded, roots.context(trusted, store, proven), ts_validation_context=ts_context
        )
    later = _later_changes(status)
    signed_at = token.timestamp if time_certified and token else status.signer_reported_dt
    revocation, revoked_at = _revocation(
        embedded.signer_cert, store, roots=trusted, signed_at=signed_at
    )
    problem = _problem(status, kind, later, roots, proven=proven is not None)
    if revocation == Revocation.REVOKED and revoked_at is not None:
        # pyHanko finds the revocation too (the certificate names its responder), not the day
        problem = _revoked(revoked_at) if problem in ("", _revoked_before()) else problem
    return dataclasses.replace(
        _about(embedded.signer_cert, kind),
        field=embedded.field_name or "",
        signed_at=signed_at,
        time_certified=time_certified,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted and revocation != Revocation.REVOKED,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        later_changes=later,
        revocation=revocation,
        revoked_at=revoked_at,
        problem=problem,
    )


def _revoked_before() -> str:
    return _("The certificate was revoked before this signature was made.")


def _revoked(moment: datetime) -> str:
    day = date_format(localtime(moment), "DATE_FORMAT")
    return _("The certificate was revoked on %(day)s, before this signature was made.") % {
        "day": day
    }


def _timestamp_report(
    embedded: EmbeddedPdfSignature, roots: _Roots, store: _Store
) -> SignatureReport:
    context = roots.context(roots.timestamps, store)
    status = validate_pdf_timestamp(embedded, context)
    later = _later_changes(status)
    holds = status.intact and status.valid and status.trusted and later != LaterChanges.OTHER
    problem = ""
    if not status.intact:
        problem = _("The document was changed after this timestamp.")
    elif not holds:
        problem = _("This timestamp could not be confirmed.")
    return dataclasses.replace(
        _about(embedded.signer_cert, Kind.TIMESTAMP),
        field=embedded.field_name or "",
        signed_at=status.timestamp,
        time_certified=status.trusted,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        later_changes=later,
        problem=problem,
    )


def _about(signer: asn1_x509.Certificate, kind: Kind) -> SignatureReport:
    """The certificate's part of the report (the verdict's fields are filled in after)."""
    certificate = x509.load_der_x509_certificate(signer.dump())
    holder = certificates.holder(certificate)
    return SignatureReport(
        field="",
        kind=kind,
        signer=holder.name or certificates.common_name(certificate.subject),
        curp=holder.curp if kind == Kind.EFIRMA else "",
        rfc=holder.rfc if kind == Kind.EFIRMA else "",
        serial_number=holder.serial_number,
        issuer=holder.issuer,
    )


def _revocation(
    signer: asn1_x509.Certificate,
    store: _Store,
    *,
    roots: Sequence[asn1_x509.Certificate],
    signed_at: datetime | None,
) -> tuple[Revocation, datetime | None]:
    """What the answers the file carries say of the certificate at the time of signing.

    pyHanko's certificate validator consults OCSP answers only for certificates that name an
    OCSP responder (AIA), and does not say when a certificate was revoked; so the embedded
    answers are read here too (for a certificate that names none as well), each checked to be
    its issuer's answer about this certificate."""
    if any(signer.dump() == root.dump() for root in roots):
        return Revocation.NOT_NEEDED, None
    certificate = x509.load_der_x509_certificate(signer.dump())
    issuer = store.issuer_of(certificate)
    if issuer is None:
        return Revocation.MISSING, None
    found = Revocation.MISSING
    for der in store.answers:
        try:
            answer = sat_status.read_embedded(der, certificate=certificate, issuer=issuer)
        except sat_status.NotAnAnswer:
            continue
        if answer.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            revoked_at = answer.revocation_time_utc
            if revoked_at is not None and (signed_at is None or revoked_at <= signed_at):
                return Revocation.REVOKED, revoked_at
            found = Revocation.EMBEDDED
        elif answer.certificate_status == ocsp.OCSPCertStatus.GOOD:
            found = Revocation.EMBEDDED
    return found, None


def _later_changes(status: PdfSignatureStatus | TimestampSignatureStatus) -> LaterChanges:
    if getattr(status, "coverage", None) == SignatureCoverageLevel.ENTIRE_FILE:
        return LaterChanges.NONE
    level = getattr(status, "modification_level", None)
    if level is None or level > ModificationLevel.FORM_FILLING:
        return LaterChanges.OTHER
    if level == ModificationLevel.FORM_FILLING:
        return LaterChanges.SIGNATURES
    return LaterChanges.VALIDATION_DATA


def _token_holds(token: TimestampSignatureStatus) -> bool:
    return token.intact and token.valid


def _problem(
    status: PdfSignatureStatus, kind: Kind, later: LaterChanges, roots: _Roots, *, proven: bool
) -> str:
    if not status.intact:
        return _("The document was changed after this signature: it no longer matches.")
    if not status.valid:
        return _("The signature does not match its certificate.")
    if not status.trusted:
        return _untrusted(status, kind, proven=proven)
    token = status.timestamp_validity
    if token is not None and not _token_holds(token):
        return _("The signature's timestamp does not match the signature.")
    if token is not None and roots.timestamps and not token.trusted:
        return _("The signature's timestamp is not from a time-stamping authority we trust.")
    if later == LaterChanges.OTHER or status.docmdp_ok is False:
        if later == LaterChanges.SIGNATURES:
            return _("A signature was added after this one, which it does not allow.")
        return _("The document was changed after this signature.")
    return ""


def _untrusted(status: PdfSignatureStatus, kind: Kind, *, proven: bool) -> str:
    indication = status.trust_problem_indic
    name = getattr(indication, "name", "")  # the AdES sub-indication's enum member
    if name in {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}:
        return _revoked_before()
    if name in {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}:
        if proven:
            return _("The certificate was not valid when this signature was made.")
        return _(
            "The certificate has expired, and no trusted timestamp in the file proves that "
            "the signature was made before."
        )
    if kind == Kind.SEAL:
        return _("The seal's certificate could not be confirmed.")
    if kind == Kind.EFIRMA:
        return _("The e.firma could not be traced to SAT's root with what the file carries.")
    return _("The certificate was not issued by SAT nor is it the registry's seal.")


def _unreadable(field: str) -> SignatureReport:
    return SignatureReport(
        field=field,
        kind=Kind.OTHER,
        signer="",
        curp="",
        rfc="",
        serial_number="",
        issuer="",
        problem=_("This signature is damaged: it cannot be checked."),
    )
