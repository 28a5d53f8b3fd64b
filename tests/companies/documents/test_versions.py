"""A document issued again in a new version: the old one stays verifiable and says that a newer
one exists, when it was issued, and where it is; ``issuance.reissue`` issues the versions a
registered change needs, once per change."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from companies import jobs, tasks
from companies.documents import issuance, seal, verification
from companies.models import Company, Document, OutboxMessage
from tests.factories import complete_application, registered_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(applicant) -> Company:
    """A company whose certificate was drawn before its RFC arrived, then again after it."""
    company = registered_company(complete_application(applicant), number=9)
    issuance.issue_documents(company_id=company.pk)
    company.rfc = "TES261126AB1"
    company.save()
    issuance.issue_documents(company_id=company.pk)
    return company


def test_the_rfc_reissue_leaves_two_versions_of_the_certificate(company):
    versions = company.documents.filter(kind="certificate").order_by("version")
    assert [(d.version, d.facts["rfc"]) for d in versions] == [(1, ""), (2, "TES261126AB1")]


def test_the_code_page_says_a_newer_version_exists_when_and_links_to_it(client, company):
    current = company.documents.get(kind="certificate", version=2)
    page = client.get(f"/verificar/{company.verification_code}").content.decode()
    assert page.count("Existe una versión más reciente de este documento") == 1
    assert 'href="#document-certificate-v2"' in page
    assert 'id="document-certificate-v2"' in page
    assert f"/empresas/{company.registration_number}/documentos/certificate-v2.pdf" in page
    assert current.sha256 in page


def test_an_uploaded_old_version_is_authentic_and_points_to_the_current_one(client, company):
    old = issuance.read(company.documents.get(kind="certificate", version=1))
    check = verification.check_file(old)
    assert check.authentic
    assert check.superseded_by == company.documents.get(kind="certificate", version=2)
    page = client.post(
        "/verificar/", {"file": SimpleUploadedFile("v1.pdf", old, "application/pdf")}
    ).content.decode()
    assert 'id="newer-version"' in page
    assert f"/verificar/{company.verification_code}#document-certificate-v2" in page


def test_the_current_version_says_nothing_of_newer_ones(client, company):
    current = issuance.read(company.documents.get(kind="certificate", version=2))
    assert verification.check_file(current).superseded_by is None
    page = client.post(
        "/verificar/", {"file": SimpleUploadedFile("v2.pdf", current, "application/pdf")}
    ).content.decode()
    assert 'id="newer-version"' not in page


# -- reissue ---------------------------------------------------------------------------------


def test_reissue_issues_new_sealed_versions_of_the_kinds_asked_for(company):
    issued = issuance.reissue(company, ["register", "certificate"], "filing-1")
    assert [(d.kind, d.version, d.reason) for d in issued] == [
        ("certificate", 3, "filing-1"),
        ("register", 2, "filing-1"),
    ]
    for document in issued:
        assert seal.validate_seal(issuance.read(document)).valid
    assert company.documents.filter(kind="articles").count() == 1, "not asked for"
    old = issuance.read(company.documents.get(kind="register", version=1))
    assert verification.check_file(old).superseded_by == issued[1]


def test_reissue_is_idempotent_per_company_kind_and_reason(company):
    first = issuance.reissue(company, ["certificate"], "filing-1")
    again = issuance.reissue(company, ["certificate", "articles"], "filing-1")
    assert again[0] == first[0]
    assert again[1].kind == "articles" and again[1].version == 2
    another = issuance.reissue(company, ["certificate"], "filing-2")
    assert another[0].version == first[0].version + 1
    assert company.documents.filter(kind="certificate").count() == 4


def test_a_reissued_version_is_not_issued_again_by_the_after_registration_run(company):
    issuance.reissue(company, ["certificate"], "filing-1")
    assert issuance.pending_kinds(company) == []
    assert issuance.issue_documents(company_id=company.pk) == []


def test_reissue_refuses_a_kind_it_does_not_know_or_no_reason(company):
    with pytest.raises(ValueError, match="passport"):
        issuance.reissue(company, ["certificate", "passport"], "filing-1")
    with pytest.raises(ValueError, match="reason"):
        issuance.reissue(company, ["certificate"], "")
    assert company.documents.filter(reason__gt="").count() == 0


def test_the_articles_are_drawn_again_from_the_register_not_the_signed_pdf(company, monkeypatch):
    from companies.documents import founder_signing

    def signed_articles(company):
        raise AssertionError("a re-issue draws the articles from the register's data")

    monkeypatch.setattr(founder_signing, "signed_articles", signed_articles)
    (articles,) = issuance.reissue(company, ["articles"], "filing-1")
    assert articles.version == 2


def test_reissue_later_asks_a_worker_after_commit_once_per_reason(
    company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        issuance.reissue_later(company, ["certificate"], "filing-7")
    (message,) = OutboxMessage.objects.filter(task=jobs.REISSUE_DOCUMENTS)
    assert message.args == [company.application_id, ["certificate"], "filing-7"]
    tasks.reissue_documents(*message.args)
    tasks.reissue_documents(*message.args)  # delivered twice
    assert Document.objects.filter(company=company, reason="filing-7").count() == 1


def test_a_reissue_waiting_for_the_seal_is_tried_again(company, monkeypatch):
    from celery.exceptions import Retry

    def unavailable(pdf, **kwargs):
        raise seal.SealUnavailable("no key")

    monkeypatch.setattr(seal, "seal_pdf", unavailable)
    with pytest.raises(Retry):
        tasks.reissue_documents.apply(
            args=[company.application_id, ["certificate"], "filing-8"], throw=True
        )
    assert not Document.objects.filter(reason="filing-8").exists()
