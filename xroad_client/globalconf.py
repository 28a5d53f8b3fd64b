"""Global configuration discovery: who is in the X-Road instance, and on which servers.

What ria-ee's ``xrdinfo`` reads, done as PR-GCONF §2.6 says a configuration client must:

1. read the configuration anchor (the instance, the download URL, the verification
   certificates), given out of band;
2. download the signed directory (``multipart/related``: the directory, then its signature)
   and verify the signature over the directory part's body with a certificate of the anchor
   (chosen by ``Verification-certificate-hash``); refuse it when none verifies, and when its
   ``Expire-date`` has passed;
3. download the instance's SHARED-PARAMETERS part and check its digest against the directory;
4. read members, subsystems and Security Servers from it (shared-parameters.xsd, Annex B).

Nothing unverified is parsed beyond the directory's headers. Signatures use ``cryptography``
(RSA PKCS#1 v1.5 and PSS); it is imported only when a configuration is verified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from typing import Final
from urllib.parse import urljoin

import httpx

from xroad_client._xml import XMLRejected, find_child, local_name, parse_xml, text_of
from xroad_client.errors import IdentifierError, InvalidResponseError, XRoadError
from xroad_client.identifiers import ClientId, SecurityServerId

__all__ = [
    "MAX_DIRECTORY_BYTES",
    "MAX_PARAMETERS_BYTES",
    "ConfigurationAnchor",
    "ConfigurationError",
    "ConfigurationSource",
    "DirectoryPart",
    "GlobalConfiguration",
    "MemberInfo",
    "SecurityServerInfo",
    "SignedDirectory",
    "SubsystemInfo",
    "discover",
    "parse_shared_parameters",
    "verify_directory",
]

MAX_DIRECTORY_BYTES: Final = 1024 * 1024
MAX_PARAMETERS_BYTES: Final = 64 * 1024 * 1024
_HASHES: Final = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
_RSA: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-"
_PSS: Final = "http://www.w3.org/2007/05/xmldsig-more#"
_SIGNATURES: Final = {
    _RSA + "sha256": ("pkcs1", "sha256"),
    _RSA + "sha384": ("pkcs1", "sha384"),
    _RSA + "sha512": ("pkcs1", "sha512"),
    _PSS + "sha256-rsa-MGF1": ("pss", "sha256"),
    _PSS + "sha512-rsa-MGF1": ("pss", "sha512"),
}
_HEADER_END: Final = re.compile(rb"\r?\n\r?\n")


class ConfigurationError(XRoadError):
    """The global configuration cannot be trusted or read: a signature that does not verify
    against the anchor, an expired directory, a digest mismatch, a malformed part."""


@dataclass(frozen=True, slots=True)
class ConfigurationSource:
    download_url: str
    verification_certs: tuple[bytes, ...]  # DER


@dataclass(frozen=True, slots=True)
class ConfigurationAnchor:
    """``configurationAnchor`` (PR-GCONF §2.2, Annex E)."""

    instance: str
    sources: tuple[ConfigurationSource, ...]
    generated_at: str | None = None

    @classmethod
    def parse(cls, data: bytes) -> ConfigurationAnchor:
        try:
            root = parse_xml(data)
        except XMLRejected as exc:
            raise ConfigurationError(f"the configuration anchor is not well-formed: {exc}") from exc
        if local_name(root.tag) != "configurationAnchor":
            raise ConfigurationError("not a configurationAnchor document")
        instance = text_of(find_child(root, None, "instanceIdentifier"))
        sources = tuple(_source(element) for element in root if _named(element, "source"))
        if not instance or not sources:
            raise ConfigurationError("the anchor names no instance or no source")
        return cls(instance, sources, text_of(find_child(root, None, "generatedAt")))


def _named(element: ET.Element, name: str) -> bool:
    return isinstance(element.tag, str) and local_name(element.tag) == name


def _b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError(f"{what} is not valid base64") from exc


def _source(element: ET.Element) -> ConfigurationSource:
    url = text_of(find_child(element, None, "downloadURL")) or text_of(
        find_child(element, None, "downloadURI")  # the spec's Annex A.1 spelling
    )
    certs = tuple(
        _b64(child.text, "verificationCert")
        for child in element
        if _named(child, "verificationCert")
    )
    if not url or not certs:
        raise ConfigurationError("an anchor source lacks downloadURL or verificationCert")
    return ConfigurationSource(url, certs)


# -- the signed directory -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectoryPart:
    """One configuration file the directory references, with its expected digest."""

    content_identifier: str | None
    instance: str | None
    location: str
    hash_algorithm: str
    digest: bytes


@dataclass(frozen=True, slots=True)
class SignedDirectory:
    expire_date: datetime
    version: str | None
    parts: tuple[DirectoryPart, ...]


def _headers(head: bytes) -> Message:
    return BytesHeaderParser(policy=policy.HTTP).parsebytes(head + b"\r\n\r\n")


def _boundary(content_type: str) -> str:
    message = _headers(f"Content-Type: {content_type}".encode("latin-1", errors="replace"))
    boundary = message.get_boundary()
    if not boundary or len(boundary) > 70:
        raise ConfigurationError(f"no usable multipart boundary in {content_type[:80]!r}")
    return boundary


def _split(body: bytes, boundary: str, limit: int = 64) -> list[tuple[Message, bytes]]:
    """(headers, body) of each part, cut at the delimiter lines in one scan (RFC 2046)."""
    delimiter = re.compile(
        rb"(?:^|\r?\n)--" + re.escape(boundary.encode("latin-1")) + rb"(--)?[ \t]*(?:\r?\n|$)"
    )
    parts: list[tuple[Message, bytes]] = []
    previous: re.Match[bytes] | None = None
    for match in delimiter.finditer(body):
        if previous is not None:
            chunk = body[previous.end() : match.start()]
            found = _HEADER_END.search(chunk)
            if chunk.startswith((b"\r\n", b"\n")):
                parts.append((_headers(b""), chunk.lstrip(b"\r\n")))
            elif found is None:
                parts.append((_headers(chunk), b""))  # a header-only entry
            else:
                parts.append((_headers(chunk[: found.start()]), chunk[found.end() :]))
            if len(parts) > limit:
                raise ConfigurationError(f"a configuration multipart has over {limit} parts")
        if match.group(1):
            if previous is None:
                break
            return parts
        previous = match
    raise ConfigurationError("a configuration multipart is not closed")


def _hash(algorithm_id: str, data: bytes) -> bytes:
    name = _HASHES.get(algorithm_id.strip())
    if name is None:
        raise ConfigurationError(f"unsupported hash algorithm {algorithm_id[:80]!r}")
    return hashlib.new(name, data).digest()


def _signing_cert(signature: Message, certs: tuple[bytes, ...]) -> bytes:
    value = str(signature.get("Verification-certificate-hash", ""))
    wanted, _, params = value.partition(";")
    algorithm = re.search(r'hash-algorithm-id\s*=\s*"?([^";]+)"?', params)
    if algorithm is None:
        raise ConfigurationError("the signature names no verification certificate hash")
    digest = _b64(wanted, "Verification-certificate-hash")
    for cert in certs:
        if _hash(algorithm.group(1), cert) == digest:
            return cert
    raise ConfigurationError(
        "the configuration is signed with a certificate the anchor does not hold"
    )


def _verify_signature(algorithm_id: str, cert: bytes, signature: bytes, data: bytes) -> None:
    try:
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
    except ImportError as exc:  # pragma: no cover - cryptography ships with the portal
        raise ConfigurationError(
            "verifying a configuration needs the cryptography package"
        ) from exc
    scheme = _SIGNATURES.get(algorithm_id.strip())
    if scheme is None:
        raise ConfigurationError(f"unsupported signature algorithm {algorithm_id[:80]!r}")
    kind, hash_name = scheme
    algorithms: dict[str, hashes.HashAlgorithm] = {
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }
    digest = algorithms[hash_name]
    try:
        key = x509.load_der_x509_certificate(cert).public_key()
    except ValueError as exc:
        raise ConfigurationError("the anchor's verification certificate is malformed") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ConfigurationError("only RSA verification keys are supported")
    pad = (
        padding.PKCS1v15()
        if kind == "pkcs1"
        else padding.PSS(mgf=padding.MGF1(digest), salt_length=padding.PSS.AUTO)
    )
    try:
        key.verify(signature, data, pad, digest)
    except InvalidSignature as exc:
        raise ConfigurationError(
            "the configuration's signature does not verify against the anchor"
        ) from exc


def _expire_date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigurationError(f"Expire-date {text[:40]!r} is not an ISO 8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _directory_part(headers: Message, body: bytes) -> DirectoryPart:
    identifier = str(headers.get("Content-identifier", "")) or None
    instance = None
    if identifier is not None:
        kind, _, params = identifier.partition(";")
        found = re.search(r'instance\s*=\s*"?([^";]+)"?', params)
        instance = found.group(1) if found else None
        identifier = kind.strip()
    location = str(headers.get("Content-location", "")).strip()
    algorithm = str(headers.get("Hash-algorithm-id", "")).strip()
    if not location or not algorithm:
        raise ConfigurationError("a directory entry lacks Content-location or Hash-algorithm-id")
    return DirectoryPart(
        identifier,
        instance,
        location,
        algorithm,
        _b64(body.decode("ascii", "replace"), "a directory digest"),
    )


def verify_directory(
    content_type: str, body: bytes, anchor: ConfigurationSource, *, now: datetime | None = None
) -> SignedDirectory:
    """Check the signed directory's signature against the anchor, then read it."""
    parts = _split(body, _boundary(content_type))
    if len(parts) != 2:
        raise ConfigurationError(f"a signed directory has 2 parts, not {len(parts)}")
    (directory_headers, directory), (signature_headers, signature) = parts
    cert = _signing_cert(signature_headers, anchor.verification_certs)
    algorithm = str(signature_headers.get("Signature-algorithm-id", ""))
    _verify_signature(
        algorithm, cert, _b64(signature.decode("ascii", "replace"), "signature"), directory
    )
    entries = _split(directory, _boundary(str(directory_headers.get("Content-Type", ""))))
    if not entries or entries[0][0].get("Expire-date") is None:
        raise ConfigurationError("the directory does not start with its Expire-date")
    expires = _expire_date(str(entries[0][0]["Expire-date"]))
    if expires <= (now or datetime.now(UTC)):
        raise ConfigurationError(f"the configuration expired at {expires.isoformat()}")
    version = entries[0][0].get("Version")
    listed = tuple(_directory_part(headers, content) for headers, content in entries[1:])
    return SignedDirectory(expires, None if version is None else str(version), listed)


# -- shared parameters ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubsystemInfo:
    id: ClientId
    name: str | None = None


@dataclass(frozen=True, slots=True)
class MemberInfo:
    id: ClientId
    name: str
    subsystems: tuple[SubsystemInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityServerInfo:
    id: SecurityServerId
    address: str | None
    clients: tuple[ClientId, ...] = ()


@dataclass(frozen=True, slots=True)
class GlobalConfiguration:
    """Members, subsystems and Security Servers of one X-Road instance."""

    instance: str
    members: tuple[MemberInfo, ...]
    security_servers: tuple[SecurityServerInfo, ...]
    expire_date: datetime | None = None
    member_classes: tuple[str, ...] = field(default=())

    def subsystems(self) -> Iterator[SubsystemInfo]:
        for member in self.members:
            yield from member.subsystems

    def servers_of(self, client: ClientId) -> list[SecurityServerInfo]:
        """The Security Servers ``client`` is registered on (where its calls must go)."""
        return [server for server in self.security_servers if client in server.clients]


def _text(element: ET.Element, name: str) -> str:
    value = text_of(find_child(element, None, name))
    if not value:
        raise ConfigurationError(f"shared parameters: <{local_name(element.tag)}> lacks <{name}>")
    return value


def parse_shared_parameters(data: bytes) -> GlobalConfiguration:
    """Read ``conf`` (shared-parameters.xsd): member and subsystem ids resolve the servers'
    owner and client references (IDREFs)."""
    try:
        root = parse_xml(data)
    except XMLRejected as exc:
        raise ConfigurationError(f"shared parameters are not well-formed: {exc}") from exc
    instance = _text(root, "instanceIdentifier")
    by_ref: dict[str, ClientId] = {}
    members = []
    try:
        for element in (e for e in root if _named(e, "member")):
            member_class = find_child(element, None, "memberClass")
            code = _text(member_class, "code") if member_class is not None else ""
            member = ClientId(instance, code, _text(element, "memberCode"))
            by_ref[element.get("id", "")] = member
            subsystems = []
            for sub in (e for e in element if _named(e, "subsystem")):
                subsystem = member.subsystem(_text(sub, "subsystemCode"))
                by_ref[sub.get("id", "")] = subsystem
                subsystems.append(
                    SubsystemInfo(subsystem, text_of(find_child(sub, None, "subsystemName")))
                )
            members.append(MemberInfo(member, _text(element, "name"), tuple(subsystems)))
        servers = []
        for element in (e for e in root if _named(e, "securityServer")):
            owner = by_ref.get(_text(element, "owner"))
            if owner is None:
                raise ConfigurationError("a security server's owner is not a listed member")
            clients = tuple(
                by_ref[ref]
                for ref in (text_of(c) or "" for c in element if _named(c, "client"))
                if ref in by_ref
            )
            server = SecurityServerId(owner, _text(element, "serverCode"))
            servers.append(
                SecurityServerInfo(server, text_of(find_child(element, None, "address")), clients)
            )
    except IdentifierError as exc:
        raise ConfigurationError(f"shared parameters hold a malformed identifier: {exc}") from exc
    settings = find_child(root, None, "globalSettings")
    classes = tuple(
        _text(c, "code")
        for c in (settings if settings is not None else ())
        if _named(c, "memberClass")
    )
    return GlobalConfiguration(instance, tuple(members), tuple(servers), member_classes=classes)


# -- download -------------------------------------------------------------------------------


def _get(http: httpx.Client, url: str, limit: int) -> httpx.Response:
    try:
        with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise ConfigurationError(f"GET {url} answered HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ConfigurationError(f"GET {url} answered over {limit} bytes")
                chunks.append(chunk)
            return httpx.Response(200, headers=response.headers, content=b"".join(chunks))
    except httpx.HTTPError as exc:
        raise ConfigurationError(f"cannot download {url}: {exc}") from exc


def discover(
    anchor: ConfigurationAnchor, http: httpx.Client, *, now: datetime | None = None
) -> GlobalConfiguration:
    """Download, verify and read the anchor's instance's shared parameters.

    Each source of the anchor is tried in turn; the first that verifies is used. A source
    whose signature does not verify is refused, never read.
    """
    failures: list[str] = []
    for source in anchor.sources:
        try:
            answer = _get(http, source.download_url, MAX_DIRECTORY_BYTES)
            directory = verify_directory(
                answer.headers.get("content-type", ""), answer.content, source, now=now
            )
            part = next(
                (
                    p
                    for p in directory.parts
                    if p.content_identifier == "SHARED-PARAMETERS" and p.instance == anchor.instance
                ),
                None,
            )
            if part is None:
                raise ConfigurationError(
                    f"the directory lists no SHARED-PARAMETERS for {anchor.instance}"
                )
            url = urljoin(source.download_url, part.location)
            content = _get(http, url, MAX_PARAMETERS_BYTES).content
            if _hash(part.hash_algorithm, content) != part.digest:
                raise ConfigurationError(f"{url} does not match the digest in the signed directory")
            parsed = parse_shared_parameters(content)
        except (ConfigurationError, InvalidResponseError) as exc:
            failures.append(f"{source.download_url}: {exc}")
            continue
        return GlobalConfiguration(
            parsed.instance,
            parsed.members,
            parsed.security_servers,
            expire_date=directory.expire_date,
            member_classes=parsed.member_classes,
        )
    raise ConfigurationError("no configuration source verified: " + "; ".join(failures))
