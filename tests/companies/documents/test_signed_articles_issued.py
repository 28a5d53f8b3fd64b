"""The registered company's articles are the PDF its founders signed with their e.firma, with the
registry's seal last (PAdES B-LT: SAT's answers embedded), so that anyone can check every
signature offline; for an application approved with clicks before e.firma signatures were
required, the articles are drawn anew."""

from __future__ import annotations

import pytest

from companies.documents import founder_signing, issuance, verification
from companies.models import Document, Signature, SigningDocument
from companies.signatures.report import Kind, Revocation
from sandbox import efirma
from tests.companies.documents.test_founder_signing import signs
from tests.efirma import ANA, CARLOS
from tests.efirma import valid as validity
from tests.factories import founder_user, registered_company

pytestmark = pytest.mark.django_db


def articles_of(company) -> bytes:
    issuance.issue_document(company_id=company.pk, kind=Document.Kind.ARTICLES)
    return issuance.read(company.documents.get(kind=Document.Kind.ARTICLES))


def test_the_articles_issued_are_the_signed_pdf_sealed_last(sat, sent):
    founder_signing.draw(sent.pk)
    for person in (ANA, CARLOS):
        certificate, key = efirma.issue_to(sat, person, validity())
        signs(sent, person, certificate, key)
    signed = bytes(SigningDocument.objects.get().pdf)

    pdf = articles_of(registered_company(sent))

    assert pdf.startswith(signed)  # the seal is an incremental update over the founders'
    found = verification.signatures_of(pdf)
    assert [s.signer for s in found[:2]] == [ANA.name, CARLOS.name]
    assert [s.kind for s in found] == [Kind.EFIRMA, Kind.EFIRMA, Kind.SEAL]  # the seal last
    assert [s.revocation for s in found[:2]] == [Revocation.EMBEDDED] * 2  # SAT's answers
    assert all(s.intact and s.valid and s.trusted for s in found)
    assert found[2].covers_whole_file


def test_one_byte_changed_in_the_issued_articles_is_told(sat, sent):
    founder_signing.draw(sent.pk)
    for person in (ANA, CARLOS):
        certificate, key = efirma.issue_to(sat, person, validity())
        signs(sent, person, certificate, key)
    pdf = bytearray(articles_of(registered_company(sent)))
    middle = len(SigningDocument.objects.get().pdf) // 2
    pdf[middle] = (pdf[middle] + 1) % 256

    found = verification.signatures_of(bytes(pdf))

    assert not all(s.intact for s in found)


def registered_after_a_click_from_before(application, curp):
    """The founder of ``curp`` approved with a click, as the portal took approvals before issue
    13's item 7; the application submitted and registered all the same (as it was then)."""
    from django.utils import timezone

    from companies import workflow
    from companies.register import registration

    founder = application.founders.get(curp=curp)
    Signature.objects.create(
        version=application.versions.get(),
        founder=founder,
        signer=founder_user(founder),
        decision=Signature.Decision.APPROVED,
        method=Signature.Method.CLICK,
        authenticated_at=timezone.now(),
    )
    for verb in ("submit", "start_checks", "approve"):
        approved = workflow._transition(application.pk, verb)
    registration.register(approved)
    return registration.company_of(application.pk)


def test_articles_approved_with_a_click_before_are_drawn_anew(sat, sent):
    founder_signing.draw(sent.pk)
    certificate, key = efirma.issue_to(sat, ANA, validity())
    signs(sent, ANA, certificate, key)

    company = registered_after_a_click_from_before(sent, CARLOS.curp)

    assert founder_signing.signed_articles(company) is None
    pdf = articles_of(company)
    assert not pdf.startswith(bytes(SigningDocument.objects.get().pdf))
    assert [s.kind for s in verification.signatures_of(pdf)] == [Kind.SEAL]
