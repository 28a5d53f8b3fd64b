"""The emulated X-Road world in plain Python objects: members, subsystems, services, rights.

>>> topology = Topology(instance="MX", error_spelling=ErrorSpelling.V7_8)
>>> portal = topology.add_member("MX/GOB/E24", "Empresa24", subsystems={"portal": "Portal"})
>>> sat = topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": "RFC register"})
>>> service = topology.add_service(
...     RestService(id=ServiceId.parse("MX/GOB/SAT/rfc/validate"), provider=AsgiProvider(app))
... )
>>> service.allow(ClientId.parse("MX/GOB/E24/portal"), method="GET", path="/rfc/*")
>>> topology.connect(ClientId.parse("MX/GOB/E24/portal"), ConnectionType.HTTPS)
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal
from urllib.parse import unquote

from xroad_client.codes import ErrorSpelling
from xroad_client.emulator._asgi import ASGIApp
from xroad_client.emulator.connections import Certificate, Connection, ConnectionType
from xroad_client.identifiers import ClientId, ServiceId
from xroad_client.metadata import ClientInfo, Endpoint

__all__ = [
    "MAX_LOGGABLE_BODY_SIZE",
    "AccessRight",
    "AsgiProvider",
    "BadRequestStyle",
    "HttpProvider",
    "Member",
    "Provider",
    "RestService",
    "Service",
    "SoapService",
    "Topology",
    "path_glob_matches",
]


class BadRequestStyle(enum.Enum):
    """How a malformed r1 request (bad URI, verb or X-Road-Client, or none) is answered.

    ``IMPLEMENTATION`` (the default): as X-Road 7.7 and 7.8 answer it. A missing
    X-Road-Client gives 500 ``Server.ClientProxy.InvalidClientIdentifier``; a malformed URI,
    an unknown verb or a badly formed X-Road-Client give 500 ``Server.ClientProxy.InternalError``.
    ``SPEC``: 400 ``Client.BadRequest`` for all of them, as the example in PR-REST §4.6 shows.
    No Security Server release answers so; it is kept only to replay that example.
    """

    IMPLEMENTATION = "implementation"
    SPEC = "spec"


#: The message log's default limit for a REST body (``max-loggable-body-size``, 10 MiB).
MAX_LOGGABLE_BODY_SIZE: Final = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AsgiProvider:
    """A provider information system served in-process by an ASGI app.

    ``base_url`` is the service URL the provider sees (its host and path prefix).
    """

    app: ASGIApp
    base_url: str = "http://provider.invalid"


@dataclass(frozen=True, slots=True)
class HttpProvider:
    """A provider reached over real HTTP(S) at ``base_url`` (e.g. the portal's agency API).

    ``verify`` is True (system CAs), False, or a CA bundle path for https providers.
    """

    base_url: str
    verify: bool | str = True


Provider = AsgiProvider | HttpProvider


def path_glob_matches(pattern: str, path: str) -> bool:
    """X-Road endpoint globs: ``*`` matches within one segment, ``**`` across segments."""
    if pattern in ("**", "/**"):
        return True
    regex = "".join(
        ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
        for part in re.split(r"(\*\*|\*)", pattern)
    )
    return re.fullmatch(regex, path) is not None


def _normalised_path(path: str) -> str | None:
    """The decoded provider path for ACL matching; None for traversal attempts."""
    decoded = unquote(path)
    segments = decoded.split("/")
    if any(segment in ("..", ".") for segment in segments):
        return None
    return decoded


@dataclass(frozen=True, slots=True)
class AccessRight:
    """``client`` may call the service with ``method`` (``*`` any) on ``path`` (a glob)."""

    client: ClientId
    method: str = "*"
    path: str = "**"

    def permits(self, client: ClientId, method: str, path: str) -> bool:
        if client != self.client:
            return False
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        normalised = _normalised_path(path)
        return normalised is not None and path_glob_matches(self.path, normalised)


@dataclass(kw_only=True)
class Service:
    """What REST and SOAP services share: id, provider, rights, timeout, disabled notice."""

    kind: ClassVar[Literal["REST", "SOAP"]]

    id: ServiceId
    provider: Provider
    access: list[AccessRight] = field(default_factory=list)
    timeout_s: float = 60.0
    disabled_notice: str | None = None

    def allow(self, client: ClientId, *, method: str = "*", path: str = "**") -> AccessRight:
        right = AccessRight(client, method, path)
        self.access.append(right)
        return right

    def allows(self, client: ClientId, method: str, path: str) -> bool:
        return any(right.permits(client, method, path) for right in self.access)

    def rights_of(self, client: ClientId) -> list[AccessRight]:
        return [right for right in self.access if right.client == client]


def _openapi_endpoints(openapi: Mapping[str, Any]) -> list[Endpoint]:
    methods = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    paths = openapi.get("paths", {})
    endpoints = []
    for path, operations in paths.items() if isinstance(paths, Mapping) else ():
        glob = re.sub(r"\{[^}/]+\}", "*", str(path))
        for method in methods:
            if isinstance(operations, Mapping) and method in operations:
                endpoints.append(Endpoint(method.upper(), glob))
    return endpoints


@dataclass(kw_only=True)
class RestService(Service):
    """A REST service; ``openapi`` (dict, or YAML/JSON text) is served by getOpenAPI."""

    kind: ClassVar[Literal["REST", "SOAP"]] = "REST"

    openapi: Mapping[str, Any] | str | None = None
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def service_type(self) -> Literal["REST", "OPENAPI"]:
        return "OPENAPI" if self.openapi is not None else "REST"

    def listed_endpoints(self) -> list[Endpoint]:
        """Declared endpoints, else those of the OpenAPI description."""
        if self.endpoints or not isinstance(self.openapi, Mapping):
            return list(self.endpoints)
        return _openapi_endpoints(self.openapi)


@dataclass(kw_only=True)
class SoapService(Service):
    """A SOAP (WSDL) service; the provider receives the envelope as POSTed.

    ``wsdl`` (text or bytes) is served by getWsdl, its ``soap:address`` rewritten.
    """

    kind: ClassVar[Literal["REST", "SOAP"]] = "SOAP"

    wsdl: str | bytes | None = None


@dataclass
class Member:
    """A member (``id`` without subsystem) with its subsystems: code -> subsystem name."""

    id: ClientId
    name: str
    subsystems: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.id.subsystem_code is not None:
            raise ValueError(f"a member id has no subsystem code: {self.id}")

    def clients(self) -> list[ClientInfo]:
        infos = [ClientInfo(self.id, self.name)]
        for code, subsystem_name in self.subsystems.items():
            infos.append(ClientInfo(self.id.subsystem(code), self.name, subsystem_name))
        return infos


def _client(value: ClientId | str) -> ClientId:
    return value if isinstance(value, ClientId) else ClientId.decode(value)


@dataclass
class Topology:
    """The whole emulated world; mutable at run time (the emulator reads it live).

    ``instance`` is the emulated Security Server's own instance (listClients lists it by
    default, and prefixes the X-Road-Ids it mints). ``local_clients`` are the clients registered
    on the emulated consumer Security Server; None means every member and subsystem may call.
    ``max_loggable_body_size`` is the message log's limit for a REST request body in bytes
    (None: no limit); a larger body is refused with ``Server.ClientProxy.IOError``
    "LoggingFailed: Message size exceeds maximum loggable size".
    """

    instance: str = "DEV"
    error_spelling: ErrorSpelling = ErrorSpelling.V7_7
    bad_request_style: BadRequestStyle = BadRequestStyle.IMPLEMENTATION
    max_loggable_body_size: int | None = MAX_LOGGABLE_BODY_SIZE
    members: list[Member] = field(default_factory=list)
    services: list[RestService | SoapService] = field(default_factory=list)
    local_clients: list[ClientId] | None = None
    connections: dict[ClientId, Connection] = field(default_factory=dict)

    def add_member(
        self,
        member: ClientId | str,
        name: str,
        *,
        subsystems: Mapping[str, str | None] | None = None,
    ) -> Member:
        record = Member(_client(member), name, dict(subsystems or {}))
        self.members.append(record)
        return record

    def add_service(self, service: RestService | SoapService) -> RestService | SoapService:
        self.services.append(service)
        return service

    def connect(
        self,
        client: ClientId | str,
        connection_type: ConnectionType = ConnectionType.HTTP,
        *,
        certificates: Iterable[Certificate] | None = None,
    ) -> Connection:
        """Set how ``client`` must connect: HTTP, HTTPS without or with a client certificate.

        ``certificates`` (PEM or DER) are the client's "Information System TLS certificates";
        when None, any certificate the server's TLS layer verified is accepted.
        """
        connection = Connection.of(connection_type, certificates)
        self.connections[_client(client)] = connection
        return connection

    def connection_of(self, client: ClientId) -> Connection:
        return self.connections.get(client, Connection())

    def member(self, client: ClientId) -> Member | None:
        return next((m for m in self.members if m.id == client.member), None)

    def knows(self, client: ClientId) -> bool:
        """True when the member (and the subsystem, if any) is registered."""
        record = self.member(client)
        if record is None:
            return False
        return client.subsystem_code is None or client.subsystem_code in record.subsystems

    def is_local(self, client: ClientId) -> bool:
        if self.local_clients is None:
            return self.knows(client)
        return client in self.local_clients

    def find_service(self, service: ServiceId) -> RestService | SoapService | None:
        """The registered service with this provider and code (and version, when both set)."""
        for candidate in self.services:
            same = (
                candidate.id.provider == service.provider
                and candidate.id.service_code == service.service_code
            )
            versions = (candidate.id.service_version, service.service_version)
            if same and (None in versions or versions[0] == versions[1]):
                return candidate
        return None

    def services_of(self, provider: ClientId) -> list[RestService | SoapService]:
        return [service for service in self.services if service.id.provider == provider]

    def clients(self, instance: str | None = None) -> list[ClientInfo]:
        wanted = instance or self.instance
        return [info for m in self.members if m.id.instance == wanted for info in m.clients()]
