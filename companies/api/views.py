"""The agency API's operations, one router per service (its own allowlist entries).

empresas    GET /empresas?rfc=|nombre=   GET /empresas/{numero}   GET /empresas/{numero}/funcionarios
            GET /empresas/{numero}/tramites   GET /esquemas/tramites/{tipo}/v{version}
documentos  GET /documentos/{numero}   GET /documentos/{numero}/{tipo}/{version} (the PDF)
cambios     GET /cambios?after=&limit=
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.params.functions import Header, Path, Query

from companies.api import cache, feed, present, schemas, selectors
from companies.api.access import allowed_client, answered, service_router
from companies.api.errors import ApiError, ErrorCode
from companies.documents.verification import latest_of_each_kind
from companies.lifecycle import schemas as filing_schemas
from companies.models import AgencyService

MAX_CURSOR = 2**63 - 1
MAX_OFFSET = 10_000

REFUSALS: dict[int, type[Schema]] = {400: schemas.ErrorOut, 403: schemas.ErrorOut}
ETAG_HEADERS: dict[str, Any] = {
    "responses": {
        200: {
            "headers": {
                "ETag": {
                    "description": "Validador fuerte del documento; envíelo en If-None-Match.",
                    "schema": {"type": "string"},
                }
            }
        }
    }
}

Number = Annotated[str, Path(description="Número de inscripción.", example="QRO-2026-000001")]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", description="ETag de una respuesta anterior: 304 si no cambió."),
]

UrlView = Callable[..., HttpResponseBase]
COMPANY, OFFICERS = "empresa", "funcionarios"  # a company's resources kept as bodies

companies = service_router(AgencyService.COMPANIES)
documents = service_router(AgencyService.DOCUMENTS)
# The filings' data schemas, for whoever reads a company's filings (the empresas allowlist).
filing_schemas_router = service_router(AgencyService.COMPANIES)
changes = service_router(AgencyService.CHANGES)


def _matches(if_none_match: str | None, tag: str) -> bool:
    candidates = {c.strip().removeprefix("W/") for c in (if_none_match or "").split(",")}
    return "*" in candidates or tag in candidates


def _unless_current(
    tag: str, if_none_match: str | None, answer: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """``answer()`` with its ETag, or 304 when the client already has this tag."""
    response = HttpResponseNotModified() if _matches(if_none_match, tag) else answer()
    response["ETag"] = tag
    return response


def conditional(document: Schema, if_none_match: str | None) -> HttpResponseBase:
    """The document as JSON with its ETag, or 304 when the client already has it."""
    body = document.model_dump_json().encode()
    return _unless_current(
        present.etag(body),
        if_none_match,
        lambda: HttpResponse(body, content_type="application/json"),
    )


def conditional_body(body: cache.Body, if_none_match: str | None) -> HttpResponseBase:
    """A kept body with its ETag (computed once, when it was built), or 304."""
    return _unless_current(
        body.etag,
        if_none_match,
        lambda: HttpResponse(body.content, content_type="application/json"),
    )


def _etagged(
    router: Router, path: str, *, out: type[Schema], operation_id: str, summary: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A GET of one JSON document that carries an ETag (``conditional``) and may answer 304."""
    return router.get(
        path,
        response={200: out, 304: None, 404: schemas.ErrorOut, **REFUSALS},
        operation_id=operation_id,
        summary=summary,
        openapi_extra=ETAG_HEADERS,
    )


def answered_at_once(resource: str, operation: UrlView) -> UrlView:
    """``operation``, ninja's view of a company's ``resource``, with the usual request answered
    before it: a GET from the Security Server by a subsystem the allowlist has, for a company
    whose body is kept and unchanged since. That is all ninja would check and do for it
    (``XRoadClient``, ``cache.served``, ``conditional_body``, the request log), without its
    parameters' and response's machinery, which cost more than the rest. Any other request
    (refusals, a body to build, another method) goes on to ``operation``, which answers it as
    documented; the OpenAPI description is ninja's, of the same operation."""

    @wraps(operation)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        started = time.perf_counter()
        body = _kept_for(request, resource, str(kwargs.get("numero", "")))
        if body is None:
            return operation(request, *args, **kwargs)
        response = conditional_body(body, request.META.get("HTTP_IF_NONE_MATCH"))
        answered(request, response, service=AgencyService.COMPANIES, started=started)
        return response

    return view


def _kept_for(request: HttpRequest, resource: str, number: str) -> cache.Body | None:
    if request.method != "GET":
        return None
    client = allowed_client(request, AgencyService.COMPANIES)
    if client is None:
        return None
    body = cache.kept(resource, number)
    request.auth = client  # type: ignore[attr-defined]  # as ninja's authentication sets it
    return body


@companies.get(
    "",
    response={200: schemas.CompanyPageOut, **REFUSALS},
    operation_id="buscarEmpresas",
    summary="Buscar empresas por RFC o por nombre",
)
def search(
    request: HttpRequest,
    rfc: Annotated[str | None, Query(description="RFC exacto de la empresa.")] = None,
    nombre: Annotated[
        str | None,
        Query(max_length=150, description="Palabras del nombre; sin acentos ni mayúsculas."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> schemas.CompanyPageOut:
    page = selectors.page_of(selectors.search(rfc=rfc, name=nombre), offset=offset, limit=limit)
    items = [present.summary(company) for company in page.companies]
    return schemas.CompanyPageOut(
        count=page.count,
        count_exact=page.exact,
        has_more=page.has_more,
        limit=limit,
        offset=offset,
        items=items,
    )


@_etagged(
    companies,
    "/{numero}",
    out=schemas.CompanyOut,
    operation_id="obtenerEmpresa",
    summary="Una empresa inscrita, por número",
)
def company(request: HttpRequest, numero: Number, if_none_match: IfNoneMatch = None) -> Any:
    body = cache.served(COMPANY, numero, lambda: present.company(selectors.entry(numero)))
    return conditional_body(body, if_none_match)


@_etagged(
    companies,
    "/{numero}/funcionarios",
    out=schemas.OfficersOut,
    operation_id="funcionariosDeEmpresa",
    summary="Administradores y comisario de una empresa (solo nombres)",
)
def officers(request: HttpRequest, numero: Number, if_none_match: IfNoneMatch = None) -> Any:
    body = cache.served(OFFICERS, numero, lambda: present.officers(selectors.entry(numero)))
    return conditional_body(body, if_none_match)


@_etagged(
    companies,
    "/{numero}/tramites",
    out=schemas.FilingsOut,
    operation_id="tramitesDeEmpresa",
    summary="Los trámites inscritos de una empresa, cada uno con lo que cambió (antes, después)",
)
def company_filings(request: HttpRequest, numero: Number, if_none_match: IfNoneMatch = None) -> Any:
    def build() -> schemas.FilingsOut:
        found = selectors.company(numero)
        return present.filings(found, selectors.registered_filings(found))

    return conditional_body(cache.served("tramites", numero, build), if_none_match)


FilingType = Annotated[str, Path(description="El tipo de trámite.", example="office_change")]
SchemaVersion = Annotated[int, Path(ge=1, le=1000, description="Versión del esquema.", example=1)]


@filing_schemas_router.get(
    "/tramites/{tipo}/v{version}",
    response={200: dict[str, Any], 304: None, 404: schemas.ErrorOut, **REFUSALS},
    operation_id="esquemaDeTramite",
    summary="El esquema JSON (2020-12) de los datos de un tipo de trámite, en una versión",
    openapi_extra=ETAG_HEADERS,
)
def filing_schema(
    request: HttpRequest,
    tipo: FilingType,
    version: SchemaVersion,
    if_none_match: IfNoneMatch = None,
) -> Any:
    try:
        found = filing_schemas.schema(tipo, version)
    except filing_schemas.UnknownSchema:
        raise ApiError(
            ErrorCode.NOT_FOUND,
            _("There is no schema %(type)s v%(version)s.") % {"type": tipo, "version": version},
            status=404,
        ) from None
    body = json.dumps(found, ensure_ascii=False, sort_keys=True).encode()
    return _unless_current(
        present.etag(body),
        if_none_match,
        lambda: HttpResponse(body, content_type="application/schema+json"),
    )


@_etagged(
    documents,
    "/{numero}",
    out=schemas.DocumentsOut,
    operation_id="documentosDeEmpresa",
    summary="Metadatos de los documentos de una empresa, todas sus versiones",
)
def company_documents(
    request: HttpRequest, numero: Number, if_none_match: IfNoneMatch = None
) -> Any:
    company = selectors.company(numero)
    issued = list(company.documents.order_by("kind", "-version"))
    current = {d.pk for d in latest_of_each_kind(issued)}
    signers = selectors.articles_signers(company)
    return conditional(present.documents(company, issued, current, signers), if_none_match)


PDF_RESPONSE: dict[str, Any] = {
    "responses": {
        200: {
            "description": "El PDF sellado (PAdES), byte por byte como se emitió.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "ETag": {
                    "description": "La huella SHA-256 del archivo, entre comillas.",
                    "schema": {"type": "string"},
                }
            },
        }
    }
}
Kind = Annotated[
    schemas.DocumentKind,
    Path(description="certificado, estatutos o libro_de_registro.", example="certificado"),
]
Version = Annotated[int, Path(ge=1, le=10_000, description="Versión del documento.", example=1)]


@documents.get(
    "/{numero}/{tipo}/{version}",
    response={200: None, 304: None, 404: schemas.ErrorOut, **REFUSALS},
    operation_id="descargarDocumento",
    summary="El PDF de un documento de una empresa, tal como el registro lo emitió y selló",
    openapi_extra=PDF_RESPONSE,
)
def document_file(
    request: HttpRequest,
    numero: Number,
    tipo: Kind,
    version: Version,
    if_none_match: IfNoneMatch = None,
) -> Any:
    company = selectors.company(numero)
    document = selectors.document(company, kind=present.KINDS_BY_NAME[tipo], version=version)
    return _unless_current(
        f'"{document.sha256}"',
        if_none_match,
        lambda: FileResponse(
            document.file.open("rb"), content_type="application/pdf", filename=document.filename
        ),
    )


@changes.get(
    "",
    response={200: schemas.ChangePageOut, **REFUSALS},
    operation_id="cambiosDelRegistro",
    summary="Cambios del registro después de un cursor, en orden",
)
def change_feed(
    request: HttpRequest,
    after: Annotated[
        int, Query(ge=0, le=MAX_CURSOR, description="Último cursor procesado; 0 desde el inicio.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> schemas.ChangePageOut:
    page = feed.changes_after(after, limit=limit)
    return schemas.ChangePageOut(
        items=[present.change(event) for event in page.changes],
        next=page.next,
        has_more=page.has_more,
    )
