"""After registration: the documents are drawn, sealed, stored once, and issued again only in
a new version when what they state changes."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from companies import registries, tasks
from companies.documents import issuance, seal, verification
from companies.models import Company, Document
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db
TAX = "MX-DEV/GOV/SAT/padron/contribuyentes"


def test_after_registration_issues_three_sealed_documents_with_their_hashes(registered, mailoutbox):
    tasks.after_registration(registered.pk)
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
    tasks.after_registration(registered.pk)
    first = {d.pk: (d.sha256, d.file.name) for d in Document.objects.all()}
    tasks.after_registration(registered.pk)
    assert {d.pk: (d.sha256, d.file.name) for d in Document.objects.all()} == first


def test_documents_do_not_wait_for_the_tax_registry_and_the_certificate_follows_the_rfc(
    registered, xroad_sandbox, mailoutbox
):
    xroad_sandbox.inject_fault(TAX, FaultSpec(down=True))
    with pytest.raises(registries.RegistryUnavailable):  # called directly, a retry re-raises
        tasks.after_registration(registered.pk)
    company = Company.objects.get(application=registered)
    assert company.rfc == ""
    first = company.documents.get(kind="certificate")
    first_bytes = issuance.read(first)
    assert first.facts["rfc"] == ""
    assert len(mailoutbox) == 2, "founders are told as soon as the documents are there"

    xroad_sandbox.clear_faults()
    tasks.after_registration(registered.pk)
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
    tasks.after_registration(registered.pk)
    assert len(mailoutbox) == 4, "a redelivered task tells nobody again"


def test_without_the_seal_key_the_documents_wait_and_nothing_is_half_issued(
    registered, settings, tmp_path, mailoutbox
):
    settings.SEAL_KEY_PATH = tmp_path / "missing.pem"
    with pytest.raises(seal.SealUnavailable):
        tasks.after_registration(registered.pk)
    assert not Document.objects.exists()
    assert mailoutbox == []
    assert not default_storage.exists(
        f"documentos/{Company.objects.get().registration_number}/certificate-v1.pdf"
    )
