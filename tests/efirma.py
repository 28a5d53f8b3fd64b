"""e.firma certificates made in a test: a SAT-shaped hierarchy (the sandbox's own builder), a
person's certificate and key, another authority, a self-signed certificate, and signatures."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from companies import registries
from sandbox import efirma

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
DAY = datetime.timedelta(days=1)
ANA = efirma.DEMO[0]
CARLOS = efirma.DEMO[1]
OTHER_ROOT = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Otra AC Raiz")])
OTHER_AC = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Otra AC")])


def valid(days_ago: int = 30, days_left: int = 1400) -> efirma.Validity:
    return efirma.Validity(NOW - days_ago * DAY, NOW + days_left * DAY)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """What the browser's WebCrypto makes: RSASSA-PKCS1-v1_5 with SHA-256."""
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def self_signed(person: efirma.DemoCertificate) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = efirma.person_name(person)
    certificate = efirma.issue(
        name, key.public_key(), issuer=None, issuer_key=key, serial=person.serial,
        validity=valid(),
    )  # fmt: skip
    return certificate, key


def other_authority() -> efirma.Authority:
    return efirma.new_authority(now=NOW, root_name=OTHER_ROOT, ac_name=OTHER_AC)


def responder(authority: efirma.Authority):
    """A stand-in for ``registries.certificate_status`` answered by ``authority`` in-process."""

    def certificate_status(request: bytes, *, application=None) -> registries.Answer:
        response = efirma.ocsp_answer(authority, request)
        return registries.Answer(registries.Outcome.FOUND, {"ocsp_response": response}, "x-1")

    return certificate_status


# -- PAdES signatures as a founder makes them (the signing flow itself is elsewhere) ---------


def person_files(folder, person: efirma.DemoCertificate) -> tuple[bytes, rsa.RSAPrivateKey]:
    """A demo person's certificate (DER) and decrypted key from the sandbox e.firma folder."""
    people = folder / efirma.PEOPLE_FOLDER
    key = serialization.load_der_private_key(
        (people / f"{person.file}.key").read_bytes(), person.password.encode()
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    return (people / f"{person.file}.cer").read_bytes(), key


def pades_signer(folder, person: efirma.DemoCertificate):
    """pyHanko's SimpleSigner with the person's e.firma; its CMS carries their certificate only
    (as a browser signature does), so SAT's authority must come from the DSS."""
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate, key = person_files(folder, person)
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate),
        signing_key=keys.PrivateKeyInfo.load(pkcs8),
        cert_registry=SimpleCertificateStore(),
    )


def sign_pades(pdf: bytes, folder, person: efirma.DemoCertificate, field: str) -> bytes:
    """``pdf`` with one more PAdES signature by ``person``, as an incremental update."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    signed: BytesIO = signers.sign_pdf(writer, metadata, signer=pades_signer(folder, person))
    return signed.getvalue()


def stored_ocsp(folder, person: efirma.DemoCertificate) -> bytes:
    """SAT's OCSP answer on the person's certificate, as the portal stores it
    (``CertificateStatus.response``), made by the sandbox authority."""
    import secrets

    from companies.signatures import status

    authority = efirma.load_or_create(folder)
    certificate = x509.load_der_x509_certificate(person_files(folder, person)[0])
    request = status.request_for(certificate, authority.ac, secrets.token_bytes(16))
    return efirma.ocsp_answer(authority, request)
