"""The agency API in the sandbox's X-Road emulator, so the demo can call the register over X-Road.

Provider subsystem ``MX-DEV/GOV/QRO-SEDESU/registro`` with one REST service per path group of
the API; the emulator forwards ``/r1/MX-DEV/GOV/QRO-SEDESU/registro/empresas/QRO-2026-000001``
to ``{base_url}/empresas/QRO-2026-000001``. Only emulator objects here: no Django models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.world import add_http_service
from xroad_client import ClientId
from xroad_client.emulator import RestService, Topology

PROVIDER = "MX-DEV/GOV/QRO-SEDESU/registro"
SERVICES = ("empresas", "documentos", "cambios")
CLIENTS = ("MX-DEV/GOV/SAT/padron",)


def _ensure_subsystem(topology: Topology, subsystem: str, name: str) -> None:
    client = ClientId.decode(subsystem)
    assert client.subsystem_code is not None
    member = topology.member(client)
    if member is None:
        member = topology.add_member(client.member, client.member.member_code)
    member.subsystems.setdefault(client.subsystem_code, name)


def service_openapi(document: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The part of the API's description (paths relative to the API root, as
    ``api.get_openapi_schema(path_prefix="")`` gives them) that the X-Road service ``code``
    serves, re-rooted at the service: ``/empresas/{numero}`` becomes ``/{numero}``."""
    prefix = f"/{code}"
    paths = {
        path.removeprefix(prefix) or "/": item
        for path, item in document.get("paths", {}).items()
        if path == prefix or path.startswith(prefix + "/")
    }
    return {**document, "paths": paths}


def register_in_emulator(
    topology: Topology,
    base_url: str,
    *,
    clients: tuple[str, ...] = CLIENTS,
    openapi: dict[str, Any] | None = None,
) -> list[RestService]:
    """Register the API's services; ``base_url`` is the portal's API root, e.g.
    ``http://127.0.0.1:8000/api/v1``; ``openapi``, the API's description, is split per service
    for X-Road's getOpenAPI and listMethods. The portal's own allowlist (``AgencyAccess``) must
    also let ``clients`` in: the emulator checks X-Road's access rights, the portal its own."""
    _ensure_subsystem(topology, PROVIDER, "Registro Público de Empresas")
    for client in clients:
        _ensure_subsystem(topology, client, ClientId.decode(client).subsystem_code or client)
    root = base_url.rstrip("/")
    return [
        add_http_service(
            topology,
            f"{PROVIDER}/{code}",
            f"{root}/{code}",
            clients=list(clients),
            openapi=service_openapi(openapi, code) if openapi is not None else None,
        )
        for code in SERVICES
    ]
