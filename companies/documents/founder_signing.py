"""Each founder signs the articles PDF of the frozen version with their e.firma: the server's
half of both ways to sign (the e.firma in the browser; a remote signing service).

1. ``draw`` (the worker, after ``workflow.send_for_signatures``): the version's articles are
   drawn once and kept as its ``SigningDocument``.
2. ``prepare`` for a founder and their certificate: the certificate is checked cheaply first
   (SAT's, valid now, the founder's CURP), then a PAdES incremental update with the founder's
   signature field is written on the document as it stands, and the founder gets what to sign
   (``ToSign``: the DER of the CMS signed attributes, and its SHA-256 for a signHash service).
   The prepared update is kept in a ``SigningSession`` for ``SESSION_MINUTES``.
3. ``finish`` with the signature value: ``signatures.verification.verify`` over the signed
   attributes (chain, validity at the signing time, CURP, the signature itself, then SAT's
   OCSP over X-Road, stored), and with the document's row locked: the CMS embedded, the
   document's new state saved and the ``Signature`` recorded as the founder's approval (the
   only approval that counts: a click is not a signature).

Two founders may prepare on the same state; the second to finish finds the state changed and is
refused (``SomeoneSignedFirst``: their signature covers bytes that are no longer the document,
so no server can re-prepare it for them; the front end prepares again and asks for a new
signature). When SAT does not answer, the session waits with its signature value
(``Finished.waiting``) and ``check_waiting`` (beat) asks SAT again until it answers; meanwhile
no other founder's signature is embedded on that version (``AnotherSignatureWaits``), so the
waiting one still fits the document when SAT answers: nothing is lost.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID

from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import outbox, workflow
from companies.documents import pades, rendering
from companies.documents.seal import SEAL_LOCATION
from companies.filing import signing, versions
from companies.jobs import tell_signer
from companies.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Company,
    Founder,
    Signature,
    SigningDocument,
    SigningSession,
)
from companies.signatures import certificates, refusals, status, trust, verification
from portal.models import User

SESSION_MINUTES = 10
MAX_UPLOAD_BYTES = 64 * 1024
REASON = "Firma de los estatutos sociales"  # in the PDF, in Spanish like the document
log = logging.getLogger(__name__)

Method = SigningSession.Method
Status = SigningSession.Status


# -- 1. the document ------------------------------------------------------------------------


def draw(application_id: int) -> SigningDocument | None:
    """The current version's articles drawn and kept, once (a second run finds it); None when
    the application is no longer waiting for signatures."""
    application = Application.objects.get(pk=application_id)
    version = versions.current(application)
    if version is None or application.status != ApplicationStatus.AWAITING_SIGNATURES:
        return None
    existing = SigningDocument.objects.filter(version=version).first()
    if existing is not None:
        return existing
    pdf = rendering.render_version_articles(version)
    digest = hashlib.sha256(pdf).hexdigest()
    document, _created = SigningDocument.objects.get_or_create(
        version=version,
        defaults={
            "pdf": pdf,
            "sha256": digest,
            "original_size": len(pdf),
            "original_sha256": digest,
        },
    )
    return document


def document_of(version: ApplicationVersion) -> SigningDocument | None:
    return SigningDocument.objects.filter(version=version).first()


def is_ready(version: ApplicationVersion | None) -> bool:
    """Whether the version's articles are drawn (the signing page says "preparing" until)."""
    return version is not None and SigningDocument.objects.filter(version=version).exists()


@dataclass(frozen=True)
class SignedArticles:
    """The articles every founder signed with their e.firma, and SAT's answers those
    signatures rest on (embedded beside the registry's seal, so the file validates offline)."""

    pdf: bytes
    ocsp_responses: list[bytes]
    certificates: list[bytes]


def signed_articles(company: Company) -> SignedArticles | None:
    """The registered company's articles as its founders signed them, when every founder's
    approval of the version is an e.firma signature embedded in the PDF; None when any founder
    approved with a click (the articles are then drawn anew and sealed)."""
    application = company.application
    signatures = signing.signed_with_efirma_by_all(application) if application else []
    if not signatures:
        return None
    document = document_of(signatures[0].version)
    if document is None:
        return None
    return SignedArticles(
        pdf=bytes(document.pdf),
        ocsp_responses=[
            bytes(s.certificate_status.response) for s in signatures if s.certificate_status
        ],
        certificates=[bytes(s.certificate) for s in signatures if s.certificate],
    )


# -- 2. prepare -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ToSign:
    """What the founder's signer signs: ``signed_attributes`` with RSASSA-PKCS1-v1_5 SHA-256 (the
    browser's WebCrypto), or ``digest`` = SHA-256 of them (a CSC ``signatures/signHash``)."""

    session: SigningSession
    signed_attributes: bytes
    digest: bytes

    @property
    def expires_at(self) -> datetime:
        return self.session.expires_at

    def as_json(self) -> dict[str, Any]:
        return {
            "session": str(self.session.public_id),
            "to_be_signed": base64.b64encode(self.signed_attributes).decode("ascii"),
            "digest": base64.b64encode(self.digest).decode("ascii"),
            "hash_algorithm": "SHA-256",
            "signature_algorithm": "RSASSA-PKCS1-v1_5",
            "expires_at": self.expires_at.isoformat(),
        }


def read_upload(data: bytes) -> bytes:
    """A .cer upload as the certificate's DER, or the refusal that says what file to choose."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refusals.TooLarge()
    certificate = certificates.load(data)
    return certificate.public_bytes(serialization.Encoding.DER)


def _signing_now(application: Application, version: ApplicationVersion) -> None:
    if application.status != ApplicationStatus.AWAITING_SIGNATURES:
        raise refusals.NotAwaitingSignatures()
    current = versions.current(application)
    if current is None or current.pk != version.pk:
        raise refusals.OlderVersion()


def _another_waits(version: ApplicationVersion, *, besides: int | None = None) -> bool:
    waiting = SigningSession.objects.filter(version=version, status=Status.WAITING)
    return waiting.exclude(pk=besides).exists() if besides else waiting.exists()


def field_name(founder: Founder) -> str:
    """The founder's signature field: ``Fundador<n>``, n their place among the founders."""
    position = list(founder.application.founders.values_list("pk", flat=True)).index(founder.pk)
    return f"Fundador{position + 1}"


def prepare(
    version: ApplicationVersion,
    founder: Founder,
    certificate: bytes,
    method: str,
    *,
    user: User,
    authenticated_at: datetime,
    now: datetime | None = None,
) -> ToSign:
    """What ``founder`` (for whom ``user`` signs) must sign with the e.firma of ``certificate``
    (DER or PEM) on ``version``, or a ``refusals.SignatureRefused`` saying what to do."""
    now = now or timezone.now()
    application = version.application
    _signing_now(application, version)
    if founder.application_id != application.pk or founder not in signing.founders_for(
        application, user
    ):
        raise refusals.NotTheirFounder()
    if signing.has_signed(version, founder):
        raise refusals.AlreadySigned()
    cert = certificates.load(certificate)
    chain = trust.chain_to_sat(cert)
    verification.valid_at(cert, now)
    who = certificates.holder(cert)
    if who.curp != founder.curp.strip().upper():
        raise refusals.AnotherPerson()
    document = document_of(version)
    if document is None:
        raise refusals.DocumentPreparing()
    if _another_waits(version):
        raise refusals.AnotherSignatureWaits()
    der = cert.public_bytes(serialization.Encoding.DER)
    signing_time = now.replace(microsecond=0)  # the PDF's /M holds whole seconds
    prepared = pades.prepare(
        bytes(document.pdf),
        certificate=der,
        authorities=[a.public_bytes(serialization.Encoding.DER) for a in chain.authorities],
        field_name=field_name(founder),
        signer_name=who.name,
        reason=REASON,
        location=SEAL_LOCATION,
        signing_time=signing_time,
    )
    session = SigningSession.objects.create(
        version=version,
        founder=founder,
        user=user,
        authenticated_at=authenticated_at,
        method=Method(method),
        certificate=der,
        base_sha256=document.sha256,
        prepared_pdf=prepared.pdf,
        reserved_start=prepared.reserved_start,
        reserved_end=prepared.reserved_end,
        document_digest=prepared.document_digest,
        signed_attributes=prepared.signed_attributes,
        signed_at=signing_time,
        expires_at=now + timedelta(minutes=SESSION_MINUTES),
    )
    return ToSign(session, prepared.signed_attributes, prepared.to_be_signed_digest)


# -- 3. finish ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finished:
    """A signature that counts (``signature``), or one waiting for SAT (``waiting``); the
    ``message`` is what the founder is told."""

    session: SigningSession
    signature: Signature | None
    message: str

    @property
    def waiting(self) -> bool:
        return self.signature is None


def session_for(public_id: UUID | str, user: User) -> SigningSession | None:
    """The person's own signing session by its public id (None for anybody else's)."""
    return (
        SigningSession.objects.select_related("version__application", "founder")
        .filter(public_id=public_id, user=user)
        .first()
    )


def decode_signature(value: str | bytes) -> bytes:
    """A base64 signature value (standard or URL-safe alphabet), or ``UnreadableSignature``."""
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        raise refusals.UnreadableSignature() from None
    if not raw or len(raw) > 1024:
        raise refusals.UnreadableSignature()
    return raw


def finish(
    session: SigningSession,
    signature_value: bytes,
    *,
    now: datetime | None = None,
    responder: status.Responder | None = None,
) -> Finished:
    """The founder's signature value over the session's signed attributes: verified, embedded
    and counted, or kept waiting for SAT, or refused (``refusals.SignatureRefused``). SAT is
    asked over X-Road unless ``responder`` stands in for it (``status.Responder``)."""
    now = now or timezone.now()
    with transaction.atomic():
        session = SigningSession.objects.select_for_update().get(pk=session.pk)
        if session.status == Status.SIGNED:
            return Finished(session, session.signature, _("Your signature counts."))
        if session.status == Status.WAITING:
            return Finished(session, None, refusals.SignatureWaits().message)
        if session.status == Status.REFUSED:
            raise refusals.SessionClosed(session.message)
        expired = now > session.expires_at
        if not expired:
            session.signature_value = signature_value
            session.save(update_fields=["signature_value"])
    try:
        if expired:
            _refuse(session, refusals.SessionExpired())
        return _verify_and_count(session, responder=responder)
    except _CountedMeanwhile as counted:
        return counted.finished


def check_waiting(*, limit: int = 100) -> int:
    """SAT asked again about every signature waiting for it (beat): each counts, or is refused
    with the reason, and its founder is told. How many were decided."""
    decided = 0
    for pk in (
        SigningSession.objects.filter(status=Status.WAITING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    ):
        session = SigningSession.objects.select_related("version__application", "founder").get(
            pk=pk
        )
        try:
            finished = _verify_and_count(session)
        except _CountedMeanwhile as counted:
            finished = counted.finished
        except refusals.SignatureRefused:
            decided += 1
            finished = None
        if finished is not None:
            decided += 0 if finished.waiting else 1
        session.refresh_from_db()
        if session.status != Status.WAITING:
            with transaction.atomic():
                outbox.enqueue(tell_signer(session.version.application_id, session.pk))
    return decided


def expire_sessions(*, now: datetime | None = None) -> int:
    """Sessions whose signature never came back within ``SESSION_MINUTES`` closed (beat), their
    prepared copy of the PDF dropped; a signature arriving later is told to sign again."""
    now = now or timezone.now()
    return SigningSession.objects.filter(status=Status.PREPARED, expires_at__lt=now).update(
        status=Status.REFUSED,
        refusal=refusals.SessionExpired.__name__,
        message=refusals.SessionExpired().message,
        prepared_pdf=b"",
        finished_at=now,
    )


def _counted_meanwhile(session: SigningSession) -> Finished | None:
    """The session as counted by a second finish of the same signature that ran at once (a
    double click, two beat runs), or None."""
    if session.status == Status.SIGNED and session.signature is not None:
        return Finished(session, session.signature, _("Your signature counts."))
    return None


class _CountedMeanwhile(Exception):
    def __init__(self, finished: Finished) -> None:
        self.finished = finished


def _refuse(session: SigningSession, refusal: refusals.SignatureRefused) -> NoReturn:
    """Record the refusal on the session (in its own transaction) and raise it; a session that
    counted meanwhile stays counted, and that is raised instead (``_CountedMeanwhile``)."""
    SigningSession.objects.filter(pk=session.pk).exclude(status=Status.SIGNED).update(
        status=Status.REFUSED,
        refusal=type(refusal).__name__,
        message=refusal.message,
        finished_at=timezone.now(),
    )
    session.refresh_from_db()
    counted = _counted_meanwhile(session)
    if counted is not None:
        raise _CountedMeanwhile(counted)
    raise refusal


def _verify_and_count(
    session: SigningSession, *, responder: status.Responder | None = None
) -> Finished:
    version = session.version
    application = version.application
    try:
        _signing_now(application, version)
        if session.signature_value is None:
            raise refusals.UnreadableSignature()
        _still_fits(session, besides=session.pk)
        verified = verification.verify(
            certificate=bytes(session.certificate),
            signature=bytes(session.signature_value),
            signed=bytes(session.signed_attributes),
            founder_curp=session.founder.curp,
            signed_at=session.signed_at,
            application=application,
            responder=responder,
        )
    except refusals.SignatureWaits as waits:
        SigningSession.objects.filter(pk=session.pk).exclude(status=Status.SIGNED).update(
            status=Status.WAITING, message=waits.message, attempts=session.attempts + 1
        )
        session.refresh_from_db()
        log.info("e.firma signature waits for SAT", extra={"session": session.pk})
        return _counted_meanwhile(session) or Finished(session, None, waits.message)
    except refusals.SignatureRefused as refusal:
        _refuse(session, refusal)
    try:
        signature = _embed_and_record(session, verified)
    except refusals.SignatureRefused as refusal:
        _refuse(session, refusal)
    workflow.signature_counted(application, version=version)
    session.refresh_from_db()
    return Finished(session, signature, _("Your signature counts."))


def _still_fits(session: SigningSession, *, besides: int) -> SigningDocument:
    """The document is still the state the session was prepared on, and the prepared update is
    the one the signed attributes commit to."""
    document = SigningDocument.objects.get(version_id=session.version_id)
    if document.sha256 != session.base_sha256:
        raise refusals.SomeoneSignedFirst()
    if _another_waits(session.version, besides=besides):
        raise refusals.AnotherSignatureWaits()
    digest = bytes(session.document_digest)
    if (
        pades.byte_range_digest(
            bytes(session.prepared_pdf), session.reserved_start, session.reserved_end
        )
        != digest
        or pades.message_digest(bytes(session.signed_attributes)) != digest
    ):
        raise refusals.OtherBytes()
    return document


def _embed_and_record(session: SigningSession, verified: verification.Verified) -> Signature:
    with transaction.atomic():
        document = SigningDocument.objects.select_for_update().get(version_id=session.version_id)
        application = Application.objects.select_for_update().get(pk=session.version.application_id)
        again = SigningSession.objects.select_related("signature").get(pk=session.pk)
        if again.status == Status.SIGNED and again.signature is not None:
            return again.signature  # the same signature finished twice at once: counted once
        _signing_now(application, session.version)
        _still_fits(session, besides=session.pk)
        if signing.has_signed(session.version, session.founder):
            raise refusals.AlreadySigned()
        cert = certificates.load(bytes(session.certificate))
        chain = trust.chain_to_sat(cert)
        pdf = pades.embed(
            pades.Prepared(
                pdf=bytes(session.prepared_pdf),
                reserved_start=session.reserved_start,
                reserved_end=session.reserved_end,
                document_digest=bytes(session.document_digest),
                signed_attributes=bytes(session.signed_attributes),
                signing_time=session.signed_at,
            ),
            signature_value=bytes(session.signature_value or b""),
            certificate=bytes(session.certificate),
            authorities=[a.public_bytes(serialization.Encoding.DER) for a in chain.authorities],
        )
        document.pdf = pdf
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.signatures += 1
        document.save(update_fields=["pdf", "sha256", "signatures", "updated_at"])
        signature = signing.record_certified(
            session.version,
            session.founder,
            user=session.user,
            authenticated_at=session.authenticated_at,
            method=Signature.Method(session.method),
            certificate=bytes(session.certificate),
            verified=verified,
            signed_range_sha256=bytes(session.document_digest).hex(),
        )
        SigningSession.objects.filter(pk=session.pk).update(
            status=Status.SIGNED,
            signature=signature,
            refusal="",
            message="",
            finished_at=timezone.now(),
        )
    return signature
