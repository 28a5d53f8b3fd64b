"""The registry's seal over the founders' signed articles: one more incremental update, last,
at PAdES B-LT (the DSS carries every chain and the founders' OCSP answers), so the file
validates offline with every signature intact."""

from __future__ import annotations

from io import BytesIO

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from companies.documents import seal
from sandbox import efirma
from tests.efirma import ANA, CARLOS


def offline_context(efirma_folder, reader, settings) -> ValidationContext:
    """What a validator far from us has: SAT's root, our seal certificate, and the file."""
    authority = efirma.load_or_create(efirma_folder)
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    sat_root = asn1_x509.Certificate.load(authority.root.public_bytes(serialization.Encoding.DER))
    roots = [sat_root, load_cert_from_pemder(str(settings.SEAL_CERT_PATH))]
    dss = DocumentSecurityStore.read_dss(reader)
    context = dss.as_validation_context({"trust_roots": roots, "allow_fetching": False})
    assert not context.fetching_allowed
    return context


def test_the_seal_is_one_more_update_and_every_signature_validates_offline(
    sealed, signed_by_two, efirma_folder, settings
):
    assert sealed.startswith(signed_by_two), "the signed bytes are kept, byte for byte"
    reader = PdfFileReader(BytesIO(sealed), strict=False)
    names = [s.field_name for s in reader.embedded_signatures]
    assert names == ["FirmaAna", "FirmaCarlos", seal.SEAL_FIELD]
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, offline_context(efirma_folder, reader, settings))
        assert status.intact and status.valid and status.trusted, embedded.field_name
        assert status.bottom_line, (embedded.field_name, status.pretty_print_details())


def test_the_dss_carries_the_founders_ocsp_answers_and_sat_chain(sealed, answers, efirma_folder):
    reader = PdfFileReader(BytesIO(sealed), strict=False)
    dss = DocumentSecurityStore.read_dss(reader)
    embedded = {ref.get_object().data for ref in dss.ocsps}
    assert set(answers) <= embedded
    subjects = {c.subject.native["common_name"] for c in dss.load_certs()}
    assert {ANA.name, CARLOS.name, seal.REGISTRY_NAME} <= subjects
    authority = efirma.load_or_create(efirma_folder)
    assert authority.ac.subject.rfc4514_string() and any("AC DEL SERVICIO" in s for s in subjects)


def test_the_seal_covers_the_whole_file(sealed, efirma_folder, settings):
    reader = PdfFileReader(BytesIO(sealed), strict=False)
    last = reader.embedded_signatures[-1]
    status = validate_pdf_signature(last, offline_context(efirma_folder, reader, settings))
    assert status.coverage.name == "ENTIRE_FILE"


def test_junk_ocsp_answers_are_refused(signed_by_two):
    with pytest.raises(ValueError):
        seal.seal_pdf(signed_by_two, ocsp_responses=[b"not an answer"])


def test_with_a_tsa_the_seal_carries_its_timestamp_and_the_tsa_chain(
    signed_by_two, answers, tsa, settings, efirma_folder
):
    sealed = seal.seal_pdf(signed_by_two, ocsp_responses=answers)
    reader = PdfFileReader(BytesIO(sealed), strict=False)
    last = reader.embedded_signatures[-1]
    attributes = [a["type"].native for a in last.signer_info["unsigned_attrs"]]
    assert "signature_time_stamp_token" in attributes
    context = offline_context(efirma_folder, reader, settings)
    tsa_root = load_cert_from_pemder(settings.SEAL_TSA_CA_PATH)
    ts_context = ValidationContext(trust_roots=[tsa_root], allow_fetching=False)
    status = validate_pdf_signature(last, context, ts_validation_context=ts_context)
    assert status.bottom_line and status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
    dss = DocumentSecurityStore.read_dss(reader)
    in_dss = {c.dump() for c in dss.load_certs()}
    assert status.timestamp_validity.signing_cert.dump() in in_dss, "the TSA's chain too"
    assert tsa_root.dump() in in_dss
    assert seal.validate_seal(sealed).timestamped_at is not None


def test_pyhanko_judges_the_seal_broken_by_a_signature_after_it(sealed, efirma_folder, settings):
    from sandbox.efirma import DEMO
    from tests.efirma import sign_pades

    luz = next(p for p in DEMO if p.file == "luz")
    after = sign_pades(sealed, efirma_folder, luz, "FirmaLuz")
    reader = PdfFileReader(BytesIO(after), strict=False)
    context = offline_context(efirma_folder, reader, settings)
    by_field = {s.field_name: s for s in reader.embedded_signatures}
    status = validate_pdf_signature(by_field[seal.SEAL_FIELD], context)
    assert status.intact and status.valid and status.trusted
    assert status.docmdp_ok is False and not status.bottom_line
    assert validate_pdf_signature(by_field["FirmaAna"], context).bottom_line


def test_the_rendered_articles_signed_by_the_founders_and_sealed_validate(
    company, efirma_folder, answers, settings
):
    from companies.documents import rendering
    from companies.signatures import report
    from tests.efirma import sign_pades

    articles = rendering.render_articles(company)
    signed = sign_pades(articles, efirma_folder, ANA, "FirmaAna")
    signed = sign_pades(signed, efirma_folder, CARLOS, "FirmaCarlos")
    sealed = seal.seal_pdf(signed, ocsp_responses=answers)
    assert sealed.startswith(articles)
    check = seal.validate_seal(sealed)
    assert check.valid and check.problem == "", "the register's own check of its seal holds"
    signatures = report.signatures_in(sealed, seal_roots=seal.seal_certificates())
    assert [s.signer for s in signatures] == [ANA.name, CARLOS.name, seal.REGISTRY_NAME]
    assert all(s.holds for s in signatures), [s.problem for s in signatures]


def test_a_tsa_without_its_root_configured_stops_the_seal_with_a_message(
    signed_by_two, answers, tsa, settings
):
    settings.SEAL_TSA_CA_PATH = ""
    with pytest.raises(seal.SealUnavailable, match="SEAL_TSA_CA_PATH"):
        seal.seal_pdf(signed_by_two, ocsp_responses=answers)
