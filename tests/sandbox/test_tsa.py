"""The sandbox Time-Stamping Authority answers real RFC 3161 queries, with tokens that validate
against the root it publishes, and keeps that root across restarts."""

from __future__ import annotations

import datetime
import hashlib
import stat

import httpx
import pytest
from asn1crypto import algos, tsp
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from sandbox.__main__ import parse_args
from sandbox.tsa import (
    CA_FILE,
    KEY_FILE,
    QUERY,
    REPLY,
    create_tsa_app,
    generate_authority,
    load_or_create_authority,
)
from xroad_client.emulator import serve_in_thread

pytestmark = pytest.mark.anyio

DIGEST = hashlib.sha256(b"Certificado de constitucion QRO-2026-000123").digest()


@pytest.fixture(scope="module")
def authority():
    return generate_authority()


@pytest.fixture(scope="module")
def tsa_url(authority):
    with serve_in_thread(create_tsa_app(authority)) as url:
        yield f"{url}/"


async def token_status(token, ca_pem: bytes) -> TimestampSignatureStatus:
    """The token checked by pyHanko against ``ca_pem`` as the only root, for DIGEST."""
    context = ValidationContext(trust_roots=list(load_certs_from_pemder_data(ca_pem)))
    kwargs = await validate_tst_signed_data(token["content"], context, lambda _algorithm: DIGEST)
    return TimestampSignatureStatus(**kwargs)


async def test_a_pyhanko_query_gets_a_token_for_its_digest_trusted_under_the_published_root(
    tsa_url, authority
):
    token = await HTTPTimeStamper(tsa_url).async_timestamp(DIGEST, "sha256")
    status = await token_status(token, authority.ca_pem)
    assert status.intact and status.valid and status.trusted
    now = datetime.datetime.now(datetime.UTC)
    assert abs(now - status.timestamp) < datetime.timedelta(minutes=1)
    assert status.signing_cert.subject.native["common_name"] == "Empresa24 sandbox TSA"


async def test_the_token_is_not_trusted_under_another_root(tsa_url):
    token = await HTTPTimeStamper(tsa_url).async_timestamp(DIGEST, "sha256")
    status = await token_status(token, generate_authority().ca_pem)
    assert status.intact and status.valid and not status.trusted


async def test_a_raw_asn1_query_gets_a_granted_reply_with_its_nonce_and_imprint(tsa_url):
    imprint = hashlib.sha512(b"acta").digest()
    query = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha512"}),
                "hashed_message": imprint,
            },
            "nonce": 424242,
            "cert_req": True,
        }
    )
    async with httpx.AsyncClient() as client:
        answer = await client.post(tsa_url, content=query.dump(), headers={"Content-Type": QUERY})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == REPLY
    reply = tsp.TimeStampResp.load(answer.content)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 424242
    assert info["message_imprint"]["hashed_message"].native == imprint


async def test_ca_pem_is_the_root_the_portal_trusts(tsa_url, authority):
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{tsa_url}ca.pem")
    assert answer.status_code == 200
    assert answer.content == authority.ca_pem
    assert answer.content.startswith(b"-----BEGIN CERTIFICATE-----")


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"not a query", QUERY, 400),
        (b"", QUERY, 400),
        (b"\x30\x03\x02\x01\x01", "application/octet-stream", 415),
    ],
)
async def test_what_is_not_a_timestamp_query_is_refused(tsa_url, body, content_type, status):
    async with httpx.AsyncClient() as client:
        answer = await client.post(tsa_url, content=body, headers={"Content-Type": content_type})
    assert answer.status_code == status
    assert answer.text


async def test_a_hash_it_does_not_stamp_is_refused_and_pyhanko_says_so(tsa_url):
    with pytest.raises(TimestampRequestError):
        await HTTPTimeStamper(tsa_url).async_timestamp(hashlib.md5(b"x").digest(), "md5")  # noqa: S324


def test_the_authority_is_kept_in_its_folder_across_restarts(tmp_path):
    folder = tmp_path / "sandbox-tsa"
    first = load_or_create_authority(folder)
    assert (folder / CA_FILE).read_bytes() == first.ca_pem
    assert stat.S_IMODE((folder / KEY_FILE).stat().st_mode) == 0o600
    assert load_or_create_authority(folder) == first
    (folder / CA_FILE).unlink()
    assert load_or_create_authority(folder).ca_pem != first.ca_pem, "half a folder: made again"


def test_python_m_sandbox_serves_the_tsa_on_8703_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("SANDBOX_TSA_PORT", raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SANDBOX_TSA_DIR", raising=False)
    defaults = parse_args([])
    assert defaults.tsa_port == 8703
    assert defaults.tsa_dir == tmp_path / "sandbox-tsa"
    monkeypatch.setenv("SANDBOX_TSA_PORT", "9703")
    monkeypatch.setenv("SANDBOX_TSA_DIR", str(tmp_path / "elsewhere"))
    assert parse_args([]).tsa_port == 9703
    assert parse_args([]).tsa_dir == tmp_path / "elsewhere"
    assert parse_args(["--tsa-port", "9900"]).tsa_port == 9900
