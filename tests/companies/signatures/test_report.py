"""The report on every signature of an uploaded PDF, checked offline: the founders' e.firma
and the registry's seal, who, which certificate, when, and whether each still holds."""

from __future__ import annotations

from io import BytesIO
from unittest import mock

import pytest
from django.utils import translation
from pyhanko_certvalidator import ValidationContext

from companies.documents import verification
from companies.signatures import report
from companies.signatures.report import Kind, LaterChanges, Revocation
from tests.companies.conftest import tiny_pdf
from tests.efirma import ANA, CARLOS, sign_pades
from tests.pdf import flip


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def _luz():
    from sandbox import efirma

    return next(p for p in efirma.DEMO if p.file == "luz")


def no_fetching():
    """Every validation context made while reporting must have fetching off."""
    made: list[ValidationContext] = []
    original = ValidationContext.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    return made, mock.patch.object(ValidationContext, "__init__", recording)


def test_the_report_lists_both_founders_and_the_seal_all_holding(sealed):
    made, recording = no_fetching()
    with recording:
        signatures = verification.signatures_of(sealed)
    assert made and not any(context.fetching_allowed for context in made)
    assert [s.kind for s in signatures] == [Kind.EFIRMA, Kind.EFIRMA, Kind.SEAL]
    ana, carlos, seal = signatures
    assert (ana.signer, ana.curp, ana.rfc) == (ANA.name, ANA.curp, ANA.rfc)
    assert (carlos.signer, carlos.curp) == (CARLOS.name, CARLOS.curp)
    assert ana.serial_number == "30001000000500000001"
    assert carlos.serial_number == "30001000000500000002"
    assert "AC DEL SERVICIO DE ADMINISTRACION TRIBUTARIA" in ana.issuer
    assert seal.signer == "Registro Público de Empresas de Querétaro"
    for signature in signatures:
        assert signature.holds, (signature.field, signature.problem)
        assert signature.intact and signature.valid and signature.trusted
        assert signature.signed_at is not None
    assert ana.later_changes == LaterChanges.SIGNATURES and not ana.covers_whole_file
    assert seal.later_changes == LaterChanges.NONE and seal.covers_whole_file
    assert ana.revocation == carlos.revocation == Revocation.EMBEDDED
    assert seal.revocation == Revocation.NOT_NEEDED


def test_signatures_without_the_seal_have_no_revocation_info_embedded(signed_by_two):
    ana, carlos = verification.signatures_of(signed_by_two)
    assert ana.holds and carlos.holds, "SAT's authority comes from ESIGN_TRUST_ROOTS"
    assert ana.revocation == Revocation.MISSING
    assert carlos.covers_whole_file and carlos.later_changes == LaterChanges.NONE


def test_one_changed_byte_reports_the_file_altered(sealed):
    signatures = verification.signatures_of(flip(sealed, len(b"%PDF-1.3\n%") + 20))
    assert len(signatures) == 3
    assert not all(s.intact for s in signatures)
    assert any("changed after this signature" in s.problem for s in signatures)


def test_a_byte_changed_in_the_seal_s_own_update_breaks_the_seal_only(sealed, signed_by_two):
    position = len(signed_by_two) + 200  # inside the seal's update, outside its signature
    signatures = verification.signatures_of(flip(sealed, position))
    assert not signatures[-1].holds


def test_a_signature_added_after_the_seal_is_reported_and_breaks_the_seal(sealed, efirma_folder):
    luz = _luz()
    after = sign_pades(sealed, efirma_folder, luz, "FirmaLuz")
    signatures = verification.signatures_of(after)
    assert [s.signer for s in signatures][-1] == luz.name
    seal = signatures[2]
    assert seal.intact and seal.later_changes == LaterChanges.SIGNATURES
    assert not seal.holds
    assert seal.problem == "A signature was added after this one, which it does not allow."


def test_a_signature_from_another_authority_is_not_trusted(efirma_folder):
    from sandbox import efirma

    ana_elsewhere = efirma.DemoCertificate(
        "ana-otra-ac", ANA.curp, ANA.rfc, ANA.name, ANA.password, ANA.serial
    )
    signed = sign_pades(tiny_pdf(), efirma_folder, ana_elsewhere, "Firma")
    (signature,) = verification.signatures_of(signed)
    assert signature.intact and signature.valid and not signature.trusted
    assert not signature.holds and "SAT" in signature.problem


def test_a_revoked_certificate_with_its_answer_embedded_is_reported(efirma_folder):
    from companies.documents import seal
    from sandbox import efirma
    from tests.efirma import stored_ocsp

    revoked = next(p for p in efirma.DEMO if p.standing == "revoked")
    signed = sign_pades(tiny_pdf(), efirma_folder, revoked, "Firma")
    sealed = seal.seal_pdf(signed, ocsp_responses=[stored_ocsp(efirma_folder, revoked)])
    signature = verification.signatures_of(sealed)[0]
    assert signature.revocation == Revocation.REVOKED
    assert signature.intact and signature.valid and not signature.trusted
    assert not signature.holds and "was revoked on" in signature.problem
    assert signature.revoked_at is not None


def test_a_pdf_without_signatures_has_an_empty_report():
    assert verification.signatures_of(tiny_pdf()) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not a pdf", "This file is not a PDF."),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_junk_is_refused_with_a_message(data, message):
    with pytest.raises(report.UnreadablePdf) as refused:
        verification.signatures_of(data)
    assert message in refused.value.message


def test_a_truncated_pdf_is_refused_or_reports_no_valid_signature(sealed):
    cut = sealed[: len(sealed) // 2]
    try:
        signatures = verification.signatures_of(cut)
    except report.UnreadablePdf as refused:
        assert "damaged or incomplete" in refused.message
    else:
        assert not signatures or not all(s.holds for s in signatures)


def test_reading_the_report_does_not_touch_the_file(sealed):
    data = BytesIO(sealed).getvalue()
    verification.signatures_of(data)
    assert data == sealed


YEARS_LATER = 5 * 365  # days: every e.firma (4 years) and the development seal (2) expired


def test_years_later_the_seal_s_timestamp_keeps_every_signature_valid(signed_by_two, answers, tsa):
    import datetime

    from companies.documents import seal

    sealed = seal.seal_pdf(signed_by_two, ocsp_responses=answers)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=YEARS_LATER)
    signatures = report.signatures_in(
        sealed,
        seal_roots=seal.seal_certificates(),
        timestamp_roots=seal.timestamp_roots(),
        at=later,
    )
    assert [s.kind for s in signatures] == [Kind.EFIRMA, Kind.EFIRMA, Kind.SEAL]
    assert all(s.holds for s in signatures), [s.problem for s in signatures]
    assert signatures[-1].time_certified


def test_years_later_without_a_timestamp_the_expired_e_firma_is_told(sealed):
    import datetime

    from companies.documents import seal

    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=YEARS_LATER)
    ana = report.signatures_in(sealed, seal_roots=seal.seal_certificates(), at=later)[0]
    assert ana.intact and ana.valid and not ana.trusted
    assert ana.problem == (
        "The certificate has expired, and no trusted timestamp in the file proves that "
        "the signature was made before."
    )
