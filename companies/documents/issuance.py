"""Issuing the register's documents for a company: draw, seal, store, record.

Each kind of document is issued once per set of facts it states: a redelivered task finds the
documents already issued and does nothing, and a document whose facts changed (the RFC arrived
after the certificate was drawn) gets a new version beside the old one, which stays verifiable.
Stored files are never rewritten. Drawing and sealing happen outside any transaction; the
document is recorded with the company row locked, so two workers issuing at once make one
version, not two.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from companies import jobs, outbox
from companies.documents import codes, founder_signing, rendering, seal
from companies.models import Company, Document, document_title

logger = logging.getLogger(__name__)

Kind = Document.Kind
REASON_MAX_LENGTH = Document._meta.get_field("reason").max_length or 80

RENDERERS: dict[str, Callable[[Company], bytes]] = {
    Kind.CERTIFICATE: rendering.render_certificate,
    Kind.ARTICLES: rendering.render_articles,
    Kind.REGISTER: rendering.render_register,
}


def facts_of(company: Company, kind: str) -> dict[str, Any]:
    """What a document states that can change after registration."""
    if kind == Kind.CERTIFICATE:
        return {"rfc": company.rfc, "status": company.status}
    return {"status": company.status}


def title_of(company: Company, kind: str) -> str:
    with translation.override(rendering.LANGUAGE):
        return document_title(kind, company.legal_form)


def issue_documents(*, company_id: int) -> list[Document]:
    """Issue every document the company lacks, or whose facts changed, one after the other;
    returns the new ones."""
    issued = [issue_document(company_id=company_id, kind=kind) for kind in Kind.values]
    return [document for document in issued if document is not None]


def issue_document(*, company_id: int, kind: str) -> Document | None:
    """Issue the company's document of this kind if it lacks one stating the current facts;
    the new document, or None when there was nothing to issue. Documents of different kinds
    may be issued at once by different workers."""
    company = Company.objects.select_related("legal_form").get(pk=company_id)
    codes.store_missing(company)
    return _issue(company, kind)


def pending_kinds(company: Company) -> list[str]:
    """The kinds the company has no document of stating the current facts, certificate first."""
    return [kind for kind in Kind.values if not _states(company, kind, facts_of(company, kind))]


def has_every_kind(company: Company) -> bool:
    """Whether the company has a document of every kind (in any version)."""
    issued = company.documents.values("kind").distinct().count()
    return issued == len(Kind.values)


def reissue(company: Company, kinds: Iterable[str], reason: str) -> list[Document]:
    """Issue a new version of each of these kinds from the company's current data, sealed, for
    a registered change that alters what they say (a filing: ``reason`` is its key, such as
    ``filing-42``); the earlier versions stay verifiable and say that this one exists.

    Idempotent per (company, kind, reason): a kind already issued for this reason is returned
    as it is, so a redelivered task or a retried filing issues nothing twice. The articles are
    drawn from the register's data here, not taken from the PDF the founders signed at
    formation: after a change that PDF no longer says what the company is. Returns the
    documents for this reason, in the kinds' order."""
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise ValueError(f"A re-issue needs a reason key of 1 to {REASON_MAX_LENGTH} characters.")
    wanted = [kind for kind in Kind.values if kind in set(kinds)]
    unknown = set(kinds) - set(wanted)
    if unknown:
        raise ValueError(f"Unknown kinds of document: {sorted(unknown)}")
    codes.store_missing(company)
    return [_reissue(company, kind, reason) for kind in wanted]


def reissue_later(company: Company, kinds: Iterable[str], reason: str) -> None:
    """``reissue`` by a worker, once the current transaction commits (the outbox): for a filing
    registered in a transaction, so that its documents are drawn from what it committed."""
    if company.application_id is None:
        raise ValueError(f"{company.registration_number} has no application to draw from.")
    outbox.enqueue(jobs.reissue_documents(company.application_id, list(kinds), reason))


def reissue_for(application_id: int, kinds: Iterable[str], reason: str) -> list[Document]:
    """``reissue`` for the company registered from this application (the worker's entry)."""
    company = Company.objects.select_related("legal_form").get(application_id=application_id)
    return reissue(company, kinds, reason)


def _reissue(company: Company, kind: str, reason: str) -> Document:
    existing = company.documents.filter(kind=kind, reason=reason).first()
    if existing is not None:
        return existing
    pdf = seal.seal_pdf(RENDERERS[kind](company))
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        existing = locked.documents.filter(kind=kind, reason=reason).first()
        if existing is not None:
            return existing  # another worker issued it meanwhile
        document = _record(locked, kind, pdf, facts_of(locked, kind), reason=reason)
    logger.info("Issued %s again (%s)", document, reason)
    return document


def _record(
    locked: Company, kind: str, pdf: bytes, facts: dict[str, Any], *, reason: str = ""
) -> Document:
    """Store a sealed PDF as the next version of its kind; the company row is locked."""
    latest = locked.documents.filter(kind=kind).aggregate(n=Max("version"))["n"] or 0
    document = Document(
        company=locked,
        kind=kind,
        version=latest + 1,
        title=title_of(locked, kind),
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        sealed=True,
        facts=facts,
        reason=reason,
        issued_at=timezone.now(),
    )
    document.file.save("document.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


def _issue(company: Company, kind: str) -> Document | None:
    """Draw and seal outside the transaction (a second or more, with a TSA), then record the
    document with the company row locked, unless another worker recorded it meanwhile."""
    facts = facts_of(company, kind)
    if _states(company, kind, facts):
        return None
    pdf = _drawn_and_sealed(company, kind)
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        if facts_of(locked, kind) != facts or _states(locked, kind, facts):
            return None  # the facts moved on, or issued meanwhile: the next run draws anew
        document = _record(locked, kind, pdf, facts)
    logger.info("Issued %s", document)
    return document


def _drawn_and_sealed(company: Company, kind: str) -> bytes:
    """The document sealed. The articles are the PDF the founders signed with their e.firma,
    when they all did: the seal goes last over their signatures (PAdES B-LT, SAT's answers
    embedded); otherwise, and for the other kinds, the document is drawn from the register."""
    if kind == Kind.ARTICLES:
        signed = founder_signing.signed_articles(company)
        if signed is not None:
            return seal.seal_pdf(
                signed.pdf,
                ocsp_responses=signed.ocsp_responses,
                certificates=signed.certificates,
            )
    return seal.seal_pdf(RENDERERS[kind](company))


def _states(company: Company, kind: str, facts: dict[str, Any]) -> bool:
    """Whether the latest document of this kind already states these facts."""
    latest = company.documents.filter(kind=kind).order_by("-version").first()
    return latest is not None and latest.facts == facts


def read(document: Document) -> bytes:
    with document.file.open("rb") as stored:
        content: bytes = stored.read()
    return content
