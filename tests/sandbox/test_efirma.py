"""The sandbox SAT authority: e.firma files shaped like SAT's, and OCSP answers about them,
directly and over X-Road through the emulator."""

from __future__ import annotations

import datetime

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from sandbox import efirma
from sandbox.catalogue import CATALOGUE, PORTAL
from sandbox.providers import certificates
from sandbox.providers.seed import load_records

from .conftest import client_for

DEMO = {demo.file: demo for demo in efirma.DEMO}


def certificate(folder, file: str) -> x509.Certificate:
    return x509.load_der_x509_certificate((folder / "personas" / f"{file}.cer").read_bytes())


def status_request(cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256())
    return builder.build().public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def authority(efirma_folder):
    return efirma.load_or_create(efirma_folder)


def test_a_demo_certificate_carries_the_rfc_and_curp_where_sat_puts_them(efirma_folder):
    cert = certificate(efirma_folder, "ana")
    (rfc,) = cert.subject.get_attributes_for_oid(NameOID.X500_UNIQUE_IDENTIFIER)
    (curp,) = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)

    assert (rfc.value, curp.value) == ("RAOA9005149F8", "RAOA900514MQTMLN01")
    assert rfc._type == curp._type == _ASN1Type.PrintableString
    assert isinstance(cert.public_key(), rsa.RSAPublicKey)
    assert cert.public_key().key_size == 2048
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    assert efirma.serial_digits(cert.serial_number) == "30001000000500000001"


def test_every_certificate_chains_to_the_root_in_ca_pem(efirma_folder):
    root, ac = x509.load_pem_x509_certificates((efirma_folder / "ca.pem").read_bytes())
    ac.verify_directly_issued_by(root)
    for file in DEMO:
        certificate(efirma_folder, file).verify_directly_issued_by(ac)


def test_the_strangers_are_not_of_the_sat_authority(efirma_folder):
    _, ac = x509.load_pem_x509_certificates((efirma_folder / "ca.pem").read_bytes())
    foreign = certificate(efirma_folder, "ana-otra-ac")
    own = certificate(efirma_folder, "ana-autofirmada")

    assert foreign.issuer != ac.subject
    own.verify_directly_issued_by(own)
    for file in ("ana-otra-ac", "ana-autofirmada"):
        cer = (efirma_folder / "personas" / f"{file}.cer").read_bytes()
        key = (efirma_folder / "personas" / f"{file}.key").read_bytes()
        assert efirma.verify_key_pair(cer, key, "demo-ana")


def test_the_key_opens_with_its_password_and_matches_the_certificate(efirma_folder):
    cer = (efirma_folder / "personas" / "carlos.cer").read_bytes()
    key = (efirma_folder / "personas" / "carlos.key").read_bytes()

    assert efirma.verify_key_pair(cer, key, "demo-carlos")
    with pytest.raises(ValueError):
        serialization.load_der_private_key(key, b"not-the-password")
    with pytest.raises(TypeError):  # encrypted: never readable without one
        serialization.load_der_private_key(key, None)


def test_the_demo_people_are_those_of_the_population_and_tax_registries():
    people = {p["curp"] for p in load_records(None, "people.json")}
    rfcs = {t["curp"]: t["rfc"] for t in load_records(None, "taxpayers.json") if t["curp"]}

    for demo in efirma.DEMO:
        if demo.file == "nadie":
            assert demo.curp not in people
        else:
            assert rfcs[demo.curp] == demo.rfc


def test_the_expired_certificate_ended_before_today(efirma_folder):
    now = datetime.datetime.now(datetime.UTC)
    assert certificate(efirma_folder, "isabel-vencida").not_valid_after_utc < now
    assert certificate(efirma_folder, "isabel").not_valid_after_utc > now


def test_the_folder_is_kept_across_restarts(efirma_folder, authority):
    again = efirma.load_or_create(efirma_folder)
    assert again.root == authority.root
    assert again.issued == authority.issued


def answer_for(authority, file, folder) -> ocsp.OCSPResponse:
    request = status_request(certificate(folder, file), authority.ac)
    return ocsp.load_der_ocsp_response(efirma.ocsp_answer(authority, request))


def test_a_valid_certificate_is_good_and_the_answer_is_signed_by_the_authority(
    authority, efirma_folder
):
    answer = answer_for(authority, "ana", efirma_folder)

    assert answer.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == DEMO["ana"].serial
    authority.ac.public_key().verify(
        answer.signature,
        answer.tbs_response_bytes,
        padding.PKCS1v15(),
        answer.signature_hash_algorithm,
    )


def test_the_revoked_certificate_says_since_when(authority, efirma_folder):
    answer = answer_for(authority, "carlos-revocada", efirma_folder)

    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_time_utc == authority.issued[DEMO["carlos-revocada"].serial]
    assert answer.revocation_time_utc < datetime.datetime.now(datetime.UTC)


def test_a_certificate_of_another_authority_is_unknown(authority):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    validity = efirma.Validity(now, now + datetime.timedelta(days=1))
    other = efirma.issue(
        efirma.AC_NAME, key.public_key(), issuer=None, issuer_key=key,
        serial=DEMO["ana"].serial, validity=validity, authority=True,
    )  # fmt: skip
    request = status_request(other, other)  # same name and serial, another key
    answer = ocsp.load_der_ocsp_response(efirma.ocsp_answer(authority, request))

    assert answer.certificate_status == ocsp.OCSPCertStatus.UNKNOWN


def test_bytes_that_are_not_a_request_get_malformed_request(authority):
    answer = ocsp.load_der_ocsp_response(efirma.ocsp_answer(authority, b"\x30\x03junk"))
    assert answer.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_the_nonce_of_the_request_comes_back(authority, efirma_folder):
    nonce = x509.OCSPNonce(b"0123456789abcdef")
    builder = ocsp.OCSPRequestBuilder().add_certificate(
        certificate(efirma_folder, "ana"), authority.ac, hashes.SHA256()
    )
    request = builder.add_extension(nonce, critical=False).build()
    der = efirma.ocsp_answer(authority, request.public_bytes(serialization.Encoding.DER))

    answer = ocsp.load_der_ocsp_response(der)
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value == nonce


@pytest.mark.anyio
async def test_the_provider_answers_ocsp_and_refuses_other_media_types(efirma_folder, authority):
    request = status_request(certificate(efirma_folder, "luz"), authority.ac)
    async with client_for(certificates.create_app(folder=efirma_folder)) as client:
        good = await client.post(
            "/v1/ocsp", content=request, headers={"content-type": certificates.OCSP_REQUEST}
        )
        wrong = await client.post("/v1/ocsp", json={"serial": "1"})

    assert good.status_code == 200
    assert good.headers["content-type"] == certificates.OCSP_RESPONSE
    assert ocsp.load_der_ocsp_response(good.content).certificate_status == ocsp.OCSPCertStatus.GOOD
    assert (wrong.status_code, wrong.json()["error"]) == (415, "unsupported_media_type")


def test_the_portal_asks_over_x_road_as_a_service_of_the_tax_registry(
    sandbox_server, efirma_folder, authority
):
    _, url = sandbox_server
    service = CATALOGUE.service("certificates")
    assert service.provider == CATALOGUE.service("tax").provider
    request = status_request(certificate(efirma_folder, "carlos-revocada"), authority.ac)

    reply = httpx.post(
        f"{url}/r1/{service.service_id}/v1/ocsp",
        content=request,
        headers={"X-Road-Client": str(PORTAL), "content-type": certificates.OCSP_REQUEST},
    )

    assert reply.status_code == 200
    assert reply.headers["x-road-service"].endswith("/certificados")
    answer = ocsp.load_der_ocsp_response(reply.content)
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED


# -- the responder named in the certificates, for standard tools ------------------------------


def responder_named_in(cert: x509.Certificate) -> list[str]:
    access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    return [
        d.access_location.value
        for d in access
        if d.access_method == x509.oid.AuthorityInformationAccessOID.OCSP
    ]


def test_every_demo_certificate_names_the_sandbox_ocsp_responder(efirma_folder):
    for demo in efirma.DEMO:
        assert responder_named_in(certificate(efirma_folder, demo.file)) == [
            "http://127.0.0.1:8704/v1/ocsp"
        ], demo.file


def test_the_responder_named_follows_the_environment(monkeypatch):
    monkeypatch.setenv("SANDBOX_OCSP_PORT", "9704")
    assert efirma.ocsp_url() == "http://127.0.0.1:9704/v1/ocsp"
    monkeypatch.setenv("SANDBOX_EFIRMA_OCSP_URL", "https://ocsp.example.invalid/sat")
    assert efirma.ocsp_url() == "https://ocsp.example.invalid/sat"


def test_python_m_sandbox_serves_the_ocsp_responder_on_8704_unless_told_otherwise(monkeypatch):
    from sandbox.__main__ import parse_args

    monkeypatch.delenv("SANDBOX_OCSP_PORT", raising=False)
    assert parse_args([]).ocsp_port == 8704
    assert parse_args(["--ocsp-port", "9800"]).ocsp_port == 9800


@pytest.fixture
def served_folder(tmp_path):
    """A sandbox SAT folder whose certificates name a responder served on a free port."""
    from tests.conftest import free_port
    from xroad_client.emulator import serve_in_thread

    port = free_port()
    folder = tmp_path / "efirma"
    efirma.make_folder(folder, responder=f"http://127.0.0.1:{port}/v1/ocsp")
    with serve_in_thread(certificates.create_app(folder=folder), port=port):
        yield folder


@pytest.mark.parametrize(("file", "said"), [("ana", "good"), ("carlos-revocada", "revoked")])
def test_openssl_checks_a_demo_certificate_at_the_responder_it_names(
    served_folder, tmp_path, file, said
):
    """What anyone with the file can do without the portal: ``openssl ocsp`` at the address
    in the certificate, the answer verified against the sandbox SAT's root."""
    import subprocess

    cert = certificate(served_folder, file)
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    root, ac = x509.load_pem_x509_certificates((served_folder / "ca.pem").read_bytes())
    (tmp_path / "ac.pem").write_bytes(ac.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    [url] = responder_named_in(cert)

    result = subprocess.run(
        ["openssl", "ocsp", "-issuer", tmp_path / "ac.pem", "-cert", tmp_path / "cert.pem",
         "-url", url, "-CAfile", tmp_path / "root.pem", "-VAfile", tmp_path / "ac.pem"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert f"cert.pem: {said}" in result.stdout
    assert "Response verify OK" in result.stderr
