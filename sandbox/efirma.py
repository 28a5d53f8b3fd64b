"""The sandbox certification authority for e.firma, shaped like SAT's, and its OCSP answers.

SAT issues every taxpayer an e.firma: an X.509 certificate (RSA-2048, SHA-256) with the
person's RFC in the subject's x500UniqueIdentifier (OID 2.5.4.45) and their CURP in
serialNumber, both as PrintableString, and a private key in an encrypted PKCS#8 ``.key`` file
opened with a password. This module makes the same: a root (``AC RAIZ``), an issuing authority
below it (``AC DEL SAT``) and one certificate per demo person, kept in a folder (by default
``$VAR_DIR/sandbox-efirma/``) so that signatures made before a restart still verify after it:

    ca.pem              the root and the issuing authority (the portal's ESIGN_TRUST_ROOTS)
    ac-key.pem          the issuing authority's key (it also signs the OCSP answers)
    index.json          every serial number issued (SAT's 20 digits) -> when it was revoked
    personas/<file>.cer the person's certificate (DER), and <file>.key, the key (encrypted DER)

:func:`ocsp_answer` answers an RFC 6960 OCSP request about any certificate this authority
issued; :mod:`sandbox.providers.certificates` serves it over X-Road as a service of the tax
registry. ``python -m sandbox.efirma`` makes the folder anew and prints the demo files.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

CA_FILE, AC_KEY_FILE, INDEX_FILE, PEOPLE_FOLDER = "ca.pem", "ac-key.pem", "index.json", "personas"
OCSP_PORT = 8704  # ``python -m sandbox --ocsp-port``: the responder over plain HTTP
SAT = "SERVICIO DE ADMINISTRACION TRIBUTARIA"
VALID_FOR = datetime.timedelta(days=4 * 365)  # an e.firma lasts four years


def default_folder() -> Path:
    """``$SANDBOX_EFIRMA_DIR``, else ``$VAR_DIR/sandbox-efirma`` (the checkout's ``var/`` when
    VAR_DIR is not set), as the portal's settings read them."""
    folder = os.environ.get("SANDBOX_EFIRMA_DIR", "").strip()
    if folder:
        return Path(folder).expanduser()
    var = os.environ.get("VAR_DIR", "").strip()
    root = Path(var).expanduser() if var else Path(__file__).resolve().parent.parent / "var"
    return root / "sandbox-efirma"


def ocsp_url() -> str:
    """The OCSP responder a sandbox certificate names in its Authority Information Access (as
    SAT's name theirs): ``$SANDBOX_EFIRMA_OCSP_URL``, else the responder ``python -m sandbox``
    serves over plain HTTP on ``$SANDBOX_OCSP_PORT`` (8704). Standard tools (``openssl ocsp``,
    Adobe Reader) ask it there; the portal asks over X-Road (:mod:`sandbox.providers.certificates`)."""
    url = os.environ.get("SANDBOX_EFIRMA_OCSP_URL", "").strip()
    port = os.environ.get("SANDBOX_OCSP_PORT", "").strip() or str(OCSP_PORT)
    return url or f"http://127.0.0.1:{port}/v1/ocsp"


@dataclasses.dataclass(frozen=True)
class DemoCertificate:
    """One demo e.firma: whose it is, its password, and what happened to it."""

    file: str
    curp: str
    rfc: str
    name: str
    password: str
    serial: int  # SAT's serial numbers: 20 digits, written in the certificate as ASCII
    standing: Literal["valid", "revoked", "expired"] = "valid"


def sat_serial(digits: str) -> int:
    """A certificate serial number as SAT writes it: its 20 digits as ASCII bytes."""
    return int.from_bytes(digits.encode("ascii"), "big")


def serial_digits(serial: int) -> str:
    """The 20 digits SAT shows for a certificate serial number written by :func:`sat_serial`."""
    return serial.to_bytes((serial.bit_length() + 7) // 8, "big").decode("ascii")


# The demo people of sandbox/data (population + tax), those with an RFC, and three that fail.
DEMO: tuple[DemoCertificate, ...] = (
    DemoCertificate(
        "ana", "RAOA900514MQTMLN01", "RAOA9005149F8", "ANA SOFÍA RAMÍREZ OLVERA",
        "demo-ana", sat_serial("30001000000500000001"),
    ),
    DemoCertificate(
        "carlos", "MERC851102HQTNSR00", "MERC851102QB4", "CARLOS EDUARDO MENDOZA RESÉNDIZ",
        "demo-carlos", sat_serial("30001000000500000002"),
    ),
    DemoCertificate(
        "luz", "HETL780223MQTRRZ05", "HETL7802236H2", "LUZ MARÍA HERNÁNDEZ TREJO",
        "demo-luz", sat_serial("30001000000500000003"),
    ),
    DemoCertificate(
        "jorge", "UILJ920830HGTRDR01", "UILJ920830DJA", "JORGE ALBERTO URIBE LEDESMA",
        "demo-jorge", sat_serial("30001000000500000004"),
    ),
    DemoCertificate(
        "michael", "AEXM800704HNENXC05", "AEXM800704BE6", "MICHAEL ANDERSON",
        "demo-michael", sat_serial("30001000000500000005"),
    ),
    DemoCertificate(
        "isabel", "NUPI951212MDFXXS00", "NUPI951212QC2", "ISABEL CRISTINA NÚÑEZ PEÑA",
        "demo-isabel", sat_serial("30001000000500000006"),
    ),
    DemoCertificate(
        "carlos-revocada", "MERC851102HQTNSR00", "MERC851102QB4",
        "CARLOS EDUARDO MENDOZA RESÉNDIZ", "demo-carlos", sat_serial("30001000000400000102"),
        standing="revoked",
    ),
    DemoCertificate(
        "isabel-vencida", "NUPI951212MDFXXS00", "NUPI951212QC2", "ISABEL CRISTINA NÚÑEZ PEÑA",
        "demo-isabel", sat_serial("30001000000300000106"),
        standing="expired",
    ),
    DemoCertificate(
        "nadie", "RAOA900514MQTMLN93", "XAXX010101000", "PERSONA SIN REGISTRO DE POBLACIÓN",
        "demo-nadie", sat_serial("30001000000500000099"),
    ),
)  # fmt: skip


def valid_demo(curp: str) -> DemoCertificate | None:
    """The demo person's valid e.firma by their CURP (not a revoked or expired one), if any."""
    return next((d for d in DEMO if d.curp == curp and d.standing == "valid"), None)


def person_files(folder: Path, demo: DemoCertificate) -> tuple[bytes, rsa.RSAPrivateKey]:
    """A demo person's certificate (DER) and their key, opened with their password."""
    people = folder / PEOPLE_FOLDER
    key = serialization.load_der_private_key(
        (people / f"{demo.file}.key").read_bytes(), demo.password.encode("utf-8")
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    return (people / f"{demo.file}.cer").read_bytes(), key


def sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """What an e.firma signer makes of ``data``: RSASSA-PKCS1-v1_5 with SHA-256 (the browser's
    WebCrypto, the remote signing service)."""
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _name(common_name: str, *, unit: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SAT),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Sandbox de Empresa24 (no válido)"),
        ]
    )


ROOT_NAME = _name("AC RAIZ DEL SAT (SANDBOX)", unit="SAT-IES Authority")
AC_NAME = _name("AC DEL SERVICIO DE ADMINISTRACION TRIBUTARIA (SANDBOX)", unit="SAT-IES Authority")


def person_name(demo: DemoCertificate) -> x509.Name:
    """The subject SAT writes for a natural person: name three times, RFC and CURP as
    PrintableString (2.5.4.45 is a BIT STRING in X.520; SAT writes text there)."""
    printable = _ASN1Type.PrintableString
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, demo.name),
            x509.NameAttribute(x509.ObjectIdentifier("2.5.4.41"), demo.name),  # name
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, demo.name),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, f"{demo.file}@sandbox.invalid"),
            x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, demo.rfc, printable),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, demo.curp, printable),
        ]
    )


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not signs_certificates,
        content_commitment=not signs_certificates,
        key_encipherment=False,
        data_encipherment=not signs_certificates,
        key_agreement=not signs_certificates,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclasses.dataclass(frozen=True)
class Validity:
    not_before: datetime.datetime
    not_after: datetime.datetime


def issue(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    *,
    issuer: x509.Certificate | None,
    issuer_key: rsa.RSAPrivateKey,
    serial: int,
    validity: Validity,
    authority: bool = False,
    responder: str | None = None,
) -> x509.Certificate:
    """A certificate as SAT's hierarchy issues them; ``issuer=None`` makes a root. With
    ``responder``, its Authority Information Access names that OCSP responder (a URL)."""
    issuer_name = subject if issuer is None else issuer.subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(validity.not_before)
        .not_valid_after(validity.not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.BasicConstraints(ca=authority, path_length=(1 if issuer is None else 0))
            if authority
            else x509.BasicConstraints(ca=False, path_length=None),
            critical=True,
        )
        .add_extension(_key_usage(signs_certificates=authority), critical=True)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    if not authority:
        usages = [ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if responder:
        where = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(responder)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([where]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def encrypted_key(key: rsa.RSAPrivateKey, password: str) -> bytes:
    """The key as SAT hands it out: PKCS#8, encrypted with the password (PBES2), DER."""
    encryption = serialization.BestAvailableEncryption(password.encode("utf-8"))
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, encryption
    )


@dataclasses.dataclass(frozen=True)
class Authority:
    """The root, the issuing authority and its key, and every certificate it issued (serial ->
    when it was revoked, None while it is not)."""

    root: x509.Certificate
    ac: x509.Certificate
    ac_key: rsa.RSAPrivateKey
    issued: dict[int, datetime.datetime | None]

    @property
    def ca_pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.root, self.ac))


def _validity(demo: DemoCertificate, now: datetime.datetime) -> Validity:
    if demo.standing == "expired":
        start = now - VALID_FOR - datetime.timedelta(days=90)
    elif demo.standing == "revoked":
        start = now - datetime.timedelta(days=400)
    else:
        start = now - datetime.timedelta(days=30)
    return Validity(start, start + VALID_FOR)


def new_authority(
    *,
    now: datetime.datetime,
    root_name: x509.Name = ROOT_NAME,
    ac_name: x509.Name = AC_NAME,
) -> Authority:
    """A root and an issuing authority below it, valid ten years back and twenty ahead, that
    has issued nothing yet."""
    root_key, ac_key = _new_key(), _new_key()
    decade = datetime.timedelta(days=3650)
    validity = Validity(now - decade, now + 2 * decade)
    root = issue(
        root_name, root_key.public_key(), issuer=None, issuer_key=root_key,
        serial=sat_serial("30001000000000000001"), validity=validity, authority=True,
    )  # fmt: skip
    ac = issue(
        ac_name, ac_key.public_key(), issuer=root, issuer_key=root_key,
        serial=sat_serial("30001000000000000005"), validity=validity, authority=True,
    )  # fmt: skip
    return Authority(root=root, ac=ac, ac_key=ac_key, issued={})


def issue_to(
    authority: Authority,
    demo: DemoCertificate,
    validity: Validity,
    *,
    revoked_at: datetime.datetime | None = None,
    responder: str | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A person's e.firma (certificate and key), recorded as issued (and revoked, when so);
    with ``responder``, naming that OCSP responder (``issue``)."""
    key = _new_key()
    certificate = issue(
        person_name(demo), key.public_key(), issuer=authority.ac, issuer_key=authority.ac_key,
        serial=demo.serial, validity=validity, responder=responder,
    )  # fmt: skip
    authority.issued[demo.serial] = revoked_at
    return certificate, key


def make_folder(
    folder: Path, *, now: datetime.datetime | None = None, responder: str | None = None
) -> Authority:
    """A fresh authority and every demo e.firma, written into ``folder`` (replacing it); the
    demo certificates name ``responder`` (default :func:`ocsp_url`) as their OCSP responder."""
    now = now or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    responder = responder or ocsp_url()
    authority = new_authority(now=now)
    if folder.exists():
        shutil.rmtree(folder)
    people = folder / PEOPLE_FOLDER
    people.mkdir(parents=True)
    for demo in DEMO:
        revoked_at = now - datetime.timedelta(days=60) if demo.standing == "revoked" else None
        certificate, key = issue_to(
            authority, demo, _validity(demo, now), revoked_at=revoked_at, responder=responder
        )
        der = certificate.public_bytes(serialization.Encoding.DER)
        (people / f"{demo.file}.cer").write_bytes(der)
        (people / f"{demo.file}.key").write_bytes(encrypted_key(key, demo.password))
    _write_strangers(people, now)
    _write_private(folder / AC_KEY_FILE, authority.ac_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))  # fmt: skip
    index = {
        serial_digits(serial): when and when.isoformat()
        for serial, when in authority.issued.items()
    }
    (folder / INDEX_FILE).write_text(json.dumps(index, indent=2) + "\n", "utf-8")
    (folder / CA_FILE).write_bytes(authority.ca_pem)  # last: its presence means all are there
    return authority


OTHER_ROOT_NAME = _name("AC RAIZ AJENA (SANDBOX)", unit="Otra autoridad")
OTHER_AC_NAME = _name("AC AJENA AL SAT (SANDBOX)", unit="Otra autoridad")


def _write_strangers(people: Path, now: datetime.datetime) -> None:
    """Ana's name and CURP on two certificates SAT did not issue: one by another authority
    (``ana-otra-ac``), one signed by its own key (``ana-autofirmada``); password ``demo-ana``."""
    ana = DEMO[0]
    validity = _validity(ana, now)
    other = new_authority(now=now, root_name=OTHER_ROOT_NAME, ac_name=OTHER_AC_NAME)
    foreign, foreign_key = issue_to(other, ana, validity)
    own_key = _new_key()
    own = issue(
        person_name(ana), own_key.public_key(), issuer=None, issuer_key=own_key,
        serial=ana.serial, validity=validity,
    )  # fmt: skip
    for file, certificate, key in (
        ("ana-otra-ac", foreign, foreign_key),
        ("ana-autofirmada", own, own_key),
    ):
        (people / f"{file}.cer").write_bytes(certificate.public_bytes(serialization.Encoding.DER))
        (people / f"{file}.key").write_bytes(encrypted_key(key, ana.password))


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def load_or_create(folder: Path | None = None) -> Authority:
    """The authority kept in ``folder`` (default :func:`default_folder`); made when missing."""
    folder = folder or default_folder()
    if not (folder / CA_FILE).is_file():
        return make_folder(folder)
    root, ac = x509.load_pem_x509_certificates((folder / CA_FILE).read_bytes())
    ac_key = serialization.load_pem_private_key((folder / AC_KEY_FILE).read_bytes(), None)
    assert isinstance(ac_key, rsa.RSAPrivateKey)
    index = json.loads((folder / INDEX_FILE).read_text("utf-8"))
    issued = {
        sat_serial(digits): datetime.datetime.fromisoformat(when) if when else None
        for digits, when in index.items()
    }
    return Authority(root=root, ac=ac, ac_key=ac_key, issued=issued)


# -- certificate status: RFC 6960 -----------------------------------------------------------


def _issued_here(authority: Authority, request: ocsp.OCSPRequest) -> bool:
    """Whether the request names this authority as issuer (by the hashes of its name and key)."""
    algorithm = request.hash_algorithm
    name_hash = hashes.Hash(algorithm)
    name_hash.update(authority.ac.subject.public_bytes())
    key_hash = hashes.Hash(algorithm)
    key_hash.update(_public_key_bits(authority.ac))
    return (
        request.issuer_name_hash == name_hash.finalize()
        and request.issuer_key_hash == key_hash.finalize()
    )


def _public_key_bits(certificate: x509.Certificate) -> bytes:
    """The subjectPublicKey BIT STRING's bytes, which RFC 6960's issuerKeyHash hashes: for RSA,
    the PKCS#1 encoding of the key."""
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )


def ocsp_answer(
    authority: Authority, request_der: bytes, *, now: datetime.datetime | None = None
) -> bytes:
    """The DER OCSPResponse for one request: good, revoked (with when) or unknown, signed by
    the issuing authority; ``malformedRequest`` (unsigned) for bytes that are not a request."""
    now = now or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        algorithm = request.hash_algorithm
    except (ValueError, TypeError):
        malformed = ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.MALFORMED_REQUEST
        )
        return malformed.public_bytes(serialization.Encoding.DER)
    status, revoked_at = ocsp.OCSPCertStatus.UNKNOWN, None
    if _issued_here(authority, request) and request.serial_number in authority.issued:
        revoked_at = authority.issued[request.serial_number]
        status = ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=algorithm,
            cert_status=status,
            this_update=now,
            next_update=now + datetime.timedelta(hours=1),
            revocation_time=revoked_at,
            revocation_reason=x509.ReasonFlags.superseded if revoked_at else None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, authority.ac)
        .certificates([authority.ac])
    )
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    response = builder.sign(authority.ac_key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def verify_key_pair(certificate_der: bytes, key_der: bytes, password: str) -> bool:
    """Whether ``key_der``, opened with ``password``, is the key of ``certificate_der``."""
    certificate = x509.load_der_x509_certificate(certificate_der)
    key = serialization.load_der_private_key(key_der, password.encode("utf-8"))
    assert isinstance(key, rsa.RSAPrivateKey)
    probe = b"e.firma"
    signature = key.sign(probe, padding.PKCS1v15(), hashes.SHA256())
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(signature, probe, padding.PKCS1v15(), hashes.SHA256())
    return True


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Make the sandbox e.firma files anew.")
    parser.add_argument("--dir", type=Path, default=default_folder())
    args = parser.parse_args(argv)
    make_folder(args.dir)
    print(f"SAT roots (the portal's ESIGN_TRUST_ROOTS): {args.dir / CA_FILE}")
    for demo in DEMO:
        files = args.dir / PEOPLE_FOLDER / demo.file
        print(f"{demo.file:16} {demo.curp}  {demo.standing:8} {files}.cer/.key  {demo.password}")


if __name__ == "__main__":
    main()
