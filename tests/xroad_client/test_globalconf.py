"""Global configuration discovery over real HTTP: a signed directory that verifies against the
anchor is read; one that does not is refused (PR-GCONF §2.3-2.6).

Discovery never goes through a Security Server's fault path: it GETs the anchor's sources
directly, so an answer shaped like an X-Road fault, in either spelling, is a ConfigurationError."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from xroad_client import ClientId, ErrorSpelling, FaultCode, SecurityServerId, XRoadFault
from xroad_client.emulator import Receive, Scope, Send, serve_in_thread
from xroad_client.globalconf import (
    ConfigurationAnchor,
    ConfigurationError,
    GlobalConfiguration,
    discover,
    parse_shared_parameters,
)

SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
PSS_SHA512 = "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"

SHARED = b"""<?xml version="1.0" encoding="UTF-8"?>
<ns3:conf xmlns:ns3="http://x-road.eu/xsd/xroad.xsd" xmlns:ns2="http://x-road.eu/xsd/identifiers">
  <instanceIdentifier>MX</instanceIdentifier>
  <member id="m1">
    <memberClass><code>GOB</code><description>Government</description></memberClass>
    <memberCode>E24</memberCode>
    <name>Empresa24</name>
    <subsystem id="s1"><subsystemCode>portal</subsystemCode><subsystemName>Portal</subsystemName></subsystem>
  </member>
  <member id="m2">
    <memberClass><code>GOB</code><description>Government</description></memberClass>
    <memberCode>SAT</memberCode>
    <name>SAT</name>
    <subsystem id="s2"><subsystemCode>rfc</subsystemCode></subsystem>
  </member>
  <securityServer>
    <owner>m1</owner><serverCode>ss1</serverCode><address>ss1.empresa24.mx</address>
    <authCertHash>AAAA</authCertHash><client>m1</client><client>s1</client>
  </securityServer>
  <securityServer>
    <owner>m2</owner><serverCode>sat-ss</serverCode><address>ss.sat.mx</address>
    <client>s2</client>
  </securityServer>
  <globalSettings>
    <memberClass><code>GOB</code><description>Government</description></memberClass>
    <ocspFreshnessSeconds>3600</ocspFreshnessSeconds>
  </globalSettings>
</ns3:conf>
"""


def _key_and_cert() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MX configuration source")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.DER)


SOURCE_KEY, SOURCE_CERT = _key_and_cert()
OTHER_KEY, OTHER_CERT = _key_and_cert()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class Source:
    """A configuration source as a central server serves it, with switches to break it."""

    shared: bytes = SHARED
    key: rsa.RSAPrivateKey = SOURCE_KEY
    cert: bytes = SOURCE_CERT
    algorithm: str = RSA_SHA512
    expires: datetime = field(default_factory=lambda: datetime.now(UTC) + timedelta(minutes=10))
    tamper: bool = False
    listed_digest: bytes | None = None

    def directory(self) -> tuple[str, bytes]:
        digest = self.listed_digest or hashlib.sha512(self.shared).digest()
        inner = (
            "--inner\r\n"
            f"Expire-date: {self.expires.strftime('%Y-%m-%dT%H:%M:%SZ')}\r\nVersion: 2\r\n"
            "--inner\r\n"
            "Content-type: application/octet-stream\r\nContent-transfer-encoding: base64\r\n"
            'Content-identifier: SHARED-PARAMETERS; instance="MX"\r\n'
            "Content-location: /V2/20261203/shared-params.xml\r\n"
            f"Hash-algorithm-id: {SHA512}\r\n\r\n"
            f"{_b64(digest)}\r\n"
            "--inner--"
        ).encode()
        if self.algorithm == PSS_SHA512:
            pad: padding.AsymmetricPadding = padding.PSS(
                mgf=padding.MGF1(hashes.SHA512()), salt_length=padding.PSS.MAX_LENGTH
            )
        else:
            pad = padding.PKCS1v15()
        signature = self.key.sign(inner, pad, hashes.SHA512())
        if self.tamper:
            inner = inner.replace(b"Version: 2", b"Version: 3")
        cert_hash = _b64(hashlib.sha512(self.cert).digest())
        body = (
            b"--outer\r\nContent-Type: multipart/mixed; charset=UTF-8; boundary=inner\r\n\r\n"
            + inner
            + b"\r\n--outer\r\n"
            + (
                "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                f"Signature-Algorithm-Id: {self.algorithm}\r\n"
                f'Verification-Certificate-Hash: {cert_hash}; hash-algorithm-id="{SHA512}"\r\n\r\n'
                f"{_b64(signature)}"
            ).encode()
            + b"\r\n--outer--\r\n"
        )
        return "multipart/related; charset=UTF-8; boundary=outer", body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/internalconf":
            content_type, body = self.directory()
        elif scope["path"].endswith("shared-params.xml"):
            content_type, body = "application/octet-stream", self.shared
        else:
            content_type, body, status = "text/plain", b"no", 404
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        headers = [(b"content-type", content_type.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _anchor(*urls: str, certs: tuple[bytes, ...] = (SOURCE_CERT,)) -> ConfigurationAnchor:
    sources = "".join(
        f"<source><downloadURL>{url}/internalconf</downloadURL>"
        + "".join(f"<verificationCert>{_b64(cert)}</verificationCert>" for cert in certs)
        + "</source>"
        for url in urls
    )
    return ConfigurationAnchor.parse(
        '<?xml version="1.0"?><tns:configurationAnchor xmlns:tns="http://x-road.eu/xsd/xroad.xsd">'
        f"<generatedAt>2026-12-01T10:00:00Z</generatedAt><instanceIdentifier>MX</instanceIdentifier>"
        f"{sources}</tns:configurationAnchor>".encode()
    )


@pytest.fixture
def served() -> Iterator[tuple[Source, str]]:
    source = Source()
    with serve_in_thread(source) as url:
        yield source, url


def _discover(anchor: ConfigurationAnchor) -> GlobalConfiguration:
    with httpx.Client() as http:
        return discover(anchor, http)


def test_a_verified_configuration_lists_members_subsystems_and_servers(
    served: tuple[Source, str],
) -> None:
    _, url = served
    conf = _discover(_anchor(url))
    portal = ClientId("MX", "GOB", "E24", "portal")
    assert conf.instance == "MX" and conf.member_classes == ("GOB",)
    assert [(m.id, m.name) for m in conf.members] == [
        (ClientId("MX", "GOB", "E24"), "Empresa24"),
        (ClientId("MX", "GOB", "SAT"), "SAT"),
    ]
    assert [(s.id, s.name) for s in conf.subsystems()] == [
        (portal, "Portal"),
        (ClientId("MX", "GOB", "SAT", "rfc"), None),
    ]
    (ours,) = conf.servers_of(portal)
    assert ours.id == SecurityServerId(ClientId("MX", "GOB", "E24"), "ss1")
    assert ours.address == "ss1.empresa24.mx"
    assert [s.address for s in conf.servers_of(ClientId("MX", "GOB", "SAT", "rfc"))] == [
        "ss.sat.mx"
    ]
    assert conf.expire_date is not None and conf.expire_date > datetime.now(UTC)


def test_a_pss_signature_verifies_too(served: tuple[Source, str]) -> None:
    source, url = served
    source.algorithm = PSS_SHA512
    assert _discover(_anchor(url)).instance == "MX"


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        ({"tamper": True}, "does not verify against the anchor"),
        ({"key": OTHER_KEY}, "does not verify against the anchor"),
        ({"key": OTHER_KEY, "cert": OTHER_CERT}, "certificate the anchor does not hold"),
        ({"expires": datetime(2020, 1, 1, tzinfo=UTC)}, "expired"),
        ({"listed_digest": b"\x00" * 64}, "does not match the digest"),
        ({"algorithm": "http://www.w3.org/2000/09/xmldsig#rsa-sha1"}, "unsupported signature"),
    ],
)
def test_a_configuration_that_does_not_verify_is_refused(
    served: tuple[Source, str], breakage: dict[str, object], complaint: str
) -> None:
    source, url = served
    for name, value in breakage.items():
        setattr(source, name, value)
    with pytest.raises(ConfigurationError, match=complaint):
        _discover(_anchor(url))


@pytest.mark.parametrize("spelling", list(ErrorSpelling), ids=lambda s: s.value)
def test_a_source_answering_an_x_road_fault_is_a_configuration_error(
    served: tuple[Source, str], spelling: ErrorSpelling
) -> None:
    code = FaultCode("Server.ClientProxy.OutdatedGlobalConf").spelled(spelling)
    body = json.dumps({"type": code, "message": "Global configuration is expired"}).encode()

    async def faulting(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"application/json"), (b"x-road-error", code.encode())]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    _, good_url = served
    with serve_in_thread(faulting) as fault_url:
        with pytest.raises(ConfigurationError, match="answered HTTP 500") as caught:
            _discover(_anchor(fault_url))
        assert not isinstance(caught.value, XRoadFault)
        assert len(_discover(_anchor(fault_url, good_url)).members) == 2


def test_the_next_source_is_used_when_one_fails(served: tuple[Source, str]) -> None:
    bad, bad_url = served
    bad.tamper = True
    with serve_in_thread(Source()) as good_url:
        conf = _discover(_anchor(bad_url, good_url))
    assert len(conf.members) == 2


@pytest.mark.parametrize(
    "anchor",
    [
        b"<x/>",
        b"<configurationAnchor><instanceIdentifier>MX</instanceIdentifier></configurationAnchor>",
        b"<configurationAnchor><instanceIdentifier>MX</instanceIdentifier><source>"
        b"<downloadURL>http://cs/x</downloadURL><verificationCert>!!</verificationCert>"
        b"</source></configurationAnchor>",
        b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    ],
)
def test_a_malformed_anchor_is_refused(anchor: bytes) -> None:
    with pytest.raises(ConfigurationError):
        ConfigurationAnchor.parse(anchor)


def test_shared_parameters_with_a_dangling_owner_are_refused() -> None:
    broken = SHARED.replace(b"<owner>m2</owner>", b"<owner>m9</owner>")
    with pytest.raises(ConfigurationError, match="owner"):
        parse_shared_parameters(broken)
