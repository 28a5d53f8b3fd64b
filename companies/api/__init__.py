"""The agency API: the business register as an X-Road REST provider (mounted at ``api/v1/``).

Three services, each with its own allowlist entries in the admin: ``empresas`` (a company by
number, search, officers), ``documentos`` (document metadata) and ``cambios`` (the change feed).
The OpenAPI 3 description is generated from the code and served at ``openapi.json``.
"""

from __future__ import annotations

from ninja import NinjaAPI

from companies.api import views
from companies.api.errors import install_handlers

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

__all__ = ["api"]
