"""Issuing the register's documents for a company: draw, seal, store, record.

Each kind of document is issued once per set of facts it states: a redelivered task finds the
documents already issued and does nothing, and a document whose facts changed (the RFC arrived
after the certificate was drawn) gets a new version beside the old one, which stays verifiable.
Stored files are never rewritten. Rendering happens with the company row locked, so two workers
issuing at once make one version, not two.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from companies import documents, seal
from companies.models import Company, Document

logger = logging.getLogger(__name__)

Kind = Document.Kind

RENDERERS: dict[str, Callable[[Company], bytes]] = {
    Kind.CERTIFICATE: documents.render_certificate,
    Kind.ARTICLES: documents.render_articles,
    Kind.REGISTER: documents.render_register,
}


def facts_of(company: Company, kind: str) -> dict[str, Any]:
    """What a document states that can change after registration."""
    if kind == Kind.CERTIFICATE:
        return {"rfc": company.rfc, "status": company.status}
    return {"status": company.status}


def title_of(company: Company, kind: str) -> str:
    with translation.override(documents.LANGUAGE):
        if kind == Kind.REGISTER:
            return documents.register_title(company.legal_form)
        return str(Kind(kind).label)


def issue_documents(*, company_id: int) -> list[Document]:
    """Issue every document the company lacks, or whose facts changed; returns the new ones."""
    issued = [_issue(company_id, kind) for kind in Kind.values]
    return [document for document in issued if document is not None]


def _issue(company_id: int, kind: str) -> Document | None:
    with transaction.atomic():
        company = (
            Company.objects.select_for_update().select_related("legal_form").get(pk=company_id)
        )
        if not company.verification_code:
            company.verification_code = documents.derive_verification_code(
                company.registration_number
            )
            company.save(update_fields=["verification_code"])
        latest = company.documents.filter(kind=kind).order_by("-version").first()
        facts = facts_of(company, kind)
        if latest is not None and latest.facts == facts:
            return None
        pdf = seal.seal_pdf(RENDERERS[kind](company))
        document = Document(
            company=company,
            kind=kind,
            version=latest.version + 1 if latest is not None else 1,
            title=title_of(company, kind),
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            sealed=True,
            facts=facts,
            issued_at=timezone.now(),
        )
        document.file.save("document.pdf", ContentFile(pdf), save=False)
        document.save()
    logger.info("Issued %s", document)
    return document


def read(document: Document) -> bytes:
    with document.file.open("rb") as stored:
        content: bytes = stored.read()
    return content
