"""The agency API: the business register as an X-Road REST provider (mounted at ``api/v1/``).

Three services, each with its own allowlist entries in the admin: ``empresas`` (a company by
number, search, officers), ``documentos`` (document metadata) and ``cambios`` (the change feed).
The OpenAPI 3 description is generated from the code and served at ``openapi.json``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, re_path
from ninja import NinjaAPI

from companies.api import views
from companies.api.errors import in_spanish, install_handlers, no_such_address

DESCRIPTION = (
    "El Registro Público de Empresas de Querétaro para otras dependencias, por X-Road. "
    "Cada petición lleva X-Road-Client (el subsistema que llama; si hay varios cuenta el "
    "último) y el subsistema debe estar autorizado para el servicio: empresas, documentos o "
    "cambios. Solo responde al servidor de seguridad X-Road del registro (por su certificado "
    "TLS o su dirección): otra conexión recibe 403 untrusted_connection. Los errores son JSON "
    "con un código estable (code)."
)

api = NinjaAPI(
    title="Registro Público de Empresas de Querétaro — API para dependencias",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="agency-api",
    docs_url=None,
)
install_handlers(api)
api.add_router("/empresas", views.companies)
api.add_router("/documentos", views.documents)
api.add_router("/cambios", views.changes)
api.add_router("/esquemas", views.filing_schemas_router)


# The operations whose usual request is answered before ninja's machinery, by URL name.
ANSWERED_AT_ONCE = {views.company.__name__: views.COMPANY, views.officers.__name__: views.OFFICERS}


def _callback(pattern: URLPattern) -> Any:
    spanish = in_spanish(pattern.callback)
    resource = ANSWERED_AT_ONCE.get(pattern.name or "")
    return spanish if resource is None else views.answered_at_once(resource, spanish)


def _urls() -> tuple[list[Any], str, str]:
    """The API's URLs for ``include``: each answered in Spanish (a kept company answered at
    once, ``views.answered_at_once``), and a JSON 404 for the rest."""
    patterns, app_name, namespace = api.urls
    spanish = [
        URLPattern(p.pattern, _callback(p), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    return [*spanish, re_path(r"", in_spanish(no_such_address))], app_name, namespace


urls = _urls()

__all__ = ["api", "urls"]
