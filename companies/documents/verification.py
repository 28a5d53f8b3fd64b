"""Checking the register's documents: by the code printed on a certificate, and by the file.

A file is called authentic only when both hold: its SHA-256 is one the register recorded when it
issued a document, and the registry's seal on it is valid. Everything else (a file we never
issued, one changed by a single byte, one without a seal) is not, and the answer says why in
plain words. Uploads are read only as PDF: the header is checked, the bytes are hashed, and
pyHanko reads the signature; nothing is rendered, stored or followed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from companies.access import may_read_founders_documents
from companies.documents import codes, seal
from companies.models import Company, Document, GoodStandingCertificate
from companies.signatures import report
from portal.models import User

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PDF_HEADER = b"%PDF-"


def company_for_code(text: str) -> Company | None:
    code = codes.normalise(text)
    if code is None:
        return None
    return (
        Company.objects.select_related("legal_form", "application")
        .filter(verification_code=code)
        .first()
    )


@dataclass(frozen=True)
class FileCheck:
    authentic: bool
    headline: str  # the answer, in a sentence
    detail: str  # what it means or what to do
    document: Document | None = None  # the register's document with these exact bytes
    superseded_by: Document | None = None  # the current version of the same document
    good_standing: GoodStandingCertificate | None = None  # the constancia with these bytes
    sha256: str = ""
    timestamped_at: datetime | None = None  # the seal's time, certified by a TSA


def check_file(data: bytes) -> FileCheck:
    if not data.startswith(PDF_HEADER):
        return FileCheck(
            False,
            _("This file is not a PDF."),
            _("Upload the PDF file of the certificate, articles or register as you received it."),
        )
    digest = hashlib.sha256(data).hexdigest()
    document = (
        Document.objects.select_related("company", "company__legal_form")
        .filter(sha256=digest)
        .first()
    )
    sealed = seal.validate_seal(data)
    if document is None:
        constancia = _good_standing_of(digest)
        if constancia is not None:
            return _good_standing_check(constancia, digest, sealed)
        return _unknown(digest, sealed)
    if not sealed.valid:
        return FileCheck(
            False,
            _("We cannot confirm this document."),
            _(
                "Its contents match a document of the register, but its seal could not be "
                "confirmed. Download the document again from the company's page."
            ),
            document=document,
            sha256=digest,
        )
    later = (
        Document.objects.filter(
            company=document.company, kind=document.kind, version__gt=document.version
        )
        .order_by("-version")
        .first()
    )
    return FileCheck(
        True,
        _("This is an authentic, unaltered document of the register."),
        _("It was issued by the registry for %(company)s and carries its valid seal.")
        % {"company": document.company.name},
        document=document,
        superseded_by=later,
        sha256=digest,
        timestamped_at=sealed.timestamped_at,
    )


def _good_standing_of(digest: str) -> GoodStandingCertificate | None:
    return (
        GoodStandingCertificate.objects.select_related("company", "company__legal_form")
        .filter(sha256=digest)
        .first()
    )


def _good_standing_check(
    constancia: GoodStandingCertificate, digest: str, sealed: seal.SealCheck
) -> FileCheck:
    if not sealed.valid:
        return FileCheck(
            False,
            _("We cannot confirm this document."),
            _(
                "Its contents match a certificate of good standing of the register, but its "
                "seal could not be confirmed. Look it up by its verification code."
            ),
            good_standing=constancia,
            sha256=digest,
        )
    return FileCheck(
        True,
        _("This is an authentic, unaltered document of the register."),
        _("It is a certificate of good standing the registry issued for %(company)s.")
        % {"company": constancia.company.name},
        good_standing=constancia,
        sha256=digest,
        timestamped_at=sealed.timestamped_at,
    )


def _unknown(digest: str, sealed: seal.SealCheck) -> FileCheck:
    if sealed.intact and sealed.signer:
        detail = _(
            "It is not one of the documents the register issued. Ask the company for the "
            "document, or look it up by its verification code."
        )
    else:
        detail = sealed.problem or _("It is not one of the documents the register issued.")
    return FileCheck(
        False,
        _("This is not an authentic document of the register."),
        detail,
        sha256=digest,
    )


def signatures_of(data: bytes) -> list[report.SignatureReport]:
    """Every signature in an uploaded PDF, checked offline: e.firma up to SAT's root, our seal
    against our seal certificate, timestamps against our TSA's root; ``report.UnreadablePdf``
    for bytes that are not a readable PDF."""
    return report.signatures_in(
        data, seal_roots=seal.seal_certificates(), timestamp_roots=seal.timestamp_roots()
    )


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    current: bool
    downloadable: bool
    superseded_by: Document | None = None  # the current version, when this one is not


def document_rows(
    user: User | AnonymousUser, company: Company, issued: Sequence[Document] | None = None
) -> list[DocumentRow]:
    """Every document of the company (``issued``, if already read), newest version of each kind
    first, as a person sees it (which they may download: ``access.may_read_founders_documents``).
    Each document's ``company`` is ``company`` itself (the related manager sets it), not a join.
    """
    if issued is None:
        issued = list(company.documents.order_by("-version"))
    issued = sorted(issued, key=lambda d: -d.version)
    current = {d.kind: d for d in latest_of_each_kind(issued)}
    in_order = sorted(issued, key=lambda d: Document.Kind.values.index(d.kind))  # stable
    founders_documents = bool(issued) and may_read_founders_documents(user, company)
    return [
        DocumentRow(
            document,
            current[document.kind].pk == document.pk,
            document.kind == Document.Kind.CERTIFICATE or founders_documents,
            None if current[document.kind].pk == document.pk else current[document.kind],
        )
        for document in in_order
    ]


def current_documents(company: Company) -> list[Document]:
    """The latest version of each kind of the company's documents, in the kinds' order."""
    return latest_of_each_kind(company.documents.all())


def latest_of_each_kind(issued: Iterable[Document]) -> list[Document]:
    """Of some documents, the highest version of each kind, in the kinds' order."""
    latest: dict[str, Document] = {}
    for document in issued:
        if document.kind not in latest or document.version > latest[document.kind].version:
            latest[document.kind] = document
    return [latest[kind] for kind in Document.Kind.values if kind in latest]
