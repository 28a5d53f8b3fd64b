"""The X-Road topology the sandbox registers in the emulator, as plain data.

Instance `MX-DEV`; the portal is the client subsystem `MX-DEV/GOV/QRO-SEDESU/empresa24`;
each registry is a provider subsystem with one REST service (the tax registry's has two:
taxpayers, and the status of e.firma certificates). Paths in access rights are
relative to the service (what the provider app sees) and use X-Road's globs: `*` matches
one path segment, `**` any number. Nothing here imports the emulator or the providers;
`app_factory` and `openapi` are dotted paths (`module:attribute`) resolved on demand.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

INSTANCE = "MX-DEV"


@dataclasses.dataclass(frozen=True)
class SubsystemId:
    instance: str
    member_class: str
    member_code: str
    subsystem_code: str

    def __str__(self) -> str:
        """The REST encoding, e.g. `MX-DEV/GOV/RENAPO/poblacion` (X-Road-Client header)."""
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem_code}"

    @property
    def parts(self) -> tuple[str, str, str, str]:
        return (self.instance, self.member_class, self.member_code, self.subsystem_code)


@dataclasses.dataclass(frozen=True)
class AccessRight:
    """`client` may call `method` on service paths matching `path` (glob)."""

    client: SubsystemId
    method: str
    path: str


@dataclasses.dataclass(frozen=True)
class ProviderService:
    """One registry: its subsystem, REST service code, app, OpenAPI and access rights."""

    name: str
    provider: SubsystemId
    service_code: str
    app_factory: str
    openapi: str
    access_rights: tuple[AccessRight, ...]

    @property
    def service_id(self) -> str:
        """The REST encoding of the service, e.g. `MX-DEV/GOV/RENAPO/poblacion/personas`."""
        return f"{self.provider}/{self.service_code}"

    def load_app_factory(self) -> Callable[..., Any]:
        """`create_app(data_dir=None)` of the provider module."""
        factory = _resolve(self.app_factory)
        assert callable(factory)
        return factory

    def load_openapi(self) -> dict[str, Any]:
        """The provider's OpenAPI 3 document, as served for X-Road's getOpenAPI."""
        document = _resolve(self.openapi)
        assert isinstance(document, dict)
        return document


@dataclasses.dataclass(frozen=True)
class Catalogue:
    instance: str
    clients: tuple[SubsystemId, ...]
    services: tuple[ProviderService, ...]

    def service(self, name: str) -> ProviderService:
        return next(service for service in self.services if service.name == name)


def _resolve(dotted: str) -> object:
    module_name, _, attribute = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


PORTAL = SubsystemId(INSTANCE, "GOV", "QRO-SEDESU", "empresa24")
"""The portal's client subsystem."""

BANK = SubsystemId(INSTANCE, "COM", "BANCO-SANDBOX", "cobranza")
"""The sandbox's stand-in for the bank that collects fees: the only caller of `.../pay`."""

POPULATION = ProviderService(
    name="population",
    provider=SubsystemId(INSTANCE, "GOV", "RENAPO", "poblacion"),
    service_code="personas",
    app_factory="sandbox.providers.population:create_app",
    openapi="sandbox.providers.population:OPENAPI",
    access_rights=(AccessRight(PORTAL, "GET", "/v1/personas/*"),),
)

TAX = ProviderService(
    name="tax",
    provider=SubsystemId(INSTANCE, "GOV", "SAT", "padron"),
    service_code="contribuyentes",
    app_factory="sandbox.providers.tax:create_app",
    openapi="sandbox.providers.tax:OPENAPI",
    access_rights=(
        AccessRight(PORTAL, "GET", "/v1/contribuyentes/*"),
        AccessRight(PORTAL, "POST", "/v1/contribuyentes/personas-morales"),
    ),
)

CERTIFICATES = ProviderService(
    name="certificates",
    provider=TAX.provider,
    service_code="certificados",
    app_factory="sandbox.providers.certificates:create_app",
    openapi="sandbox.providers.certificates:OPENAPI",
    access_rights=(AccessRight(PORTAL, "POST", "/v1/ocsp"),),
)
"""e.firma certificate status (OCSP): a second service of the tax registry's subsystem."""

NOTARIES = ProviderService(
    name="notaries",
    provider=SubsystemId(INSTANCE, "GOV", "QRO-NOTARIAS", "notarias"),
    service_code="notarios",
    app_factory="sandbox.providers.notaries:create_app",
    openapi="sandbox.providers.notaries:OPENAPI",
    access_rights=(
        AccessRight(PORTAL, "GET", "/v1/notarios/*/*"),
        AccessRight(PORTAL, "GET", "/v1/notarios/*/*/escrituras/*"),
    ),
)

PAYMENTS = ProviderService(
    name="payments",
    provider=SubsystemId(INSTANCE, "GOV", "QRO-FINANZAS", "pagos"),
    service_code="referencias",
    app_factory="sandbox.providers.payments:create_app",
    openapi="sandbox.providers.payments:OPENAPI",
    access_rights=(
        AccessRight(PORTAL, "POST", "/v1/referencias"),
        AccessRight(PORTAL, "GET", "/v1/referencias/*"),
        AccessRight(BANK, "POST", "/v1/referencias/*/pay"),
    ),
)

# The pieces after registration (sandbox/providers/procedures.py): agencies that joined the
# one window. A municipality that has not joined (Corregidora) has no service here: the portal
# shows its own instructions (companies/data/connectors.json).

COMMERCE_REGISTER = ProviderService(
    name="commerce_register",
    provider=SubsystemId(INSTANCE, "GOV", "SE", "siger"),
    service_code="inscripciones",
    app_factory="sandbox.providers.procedures:create_siger_app",
    openapi="sandbox.providers.procedures:SIGER_OPENAPI",
    access_rights=(AccessRight(PORTAL, "POST", "/v1/inscripciones"),),
)

EMPLOYERS = ProviderService(
    name="employers",
    provider=SubsystemId(INSTANCE, "GOV", "IMSS", "afiliacion"),
    service_code="patrones",
    app_factory="sandbox.providers.procedures:create_imss_app",
    openapi="sandbox.providers.procedures:IMSS_OPENAPI",
    access_rights=(AccessRight(PORTAL, "POST", "/v1/registros-patronales"),),
)

QUERETARO_LICENCES = ProviderService(
    name="queretaro_licences",
    provider=SubsystemId(INSTANCE, "GOV", "QRO-MUN-014", "sare"),
    service_code="licencias",
    app_factory="sandbox.providers.procedures:create_queretaro_app",
    openapi="sandbox.providers.procedures:QUERETARO_OPENAPI",
    access_rights=(AccessRight(PORTAL, "POST", "/v1/licencias"),),
)

SUBSCRIBER = ProviderService(
    name="subscriber",
    provider=TAX.provider,
    service_code="avisos",
    app_factory="sandbox.subscriber:create_app",
    openapi="sandbox.subscriber:OPENAPI",
    access_rights=(AccessRight(PORTAL, "POST", "/v1/cambios"),),
)
"""An agency that subscribed to the register's changes (the tax registry): the portal pushes
each change to it (`sandbox/subscriber.py`)."""

CATALOGUE = Catalogue(
    instance=INSTANCE,
    clients=(PORTAL, BANK),
    services=(
        POPULATION,
        TAX,
        CERTIFICATES,
        NOTARIES,
        PAYMENTS,
        COMMERCE_REGISTER,
        EMPLOYERS,
        QUERETARO_LICENCES,
        SUBSCRIBER,
    ),
)
