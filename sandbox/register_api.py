"""The portal's agency API in the sandbox's X-Road emulator, so the demo can call the register
over X-Road.

Provider subsystem ``MX-DEV/GOV/QRO-SEDESU/registro`` with one REST service per path group of
the API; the emulator forwards ``/r1/MX-DEV/GOV/QRO-SEDESU/registro/empresas/QRO-2026-000001``
to ``{base_url}/empresas/QRO-2026-000001``. The portal is reached over HTTP only: nothing here
imports Django or the portal.

The sandbox may start before the portal, so registering needs no description; the services are
plain REST until :func:`describe_when_reachable` has read the portal's ``openapi.json``, then
OPENAPI services whose getOpenAPI and listMethods follow that description.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from sandbox.world import add_http_service
from xroad_client import ClientId, ServiceId
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
    openapi: Mapping[str, Any] | None = None,
) -> list[RestService]:
    """Register the API's services; ``base_url`` is the portal's API root, e.g.
    ``http://127.0.0.1:8000/api/v1``; ``openapi``, the API's description with paths relative
    to that root, is split per service for X-Road's getOpenAPI and listMethods. The portal's own
    allowlist (``AgencyAccess``) must also let ``clients`` in: the emulator checks X-Road's
    access rights, the portal its own."""
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


def describe(topology: Topology, served: Mapping[str, Any], base_url: str) -> None:
    """Give the registered services their part of ``served``, the description as the portal
    serves it at ``{base_url}/openapi.json`` (paths start with the API root's path)."""
    root_path = urlsplit(base_url).path.rstrip("/")
    document = {
        **served,
        "paths": {
            path.removeprefix(root_path): item for path, item in served.get("paths", {}).items()
        },
    }
    for code in SERVICES:
        service = topology.find_service(ServiceId.decode(f"{PROVIDER}/{code}"))
        if isinstance(service, RestService):
            service.openapi = service_openapi(document, code)


async def describe_when_reachable(
    topology: Topology, base_url: str, *, retry_after: float = 2.0
) -> None:
    """Read ``{base_url}/openapi.json`` once the portal answers it (asking again every
    ``retry_after`` seconds until then), and :func:`describe` the registered services."""
    url = f"{base_url.rstrip('/')}/openapi.json"
    async with httpx.AsyncClient(trust_env=False, timeout=5.0) as http:
        while (served := await _fetch_description(http, url)) is None:
            await asyncio.sleep(retry_after)
    describe(topology, served, base_url)


async def _fetch_description(http: httpx.AsyncClient, url: str) -> dict[str, Any] | None:
    """The JSON object at ``url``; None while the portal is down or answers anything else."""
    try:
        response = await http.get(url)
        document = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    return document if isinstance(document, dict) and "paths" in document else None
