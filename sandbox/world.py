"""The sandbox's X-Road world: the catalogue's registries behind one emulated Security Server."""

from __future__ import annotations

from pathlib import Path

from sandbox.catalogue import CATALOGUE, Catalogue, SubsystemId
from xroad_client import ClientId, ErrorSpelling, ServiceId
from xroad_client.emulator import AsgiProvider, Emulator, HttpProvider, RestService, Topology


def _client(subsystem: SubsystemId) -> ClientId:
    return ClientId.decode(str(subsystem))


def build_topology(
    catalogue: Catalogue = CATALOGUE,
    *,
    data_dir: Path | None = None,
    spelling: ErrorSpelling = ErrorSpelling.V7_7,
) -> Topology:
    topology = Topology(instance=catalogue.instance, error_spelling=spelling)
    subsystems = [*catalogue.clients, *(s.provider for s in catalogue.services)]
    members: dict[ClientId, dict[str, str | None]] = {}
    for subsystem in subsystems:
        client = _client(subsystem)
        members.setdefault(client.member, {})[subsystem.subsystem_code] = None
    for member, codes in members.items():
        topology.add_member(member, member.member_code, subsystems=codes)
    for entry in catalogue.services:
        app = entry.load_app_factory()(data_dir=data_dir)
        service = RestService(
            id=ServiceId.decode(entry.service_id),
            provider=AsgiProvider(app, base_url=f"http://{entry.name}.sandbox.invalid"),
            openapi=entry.load_openapi(),
        )
        for right in entry.access_rights:
            service.allow(_client(right.client), method=right.method, path=right.path)
        topology.add_service(service)
    return topology


def add_http_service(
    topology: Topology,
    service_id: str,
    base_url: str,
    *,
    clients: list[str],
    openapi: dict[str, object] | None = None,
) -> RestService:
    """Register a provider reached over real HTTP (the portal's own agency API, for instance)."""
    service = RestService(
        id=ServiceId.decode(service_id), provider=HttpProvider(base_url), openapi=openapi
    )
    for client in clients:
        service.allow(ClientId.decode(client))
    topology.add_service(service)
    return service


def build_emulator(
    *, data_dir: Path | None = None, spelling: ErrorSpelling = ErrorSpelling.V7_7
) -> Emulator:
    return Emulator(build_topology(data_dir=data_dir, spelling=spelling))


def provider_app(emulator: Emulator, service_id: str) -> object:
    """The in-process app behind one of the topology's services (its ``state`` is what a test
    looks at, e.g. ``.state.agency`` of the pieces' agencies)."""
    service = emulator.topology.find_service(ServiceId.decode(service_id))
    assert service is not None and isinstance(service.provider, AsgiProvider)
    return service.provider.app
