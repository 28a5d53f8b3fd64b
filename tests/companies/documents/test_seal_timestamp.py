"""The seal's trusted time: with a Time-Stamping Authority configured, the registry's seal carries
an RFC 3161 timestamp (PAdES B-T) that the check validates against the TSA's root; a TSA that
does not answer holds the documents back until it does; without one the seal is B-B."""

from __future__ import annotations

import datetime
from io import BytesIO
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from pyhanko.pdf_utils.reader import PdfFileReader

from companies import tasks
from companies.documents import issuance, rendering, seal
from companies.models import Company, Document
from sandbox.tsa import generate_authority
from tests.conftest import free_port
from tests.factories import complete_registration
from tests.pdf import flip

pytestmark = pytest.mark.django_db


@pytest.fixture
def timestamped_certificate(tsa, company) -> bytes:
    return seal.seal_pdf(rendering.render_certificate(company))


def nobody_listens() -> str:
    return f"http://127.0.0.1:{free_port()}/"


def unsigned_attributes(sealed: bytes) -> list[str]:
    """The names of the unsigned CMS attributes of the seal (where a timestamp token goes)."""
    reader = PdfFileReader(BytesIO(sealed), strict=False)
    signer_info = reader.embedded_signatures[0].signer_info
    return [attribute["type"].native for attribute in signer_info["unsigned_attrs"]]


def in_spanish(message: str) -> str:
    with translation.override("es-mx"):
        return translation.gettext(message)


def test_a_timestamped_certificate_validates_with_the_time_the_tsa_vouches_for(
    timestamped_certificate,
):
    check = seal.validate_seal(timestamped_certificate)
    assert check.valid and check.intact and check.problem == ""
    assert check.signer == seal.REGISTRY_NAME
    assert "signature_time_stamp_token" in unsigned_attributes(timestamped_certificate)
    assert check.timestamped_at is not None and check.timestamped_at.tzinfo is not None
    assert abs(timezone.now() - check.timestamped_at) < datetime.timedelta(minutes=2)


def test_one_altered_byte_still_breaks_a_timestamped_seal(timestamped_certificate):
    check = seal.validate_seal(flip(timestamped_certificate, len(b"%PDF-1.7\n%") + 1))
    assert not check.valid and not check.intact
    assert check.timestamped_at is None
    assert check.problem == in_spanish("The document was changed after it was sealed.")


def test_a_timestamp_from_an_authority_we_do_not_trust_breaks_the_seal(
    timestamped_certificate, settings, tmp_path
):
    stranger = tmp_path / "other-ca.pem"
    stranger.write_bytes(generate_authority().ca_pem)
    settings.SEAL_TSA_CA_PATH = str(stranger)
    check = seal.validate_seal(timestamped_certificate)
    assert not check.valid and check.intact
    assert check.timestamped_at is None
    assert check.problem == in_spanish(
        "The seal's timestamp is not from the registry's time-stamping authority."
    )


def test_an_unreadable_tsa_root_trusts_no_timestamp(timestamped_certificate, settings, tmp_path):
    settings.SEAL_TSA_CA_PATH = str(tmp_path / "missing-ca.pem")
    check = seal.validate_seal(timestamped_certificate)
    assert not check.valid and check.timestamped_at is None


def test_without_a_tsa_root_the_seal_holds_but_its_time_is_not_vouched_for(
    timestamped_certificate, settings
):
    settings.SEAL_TSA_CA_PATH = ""
    check = seal.validate_seal(timestamped_certificate)
    assert check.valid and check.problem == ""
    assert check.timestamped_at is None


def test_without_a_tsa_url_the_seal_is_b_b_as_before(company, settings):
    settings.SEAL_TSA_URL = ""
    sealed = seal.seal_pdf(rendering.render_certificate(company))
    assert "signature_time_stamp_token" not in unsigned_attributes(sealed)
    check = seal.validate_seal(sealed)
    assert check == seal.SealCheck(valid=True, intact=True, signer=seal.REGISTRY_NAME, problem="")


def test_a_b_b_seal_issued_before_the_tsa_still_validates_with_it_configured(company, tsa):
    with mock.patch.object(seal, "tsa_url", return_value=""):
        sealed = seal.seal_pdf(rendering.render_certificate(company))
    check = seal.validate_seal(sealed)
    assert check.valid and check.timestamped_at is None


def test_a_tsa_that_does_not_answer_stops_the_seal_with_a_typed_error(company, settings):
    pdf = rendering.render_certificate(company)
    settings.SEAL_TSA_URL = nobody_listens()
    with pytest.raises(seal.TimestampUnavailable, match=settings.SEAL_TSA_URL) as raised:
        seal.seal_pdf(pdf)
    assert isinstance(raised.value, seal.SealUnavailable), "so the task retries it"


def test_documents_wait_for_a_tsa_that_is_down_and_are_issued_once_it_answers(
    registered, tsa, settings, mailoutbox
):
    settings.SEAL_TSA_URL = nobody_listens()
    retry = mock.patch.object(tasks.issue_document, "retry", side_effect=Retry())
    with retry as retried:
        raised = complete_registration(registered)
    assert [type(error) for error in raised] == [Retry] * 3, "each document waits"
    assert isinstance(retried.call_args.kwargs["exc"], seal.TimestampUnavailable)
    assert not Document.objects.exists()
    assert mailoutbox == []
    number = Company.objects.get(application=registered).registration_number
    assert not default_storage.exists(f"documentos/{number}/certificate-v1.pdf")

    settings.SEAL_TSA_URL = tsa
    for kind in Document.Kind.values:  # the retries
        tasks.issue_document(registered.pk, kind)
    issued = list(Document.objects.all())
    assert len(issued) == 3
    for document in issued:
        assert seal.validate_seal(issuance.read(document)).timestamped_at is not None
    assert len(mailoutbox) == 2


def test_the_verification_page_shows_the_certified_time_of_the_seal(client, tsa, company):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from companies.documents import issuance

    issuance.issue_documents(company_id=company.pk)
    certificate = issuance.read(company.documents.get(kind="certificate"))
    response = client.post(
        "/verificar/", {"file": SimpleUploadedFile("c.pdf", certificate, "application/pdf")}
    )
    page = response.content.decode()
    assert "Este es un documento auténtico" in page
    assert "hora certificada por una autoridad de sellado de tiempo" in page
