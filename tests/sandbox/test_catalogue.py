"""The X-Road topology the emulator will read from sandbox.catalogue."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from starlette.applications import Starlette

from sandbox.catalogue import BANK, CATALOGUE, PORTAL, ProviderService

# REFERENCE.md section 1: strict identifier characters, and the reserved service codes.
STRICT_IDENTIFIER = re.compile(r"^[A-Za-z0-9'()+,\-.=?]+$")
RESERVED_SERVICE_CODES = {"listMethods", "allowedMethods", "getOpenAPI", "getWsdl"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def glob_matches(glob: str, path: str) -> bool:
    """X-Road path globs: `*` one segment, `**` any number of segments."""
    pattern = "/".join(
        ".*" if part == "**" else "[^/]+" if part == "*" else re.escape(part)
        for part in glob.split("/")
    )
    return re.fullmatch(pattern, path) is not None


def example_path(template: str) -> str:
    return re.sub(r"{\w+}", "X", template)


def operations(service: ProviderService) -> set[tuple[str, str]]:
    return {
        (method.upper(), example_path(path))
        for path, item in service.load_openapi()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def allowed(service: ProviderService, client: object, method: str, path: str) -> bool:
    return any(
        right.client == client and right.method == method and glob_matches(right.path, path)
        for right in service.access_rights
    )


def test_portal_is_the_client_subsystem_of_instance_mx_dev() -> None:
    assert CATALOGUE.instance == "MX-DEV"
    assert str(PORTAL) == "MX-DEV/GOV/QRO-SEDESU/empresa24"
    assert PORTAL in CATALOGUE.clients


@pytest.mark.parametrize(
    ("name", "service_id"),
    [
        ("population", "MX-DEV/GOV/RENAPO/poblacion/personas"),
        ("tax", "MX-DEV/GOV/SAT/padron/contribuyentes"),
        ("certificates", "MX-DEV/GOV/SAT/padron/certificados"),
        ("notaries", "MX-DEV/GOV/QRO-NOTARIAS/notarias/notarios"),
        ("payments", "MX-DEV/GOV/QRO-FINANZAS/pagos/referencias"),
    ],
)
def test_each_registry_is_a_subsystem_with_one_rest_service(name: str, service_id: str) -> None:
    assert CATALOGUE.service(name).service_id == service_id


def test_identifiers_use_strict_characters_and_no_reserved_service_code() -> None:
    parts = [part for client in CATALOGUE.clients for part in client.parts]
    for service in CATALOGUE.services:
        parts += [*service.provider.parts, service.service_code]
        assert service.service_code not in RESERVED_SERVICE_CODES

    assert [part for part in parts if not STRICT_IDENTIFIER.match(part)] == []


@pytest.mark.parametrize("service", CATALOGUE.services, ids=lambda s: s.name)
def test_app_factory_and_openapi_resolve(service: ProviderService) -> None:
    app = service.load_app_factory()(data_dir=None)

    assert isinstance(app, Starlette)
    assert service.load_openapi()["openapi"].startswith("3.")


@pytest.mark.parametrize("service", CATALOGUE.services, ids=lambda s: s.name)
def test_every_access_right_matches_a_described_operation(service: ProviderService) -> None:
    described = operations(service)

    for right in service.access_rights:
        assert right.client in CATALOGUE.clients
        assert any(
            method == right.method and glob_matches(right.path, path) for method, path in described
        ), right


@pytest.mark.parametrize("service", CATALOGUE.services, ids=lambda s: s.name)
def test_portal_may_call_every_operation_except_the_bank_payment(
    service: ProviderService,
) -> None:
    for method, path in operations(service):
        is_bank_payment = path.endswith("/pay")
        assert allowed(service, PORTAL, method, path) is not is_bank_payment, (method, path)
        assert allowed(service, BANK, method, path) is is_bank_payment, (method, path)


def test_glob_matching_follows_x_road_rules() -> None:
    assert glob_matches("/v1/personas/*", "/v1/personas/RAOA900514MQTMLN01")
    assert not glob_matches("/v1/personas/*", "/v1/personas/a/b")
    assert glob_matches("/v1/**", "/v1/personas/a/b")


def test_sandbox_runs_without_django() -> None:
    modules = [service.app_factory.partition(":")[0] for service in CATALOGUE.services]
    script = "; ".join(
        [f"import {module}" for module in ["sandbox.catalogue", *modules]]
        + ["import sys", "assert not [m for m in sys.modules if m.startswith('django')]"]
    )

    subprocess.run([sys.executable, "-c", script], check=True)
