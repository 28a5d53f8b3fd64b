"""A founder's signature is checked before it counts, with certificates made in the test and SAT's
OCSP answered in-process by the test's own authority: every refusal says what to do."""

from __future__ import annotations

import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from django.utils import translation

from companies import registries
from companies.models import CertificateStatus
from companies.signatures import refusals, status, verification
from sandbox import efirma
from tests.efirma import ANA, CARLOS, DAY, NOW, der, other_authority, responder, self_signed, sign
from tests.efirma import valid as validity

pytestmark = pytest.mark.django_db
ARTICLES = b"%PDF-1.7 articles of version 3"


def verify(certificate, key, *, curp=ANA.curp, signed=ARTICLES, **options):
    return verification.verify(
        certificate=der(certificate),
        signature=sign(key, signed),
        signed=ARTICLES,
        founder_curp=curp,
        **options,
    )


def test_a_good_signature_counts_and_sats_answer_is_kept(sat):
    certificate, key = efirma.issue_to(sat, ANA, validity())

    verified = verify(certificate, key)

    assert (verified.holder.curp, verified.holder.rfc) == (ANA.curp, ANA.rfc)
    assert verified.holder.serial_number == "30001000000500000001"
    assert verified.holder.issuer == "AC DEL SERVICIO DE ADMINISTRACION TRIBUTARIA (SANDBOX)"
    kept = CertificateStatus.objects.get()
    assert (kept.status, kept.serial_number, kept.curp) == (
        "good",
        "30001000000500000001",
        ANA.curp,
    )
    assert kept.x_road_id == "x-1"
    assert bytes(kept.response)[:1] == b"\x30"  # the DER answer, whole, for the PDF later
    assert kept == verified.certificate_status


def test_a_certificate_revoked_before_signing_is_refused_with_the_day(sat):
    revoked_on = datetime.datetime(2026, 3, 3, 18, tzinfo=datetime.UTC)
    certificate, key = efirma.issue_to(sat, ANA, validity(days_ago=400), revoked_at=revoked_on)

    with translation.override("en"), pytest.raises(refusals.Revoked) as refused:
        verify(certificate, key)

    assert refused.value.message == (
        "This certificate was revoked on 3 March 2026: renew your e.firma at SAT and sign again."
    )
    assert CertificateStatus.objects.get().status == "revoked"


def test_the_refusal_is_in_spanish_by_default(sat):
    revoked_on = datetime.datetime(2026, 3, 3, 18, tzinfo=datetime.UTC)
    certificate, key = efirma.issue_to(sat, ANA, validity(days_ago=400), revoked_at=revoked_on)

    with translation.override("es-mx"), pytest.raises(refusals.Revoked) as refused:
        verify(certificate, key)

    assert "3 de marzo de 2026" in refused.value.message
    assert "renueva tu e.firma en el SAT" in refused.value.message


def test_a_certificate_revoked_after_the_founder_signed_still_counts(sat):
    certificate, key = efirma.issue_to(sat, ANA, validity(), revoked_at=NOW - DAY)

    verified = verify(certificate, key, signed_at=NOW - 2 * DAY)

    assert verified.certificate_status.status == "revoked"


def test_an_e_firma_of_another_person_is_refused(sat):
    certificate, key = efirma.issue_to(sat, CARLOS, validity())

    with pytest.raises(refusals.AnotherPerson):
        verify(certificate, key, curp=ANA.curp)
    assert not CertificateStatus.objects.exists()  # SAT is not asked about a refused signature


def test_a_certificate_from_another_authority_is_refused_with_its_name(sat):
    certificate, key = efirma.issue_to(other_authority(), ANA, validity())

    with translation.override("en"), pytest.raises(refusals.ForeignAuthority) as refused:
        verify(certificate, key)

    assert "issued by Otra AC, not by SAT" in refused.value.message


def test_a_self_signed_certificate_is_refused(sat):
    certificate, key = self_signed(ANA)

    with pytest.raises(refusals.SelfSigned):
        verify(certificate, key)


def test_an_expired_certificate_is_refused(sat):
    certificate, key = efirma.issue_to(sat, ANA, validity(days_ago=1500, days_left=-40))

    with translation.override("en"), pytest.raises(refusals.Expired) as refused:
        verify(certificate, key)

    assert "expired on" in refused.value.message
    assert "Renew it at SAT" in refused.value.message


def test_a_certificate_not_yet_valid_is_refused(sat):
    certificate, key = efirma.issue_to(sat, ANA, validity(days_ago=-3))

    with pytest.raises(refusals.NotYetValid):
        verify(certificate, key)


def test_a_signature_over_other_bytes_is_refused(sat):
    certificate, key = efirma.issue_to(sat, ANA, validity())

    with pytest.raises(refusals.OtherBytes):
        verify(certificate, key, signed=b"%PDF-1.7 articles of version 2")


def test_a_signature_made_with_another_key_is_refused(sat):
    certificate, _ = efirma.issue_to(sat, ANA, validity())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(refusals.OtherBytes):
        verify(certificate, stranger)


def test_a_certificate_sat_never_issued_is_unknown(sat):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    del sat.issued[ANA.serial]

    with pytest.raises(refusals.UnknownToSat):
        verify(certificate, key)


@pytest.mark.parametrize(
    "content", [b"", b"not a certificate", b"\x30" * (11 * 1024 * 1024)], ids=len
)
def test_a_file_that_is_not_a_certificate_is_refused(sat, content):
    with pytest.raises(refusals.UnreadableCertificate):
        verification.verify(
            certificate=content, signature=b"", signed=ARTICLES, founder_curp=ANA.curp
        )


def test_a_pem_certificate_is_read_too(sat):
    certificate, key = efirma.issue_to(sat, ANA, validity())

    verified = verification.verify(
        certificate=certificate.public_bytes(Encoding.PEM),
        signature=sign(key, ARTICLES),
        signed=ARTICLES,
        founder_curp=ANA.curp.lower(),
    )

    assert verified.holder.curp == ANA.curp


def test_when_sat_does_not_answer_the_signature_waits_and_is_not_refused(sat, monkeypatch):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    monkeypatch.setattr(
        registries, "certificate_status", lambda request, application=None: registries.UNAVAILABLE
    )

    with translation.override("en"), pytest.raises(refusals.SignatureWaits) as waits:
        verify(certificate, key)

    assert not isinstance(waits.value, refusals.SignatureRefused)
    assert "Your signature waits" in waits.value.message
    assert not CertificateStatus.objects.exists()


def test_an_answer_whose_signature_does_not_hold_is_not_an_answer(sat, monkeypatch):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    honest = responder(sat)

    def forged(request, application=None):
        answer = honest(request)
        der = answer.record["ocsp_response"]
        at = der.index(ocsp.load_der_ocsp_response(der).signature) + 10
        tampered = der[:at] + bytes([der[at] ^ 1]) + der[at + 1 :]  # one bit of the signature
        return registries.Answer(answer.outcome, {"ocsp_response": tampered}, answer.x_road_id)

    monkeypatch.setattr(registries, "certificate_status", forged)

    with pytest.raises(refusals.SignatureWaits):
        verify(certificate, key)
    assert not CertificateStatus.objects.exists()


def test_an_answer_about_another_certificate_is_not_an_answer(sat, monkeypatch):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    other, _ = efirma.issue_to(sat, CARLOS, validity())
    honest = responder(sat)
    about_carlos = status.request_for(other, sat.ac, b"n" * 16)
    monkeypatch.setattr(
        registries, "certificate_status", lambda request, application=None: honest(about_carlos)
    )

    with pytest.raises(refusals.SignatureWaits):
        verify(certificate, key)


def test_a_stale_answer_is_not_sats_word_on_today(sat, monkeypatch):
    certificate, key = efirma.issue_to(sat, ANA, validity())

    def yesterdays(request, application=None):
        response = efirma.ocsp_answer(sat, request, now=NOW - 2 * DAY)
        return registries.Answer(registries.Outcome.FOUND, {"ocsp_response": response}, "x-2")

    monkeypatch.setattr(registries, "certificate_status", yesterdays)

    with pytest.raises(refusals.SignatureWaits):
        verify(certificate, key)
