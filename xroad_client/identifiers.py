"""X-Road identifiers and their path forms.

- :class:`ClientId`: a member ``INSTANCE/CLASS/MEMBER`` or a subsystem
  ``INSTANCE/CLASS/MEMBER/SUBSYSTEM`` (the ``X-Road-Client`` header form).
- :class:`ServiceId`: a provider plus service code (and, for SOAP, an optional version). The
  REST form is ``INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE``: no version, subsystem required.
- :class:`SecurityServerId`: ``INSTANCE/CLASS/MEMBER/SERVERCODE`` (``X-Road-Security-Server``).
- :class:`RepresentedParty`: ``[partyClass/]partyCode`` (``X-Road-Represented-Party``).

In every path form each part is UTF-8 percent-encoded on its own and the ``/`` separators stay
literal, so a ``/`` inside a part travels as ``%2F``. Parts must be non-empty and free of
control characters (always enforced). X-Road's strict character set (``A-Z a-z 0-9`` and
``' ( ) + , - . = ?``) is checked by :meth:`validate`: a warning by default, an
:class:`~xroad_client.errors.IdentifierError` in strict mode.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import quote, unquote

from xroad_client.errors import IdentifierError

__all__ = [
    "ClientId",
    "IdentifierWarning",
    "RepresentedParty",
    "RestTarget",
    "SecurityServerId",
    "ServiceId",
    "check_strict",
    "parse_rest_target",
]

ObjectType = Literal["MEMBER", "SUBSYSTEM"]

_STRICT: Final = re.compile(r"[A-Za-z0-9'()+,\-.=?]*")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_PROTOCOL: Final = re.compile(r"r\d+")
_STRICT_HELP: Final = "allowed are A-Z a-z 0-9 and ' ( ) + , - . = ?"


class IdentifierWarning(UserWarning):
    """An identifier part uses characters outside X-Road's strict set."""


def _require_well_formed(value: str, field: str) -> None:
    if not isinstance(value, str) or not value:
        raise IdentifierError(f"{field} must be a non-empty string, got {value!r}")
    if _CONTROL.search(value):
        raise IdentifierError(f"{field} {value!r} contains a control character")


def check_strict(value: str, field: str, *, strict: bool) -> None:
    """Warn (or raise when ``strict``) if ``value`` leaves X-Road's strict character set."""
    if _STRICT.fullmatch(value):
        return
    bad = "".join(sorted({ch for ch in value if not _STRICT.fullmatch(ch)}))
    message = f"{field} {value!r} uses characters outside the X-Road strict set ({bad!r}); "
    message += _STRICT_HELP
    if strict:
        raise IdentifierError(message)
    warnings.warn(message, IdentifierWarning, stacklevel=3)


def _encode(parts: tuple[str, ...]) -> str:
    return "/".join(quote(part, safe="") for part in parts)


def _decode_part(part: str, field: str) -> str:
    try:
        value = unquote(part, errors="strict")
    except UnicodeDecodeError as exc:
        raise IdentifierError(f"{field} {part!r} is not valid percent-encoded UTF-8") from exc
    _require_well_formed(value, field)
    return value


def _split(text: str, kind: str, sizes: tuple[int, ...]) -> list[str]:
    if not isinstance(text, str) or not text:
        raise IdentifierError(f"{kind} must be a non-empty string, got {text!r}")
    parts = text.split("/")
    if len(parts) not in sizes:
        expected = " or ".join(str(size) for size in sizes)
        raise IdentifierError(
            f"{kind} {text!r} has {len(parts)} part(s), expected {expected} separated by '/'"
            " (each part percent-encoded on its own, separators literal)"
        )
    return parts


_CLIENT_FIELDS: Final = ("instance", "member class", "member code", "subsystem code")


@dataclass(frozen=True, slots=True)
class ClientId:
    """A member (no subsystem) or a subsystem: the identity in ``X-Road-Client``."""

    instance: str
    member_class: str
    member_code: str
    subsystem_code: str | None = None

    def __post_init__(self) -> None:
        for field, value in zip(_CLIENT_FIELDS, self._values(), strict=False):
            _require_well_formed(value, field)

    def _values(self) -> tuple[str, ...]:
        head = (self.instance, self.member_class, self.member_code)
        return head if self.subsystem_code is None else (*head, self.subsystem_code)

    @property
    def parts(self) -> tuple[str, ...]:
        return self._values()

    @property
    def object_type(self) -> ObjectType:
        return "MEMBER" if self.subsystem_code is None else "SUBSYSTEM"

    @property
    def member(self) -> ClientId:
        return ClientId(self.instance, self.member_class, self.member_code)

    def subsystem(self, code: str) -> ClientId:
        return ClientId(self.instance, self.member_class, self.member_code, code)

    def service(self, code: str, version: str | None = None) -> ServiceId:
        return ServiceId(self, code, version)

    def encode(self) -> str:
        """The percent-encoded path form, e.g. ``EE/GOV/123/sub%2Fsystem``."""
        return _encode(self.parts)

    def validate(self, *, strict: bool) -> None:
        for field, value in zip(_CLIENT_FIELDS, self.parts, strict=False):
            check_strict(value, f"client {field}", strict=strict)

    @classmethod
    def decode(cls, text: str) -> ClientId:
        """Decode ``INSTANCE/CLASS/MEMBER[/SUBSYSTEM]`` without the strict character check."""
        raw = _split(text, "client id", (3, 4))
        return cls(*[_decode_part(p, f) for p, f in zip(raw, _CLIENT_FIELDS, strict=False)])

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> ClientId:
        """Parse ``INSTANCE/CLASS/MEMBER[/SUBSYSTEM]`` (percent-encoded parts) and check it."""
        client = cls.decode(text)
        client.validate(strict=strict)
        return client

    def __str__(self) -> str:
        return self.encode()


@dataclass(frozen=True, slots=True)
class ServiceId:
    """A service: its provider (member or subsystem), code and optional (SOAP) version."""

    provider: ClientId
    service_code: str
    service_version: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.provider, ClientId):
            raise IdentifierError(f"service provider must be a ClientId, got {self.provider!r}")
        _require_well_formed(self.service_code, "service code")
        if self.service_version is not None:
            _require_well_formed(self.service_version, "service version")

    @property
    def instance(self) -> str:
        return self.provider.instance

    @property
    def versionless(self) -> ServiceId:
        """The id without version: the key of access rights."""
        return ServiceId(self.provider, self.service_code)

    def encode(self) -> str:
        """The REST path form ``INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE``."""
        if self.provider.subsystem_code is None:
            raise IdentifierError(
                f"REST services must sit under a subsystem; {self.provider} is a member"
            )
        return _encode((*self.provider.parts, self.service_code))

    def validate(self, *, strict: bool) -> None:
        self.provider.validate(strict=strict)
        check_strict(self.service_code, "service code", strict=strict)
        if self.service_version is not None:
            check_strict(self.service_version, "service version", strict=strict)

    @classmethod
    def decode(cls, text: str) -> ServiceId:
        """Decode the REST form without the strict character check."""
        raw = _split(text, "service id", (5,))
        fields = (*_CLIENT_FIELDS, "service code")
        parts = [_decode_part(p, f) for p, f in zip(raw, fields, strict=True)]
        return cls(ClientId(*parts[:4]), parts[4])

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> ServiceId:
        """Parse the REST form ``INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE`` and check it."""
        service = cls.decode(text)
        service.validate(strict=strict)
        return service

    def __str__(self) -> str:
        text = _encode((*self.provider.parts, self.service_code))
        return text if self.service_version is None else f"{text}/{quote(self.service_version)}"


@dataclass(frozen=True, slots=True)
class SecurityServerId:
    """A Security Server, used to pin the provider side with ``X-Road-Security-Server``."""

    owner: ClientId
    server_code: str

    def __post_init__(self) -> None:
        if self.owner.subsystem_code is not None:
            raise IdentifierError(f"a security server owner is a member, not {self.owner}")
        _require_well_formed(self.server_code, "server code")

    def encode(self) -> str:
        return _encode((*self.owner.parts, self.server_code))

    def validate(self, *, strict: bool) -> None:
        self.owner.validate(strict=strict)
        check_strict(self.server_code, "server code", strict=strict)

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> SecurityServerId:
        raw = _split(text, "security server id", (4,))
        fields = (*_CLIENT_FIELDS[:3], "server code")
        parts = [_decode_part(p, f) for p, f in zip(raw, fields, strict=True)]
        server = cls(ClientId(*parts[:3]), parts[3])
        server.validate(strict=strict)
        return server

    def __str__(self) -> str:
        return self.encode()


@dataclass(frozen=True, slots=True)
class RepresentedParty:
    """The party a call is made for (third-party representation extension)."""

    party_code: str
    party_class: str | None = None

    def __post_init__(self) -> None:
        _require_well_formed(self.party_code, "party code")
        if self.party_class is not None:
            _require_well_formed(self.party_class, "party class")

    def encode(self) -> str:
        if self.party_class is None:
            return _encode((self.party_code,))
        return _encode((self.party_class, self.party_code))

    def validate(self, *, strict: bool) -> None:
        check_strict(self.party_code, "party code", strict=strict)
        if self.party_class is not None:
            check_strict(self.party_class, "party class", strict=strict)

    def __str__(self) -> str:
        return self.encode()


@dataclass(frozen=True, slots=True)
class RestTarget:
    """A parsed ``/r1/{service}/{path}?{query}`` request target."""

    protocol_version: str
    service: ServiceId
    service_path: str
    query: str


def parse_rest_target(target: str) -> RestTarget:
    """Split a raw (still percent-encoded) request target into protocol, service and path.

    The service path stays percent-encoded, as a Security Server forwards it;
    ``.../SERVICECODE/`` yields ``/`` and ``.../SERVICECODE`` an empty path.
    """
    path, _, query = target.partition("?")
    segments = path.split("/")
    if len(segments) < 2 or segments[0] != "" or not _PROTOCOL.fullmatch(segments[1]):
        raise IdentifierError(f"{target!r} does not start with /rN/ (e.g. /r1/)")
    ids = segments[2:7]
    if len(ids) < 5:
        raise IdentifierError(
            f"{target!r} names {len(ids)} identifier part(s); a REST service needs 5:"
            " INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE"
        )
    fields = (*_CLIENT_FIELDS, "service code")
    parts = [_decode_part(p, f) for p, f in zip(ids, fields, strict=True)]
    service = ServiceId(ClientId(*parts[:4]), parts[4])
    rest = segments[7:]
    service_path = "/" + "/".join(rest) if rest else ""
    return RestTarget(segments[1], service, service_path, query)
