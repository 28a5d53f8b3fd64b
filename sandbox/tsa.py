"""The sandbox Time-Stamping Authority: RFC 3161 time-stamp tokens for the registry's seal.

``POST /`` takes a ``TimeStampReq`` (``application/timestamp-query``) and answers a
``TimeStampResp`` (``application/timestamp-reply``) signed with pyHanko's DummyTimeStamper;
``GET /ca.pem`` is the sandbox root that issued the TSA's certificate, the one the portal trusts.

The root, the TSA's key and its certificate are made on first use and kept in a folder (by default
``var/sandbox-tsa/``, where the portal's ``SEAL_TSA_CA_PATH`` points in the sandbox), so documents
timestamped before a restart still validate after it. A query pyHanko could not answer (not DER,
an unknown hash) gets HTTP 400 and the reason: asn1crypto cannot express an RFC 3161 rejection.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys, pem, tsp, x509  # type: ignore[import-untyped]
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

QUERY = "application/timestamp-query"
REPLY = "application/timestamp-reply"
HASHES = frozenset({"sha256", "sha384", "sha512"})
VALID_FOR = datetime.timedelta(days=3650)
CA_FILE, CERT_FILE, KEY_FILE = "ca.pem", "tsa-cert.pem", "tsa-key.pem"


def default_folder() -> Path:
    """``$VAR_DIR/sandbox-tsa`` (the checkout's ``var/`` when VAR_DIR is not set), as the
    portal's settings read VAR_DIR."""
    var = os.environ.get("VAR_DIR", "").strip()
    root = Path(var).expanduser() if var else Path(__file__).resolve().parent.parent / "var"
    return root / "sandbox-tsa"


@dataclass(frozen=True)
class Authority:
    """The TSA's root certificate, its own certificate and key (all PEM)."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes

    def stamper(self) -> DummyTimeStamper:
        return DummyTimeStamper(
            tsa_cert=x509.Certificate.load(_der(self.cert_pem)),
            tsa_key=keys.PrivateKeyInfo.load(_der(self.key_pem)),
        )


def _der(pem_bytes: bytes) -> bytes:
    _, _, der = pem.unarmor(pem_bytes)
    return bytes(der)


def _name(common_name: str) -> pyca_x509.Name:
    return pyca_x509.Name(
        [
            pyca_x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
            pyca_x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Empresa24 sandbox (no válido)"),
            pyca_x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: pyca_x509.Name,
    key: rsa.RSAPrivateKey,
    *,
    issuer: pyca_x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    extensions: list[pyca_x509.ExtensionType],
) -> pyca_x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        pyca_x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(pyca_x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(pyca_x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _key_usage(*, digital_signature: bool, key_cert_sign: bool) -> pyca_x509.KeyUsage:
    return pyca_x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=digital_signature,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


# A root that only issues certificates, and a TSA certificate for time-stamping only (RFC 3161,
# 2.3: the extended key usage is critical and names time-stamping alone).
ROOT_EXTENSIONS: list[pyca_x509.ExtensionType] = [
    pyca_x509.BasicConstraints(ca=True, path_length=0),
    _key_usage(digital_signature=False, key_cert_sign=True),
]
TSA_EXTENSIONS: list[pyca_x509.ExtensionType] = [
    pyca_x509.BasicConstraints(ca=False, path_length=None),
    _key_usage(digital_signature=True, key_cert_sign=False),
    pyca_x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
]


def generate_authority() -> Authority:
    """A fresh root and a TSA certificate it issued (RSA: DummyTimeStamper signs with RSA only)."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("Empresa24 sandbox TSA root")
    root = _certificate(
        root_name, root_key, issuer=root_name, issuer_key=root_key, extensions=ROOT_EXTENSIONS
    )
    tsa = _certificate(
        _name("Empresa24 sandbox TSA"),
        tsa_key,
        issuer=root_name,
        issuer_key=root_key,
        extensions=TSA_EXTENSIONS,
    )
    return Authority(
        ca_pem=root.public_bytes(serialization.Encoding.PEM),
        cert_pem=tsa.public_bytes(serialization.Encoding.PEM),
        key_pem=tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def load_or_create_authority(folder: Path) -> Authority:
    """The authority kept in ``folder``; a new one (written there) when a file is missing."""
    files = [folder / CA_FILE, folder / CERT_FILE, folder / KEY_FILE]
    if all(path.is_file() for path in files):
        return Authority(*(path.read_bytes() for path in files))
    authority = generate_authority()
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as key_file:
        key_file.write(authority.key_pem)
    (folder / CERT_FILE).write_bytes(authority.cert_pem)
    (folder / CA_FILE).write_bytes(authority.ca_pem)  # last: its presence means all are there
    return authority


def create_tsa_app(authority: Authority) -> Starlette:
    stamper = authority.stamper()

    async def stamp(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != QUERY:
            return PlainTextResponse(f"Send an RFC 3161 TimeStampReq as {QUERY}.", 415)
        try:
            query = tsp.TimeStampReq.load(await request.body())
            algorithm = query["message_imprint"]["hash_algorithm"]["algorithm"].native
            _ = query.native  # parses every field: a malformed query fails here, not later
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("The body is not a DER-encoded RFC 3161 TimeStampReq.", 400)
        if algorithm not in HASHES:
            return PlainTextResponse(f"Unsupported hash algorithm {algorithm!r}.", 400)
        reply = stamper.request_tsa_response(query)
        return Response(reply.dump(), media_type=REPLY)

    async def ca_certificate(request: Request) -> Response:
        return Response(authority.ca_pem, media_type="application/x-pem-file")

    return Starlette(routes=[Route("/", stamp, methods=["POST"]), Route("/ca.pem", ca_certificate)])
