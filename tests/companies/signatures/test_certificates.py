"""What an e.firma certificate says about its holder, read as SAT writes it."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from companies.signatures import certificates
from companies.signatures.refusals import UnreadableCertificate
from sandbox import efirma
from tests.efirma import ANA, der, valid


def test_a_representatives_e_firma_names_the_person_after_the_company():
    # SAT's shape for a legal person: "company / representative" in both attributes.
    company = dataclasses.replace(ANA, rfc="CJU150610I85 / RAOA9005149F8", curp=f" / {ANA.curp}")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = efirma.issue(
        efirma.person_name(company), key.public_key(), issuer=None, issuer_key=key,
        serial=efirma.sat_serial("00001000000504465028"), validity=valid(),
    )  # fmt: skip

    holder = certificates.holder(certificates.load(der(certificate)))

    assert (holder.curp, holder.rfc) == (ANA.curp, "RAOA9005149F8")
    assert holder.serial_number == "00001000000504465028"


def test_a_serial_number_that_is_not_sats_digits_shows_in_hex():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = efirma.issue(
        efirma.person_name(ANA), key.public_key(), issuer=None, issuer_key=key,
        serial=0xC0FFEE, validity=valid(),
    )  # fmt: skip
    assert certificates.serial_number(certificate) == "c0ffee"


def test_a_certificate_with_another_kind_of_key_is_not_an_e_firma():
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    certificate = efirma.issue(
        efirma.person_name(ANA), key.public_key(), issuer=None, issuer_key=key,
        serial=1, validity=valid(),
    )  # fmt: skip
    with pytest.raises(UnreadableCertificate):
        certificates.load(der(certificate))
