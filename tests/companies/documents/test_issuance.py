"""After registration: the documents are drawn, sealed, stored once, and issued again only in
a new version when what they state changes."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from companies import jobs, registries, tasks
from companies.documents import issuance, seal, verification
from companies.models import Company, Document, OutboxMessage
from tests.factories import complete_registration, run_jobs
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db
TAX = "MX-DEV/GOV/SAT/padron/contribuyentes"


def test_after_registration_issues_three_sealed_documents_with_their_hashes(registered, mailoutbox):
    assert complete_registration(registered) == []
    company = Company.objects.get(application=registered)
    documents = {d.kind: d for d in company.documents.all()}
    assert set(documents) == {"certificate", "articles", "register"}
    for document in documents.values():
        stored = issuance.read(document)
        assert document.version == 1
        assert document.sha256 == hashlib.sha256(stored).hexdigest()
        assert document.size == len(stored)
        assert document.file.name == (
            f"documentos/{company.registration_number}/{document.kind}-v1.pdf"
        )
        assert seal.validate_seal(stored).valid
    assert documents["certificate"].title == "Certificado de constitución"
    assert documents["register"].title == "Libro de registro de acciones"
    assert documents["certificate"].facts["rfc"] == company.rfc != ""
    assert company.verification_code


def test_running_after_registration_again_issues_nothing_new(registered, mailoutbox):
    complete_registration(registered)
    first = {d.pk: (d.sha256, d.file.name) for d in Document.objects.all()}
    tasks.after_registration(registered.pk)
    waiting = OutboxMessage.objects.filter(task=jobs.ISSUE_DOCUMENT, sent_at__isnull=True)
    assert not waiting.exists(), "nothing is left to ask for"
    for kind in Document.Kind.values:  # each document's message delivered again
        tasks.issue_document(registered.pk, kind)
    assert {d.pk: (d.sha256, d.file.name) for d in Document.objects.all()} == first
    assert len(mailoutbox) == 2, "the founders are told once"


def test_after_registration_asks_for_each_document_in_a_message_of_its_own_certificate_first(
    registered,
):
    tasks.after_registration(registered.pk)
    messages = OutboxMessage.objects.filter(task=jobs.ISSUE_DOCUMENT).order_by("pk")
    assert [m.args for m in messages] == [
        [registered.pk, "certificate"],
        [registered.pk, "articles"],
        [registered.pk, "register"],
    ]
    assert not Document.objects.exists(), "the workers issue them, each as it is free"


def test_after_registration_asks_again_only_for_what_is_missing(registered, xroad_sandbox):
    """What the re-drive relies on: a company without a document, or without its RFC."""
    xroad_sandbox.inject_fault(TAX, FaultSpec(down=True))
    with pytest.raises(registries.RegistryUnavailable):
        tasks.issue_document(registered.pk, "certificate")
    tasks.issue_document(registered.pk, "register")
    tasks.after_registration(registered.pk)
    asked = OutboxMessage.objects.filter(task=jobs.ISSUE_DOCUMENT, sent_at__isnull=True)
    assert [m.args[1] for m in asked.order_by("pk")] == ["certificate", "articles"]

    xroad_sandbox.clear_faults()
    assert run_jobs(jobs.ISSUE_DOCUMENT) == []
    tasks.after_registration(registered.pk)
    assert not asked.exists(), "the RFC and every document are there"
    assert Company.objects.get(application=registered).rfc != ""


def test_the_founders_are_told_when_the_last_document_is_issued_whichever_it_is(
    registered, mailoutbox
):
    tasks.issue_document(registered.pk, "register")
    tasks.issue_document(registered.pk, "certificate")
    assert mailoutbox == []
    tasks.issue_document(registered.pk, "articles")
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.mx", "carlos@example.mx"]
    assert Company.objects.get(application=registered).rfc != ""


def test_a_seal_that_fails_for_one_document_delays_that_document_only(
    registered, monkeypatch, mailoutbox
):
    sealed = seal.seal_pdf
    calls = []

    def fails_the_second_time(pdf: bytes) -> bytes:  # the articles, drawn second
        calls.append(pdf)
        if len(calls) == 2:
            raise seal.SealUnavailable("the seal key could not be read")
        return sealed(pdf)

    monkeypatch.setattr(seal, "seal_pdf", fails_the_second_time)
    raised = complete_registration(registered)
    assert [type(error) for error in raised] == [seal.SealUnavailable]
    company = Company.objects.get(application=registered)
    assert sorted(company.documents.values_list("kind", flat=True)) == ["certificate", "register"]
    assert mailoutbox == [], "the founders hear of it once every document is there"

    tasks.issue_document(registered.pk, "articles")  # the retry
    assert sorted(company.documents.values_list("kind", "version")) == [
        ("articles", 1),
        ("certificate", 1),
        ("register", 1),
    ]
    assert len(mailoutbox) == 2


def test_documents_do_not_wait_for_the_tax_registry_and_the_certificate_follows_the_rfc(
    registered, xroad_sandbox, mailoutbox
):
    xroad_sandbox.inject_fault(TAX, FaultSpec(down=True))
    raised = complete_registration(registered)  # called directly, a retry re-raises
    assert [type(error) for error in raised] == [registries.RegistryUnavailable]
    company = Company.objects.get(application=registered)
    assert company.rfc == ""
    first = company.documents.get(kind="certificate")
    first_bytes = issuance.read(first)
    assert first.facts["rfc"] == ""
    assert len(mailoutbox) == 2, "founders are told as soon as the documents are there"

    xroad_sandbox.clear_faults()
    tasks.issue_document(registered.pk, "certificate")  # the certificate's retry
    company.refresh_from_db()
    certificates = list(company.documents.filter(kind="certificate").order_by("version"))
    assert [c.version for c in certificates] == [1, 2]
    assert certificates[1].facts["rfc"] == company.rfc != ""
    assert issuance.read(certificates[0]) == first_bytes, "a sealed document is never rewritten"
    assert certificates[1].sha256 != first.sha256
    assert company.documents.filter(kind="articles").count() == 1
    assert [d.version for d in verification.current_documents(company)] == [2, 1, 1]
    registered_mails = [m for m in mailoutbox if company.registration_number in m.body]
    assert len(registered_mails) == 2, "they are not told twice that it is registered"
    reissued = [m for m in mailoutbox if m.subject.startswith("Nuevos documentos")]
    assert sorted(m.to[0] for m in reissued) == ["ana@example.mx", "carlos@example.mx"]
    assert company.rfc in reissued[0].body and "Certificado de constitución" in reissued[0].body
    assert complete_registration(registered) == []  # a re-drive finds nothing to do
    tasks.issue_document(registered.pk, "certificate")
    assert len(mailoutbox) == 4, "a redelivered task tells nobody again"


def test_without_the_seal_key_the_documents_wait_and_nothing_is_half_issued(
    registered, settings, tmp_path, mailoutbox
):
    settings.SEAL_KEY_PATH = tmp_path / "missing.pem"
    raised = complete_registration(registered)
    assert [type(error) for error in raised] == [seal.SealUnavailable] * 3
    assert not Document.objects.exists()
    assert mailoutbox == []
    assert not default_storage.exists(
        f"documentos/{Company.objects.get().registration_number}/certificate-v1.pdf"
    )
