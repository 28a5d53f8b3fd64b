"""SAT writes the RFC in x500UniqueIdentifier (2.5.4.45) as a PrintableString, where X.520 has a
BIT STRING: asn1crypto, and pyHanko's validation above it, read such certificates once the app
is ready, and read a standard BIT STRING there as before."""

from __future__ import annotations

import pytest
from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from companies.signatures.names import ATTRIBUTE, accept_sat_names
from sandbox import efirma
from tests.efirma import ANA, NOW, der, valid

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def sat():
    authority = efirma.new_authority(now=NOW)
    certificate, _ = efirma.issue_to(authority, ANA, valid())
    return authority, certificate


def test_a_sat_certificate_has_the_rfc_as_printable_string_in_2_5_4_45(sat):
    _, certificate = sat
    (rfc,) = certificate.subject.get_attributes_for_oid(NameOID.X500_UNIQUE_IDENTIFIER)
    assert (rfc.value, rfc._type) == ("RAOA9005149F8", _ASN1Type.PrintableString)


def test_asn1crypto_alone_rejects_it(sat, monkeypatch):
    _, certificate = sat
    monkeypatch.setitem(asn1_x509.NameTypeAndValue._oid_specs, ATTRIBUTE, core.OctetBitString)
    with pytest.raises(ValueError, match="tag should have been 3, but 19 was found"):
        asn1_x509.Certificate.load(der(certificate)).subject.native  # noqa: B018


def test_with_the_accommodation_asn1crypto_reads_the_rfc_and_curp(sat):
    _, certificate = sat
    subject = asn1_x509.Certificate.load(der(certificate)).subject.native
    assert subject["unique_identifier"] == "RAOA9005149F8"
    assert subject["serial_number"] == "RAOA900514MQTMLN01"


async def test_pyhanko_validates_a_sat_certificate_up_to_its_root(sat):
    authority, certificate = sat
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der(authority.root))],
        other_certs=[asn1_x509.Certificate.load(der(authority.ac))],
    )
    validator = CertificateValidator(
        asn1_x509.Certificate.load(der(certificate)), validation_context=context
    )

    path = await validator.async_validate_usage({"digital_signature"})

    assert path.pkix_len == 2


def test_a_bit_string_in_2_5_4_45_still_reads_as_a_bit_string():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Standard"),
            x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, b"\x00\x2a", _ASN1Type.BitString),
        ]
    )
    certificate = efirma.issue(
        name, key.public_key(), issuer=None, issuer_key=key, serial=1, validity=valid()
    )
    accept_sat_names()  # idempotent: a second call changes nothing

    subject = asn1_x509.Certificate.load(der(certificate)).subject
    assert subject.chosen[1][0]["value"].chosen.__class__ is core.OctetBitString
    assert subject.native["common_name"] == "Standard"
