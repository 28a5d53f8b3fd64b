"""The agency API's documents, as pydantic models: they are the OpenAPI description.

Field names and the values of enumerations (``estado``, ``tipo``, ``cargo``) are the register's
Spanish terms, each a stable code listed as an enum in the OpenAPI description; the database
keeps its own codes and ``present`` translates them. Paging and the error envelope use the
short English words agencies' clients expect (``items``, ``count``, ``limit``, ``offset``,
``next``, ``code``, and the error codes themselves); every message for people is Spanish.
Personal identifiers of people (CURP, RFC of a person) never appear: officers are names only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from companies.api.errors import ErrorCode

CompanyStatus = Literal["activa", "disuelta"]
ChangeKind = Literal["inscripcion", "actualizacion", "disolucion"]
STATUS_DESCRIPTION = "activa, o disuelta cuando la sociedad se disolvió."
DocumentKind = Literal["certificado", "estatutos", "libro_de_registro"]


class FieldErrorOut(Schema):
    field: str = Field(description="El parámetro con el problema.")
    message: str


class ErrorOut(Schema):
    code: ErrorCode = Field(description="Código estable, para programas.")
    message: str = Field(description="Explicación para personas; puede cambiar de redacción.")
    errors: list[FieldErrorOut] = Field(default_factory=list)


class LegalFormOut(Schema):
    clave: str = Field(examples=["sas"])
    abreviatura: str = Field(examples=["S.A.S."])
    nombre: str = Field(examples=["Sociedad por Acciones Simplificada"])


class MunicipalityOut(Schema):
    clave: str = Field(description="Clave INEGI del municipio.", examples=["014"])
    nombre: str = Field(examples=["Querétaro"])


class OfficeOut(Schema):
    calle: str
    numero_exterior: str
    numero_interior: str
    colonia: str
    codigo_postal: str
    municipio: MunicipalityOut | None
    entidad: str = "Querétaro"


class ActivityOut(Schema):
    codigo: str = Field(description="Clase SCIAN 2023, seis dígitos.", examples=["311830"])
    descripcion: str | None = Field(description="Título de la clase en el catálogo SCIAN.")


class PersonOut(Schema):
    nombre: str


class CompanyOut(Schema):
    numero: str = Field(description="Número de inscripción.", examples=["QRO-2026-000123"])
    nombre: str = Field(description="Denominación con la forma jurídica.")
    forma_juridica: LegalFormOut
    rfc: str | None = Field(description="RFC de la persona moral, cuando el SAT ya lo asignó.")
    estado: CompanyStatus = Field(description=STATUS_DESCRIPTION)
    registrada_en: datetime
    domicilio: OfficeOut | None
    objeto: str | None = Field(description="Objeto social.")
    actividades: list[ActivityOut]
    administradores: list[PersonOut]
    capital: str | None = Field(
        description="Capital social en pesos, con dos decimales.", examples=["10000.00"]
    )


class CompanySummaryOut(Schema):
    numero: str
    nombre: str
    forma_juridica: str = Field(description="Abreviatura de la forma jurídica.")
    rfc: str | None
    estado: CompanyStatus = Field(description=STATUS_DESCRIPTION)
    registrada_en: datetime


class CompanyPageOut(Schema):
    count: int = Field(
        description=(
            "Empresas que coinciden. Exacto si count_exact es verdadero; si no, un mínimo: "
            "la búsqueda deja de contar después de 200 coincidencias (o de offset + limit, "
            "si es mayor), porque un nombre común coincide con decenas de miles. Para pasar "
            "de página, use has_more."
        )
    )
    count_exact: bool = Field(
        description="Verdadero si count es el total; falso si hay más coincidencias que count."
    )
    has_more: bool = Field(description="Si hay coincidencias después de esta página.")
    limit: int
    offset: int
    items: list[CompanySummaryOut]


class OfficerOut(Schema):
    nombre: str
    cargo: Literal["administrador", "comisario"]


class OfficersOut(Schema):
    numero: str
    items: list[OfficerOut]


class DocumentOut(Schema):
    id: str = Field(examples=["QRO-2026-000001/certificado/1"])
    tipo: DocumentKind = Field(
        description="certificado de constitución, estatutos o libro de registro de acciones "
        "o de partes sociales."
    )
    titulo: str = Field(examples=["Certificado de constitución"])
    version: int = Field(ge=1, description="Cada cambio de lo que dice emite una versión nueva.")
    vigente: bool = Field(description="Si es la versión más reciente de su tipo.")
    sellado: bool = Field(description="Si lleva el sello electrónico (PAdES) del registro.")
    formato: str = Field(description="Tipo de medio.", examples=["application/pdf"])
    tamano: int = Field(description="Tamaño en bytes.")
    sha256: str = Field(
        description="Huella SHA-256 del archivo: un PDF es auténtico si su huella es esta y su "
        "sello es válido.",
        pattern="^[0-9a-f]{64}$",
    )
    emitido_en: datetime
    firmantes: list[SignerOut] = Field(
        default_factory=list,
        description="En los estatutos que los socios firmaron con su e.firma (PAdES, el sello "
        "del registro al final): cada firmante, en orden de firma; vacío en los demás.",
    )


class SignerOut(Schema):
    nombre: str = Field(description="La persona que firmó con su e.firma.")
    en_nombre_de: str | None = Field(
        description="La persona moral socia por la que firmó como representante, si es el caso."
    )
    serie: str = Field(description="Número de serie del certificado de e.firma (20 dígitos).")
    emisor: str = Field(description="Autoridad certificadora que emitió el certificado.")
    firmado_en: datetime


class DocumentsOut(Schema):
    numero: str
    items: list[DocumentOut]


class ChangeCompanyOut(Schema):
    numero: str
    nombre: str
    rfc: str | None
    estado: CompanyStatus = Field(description=STATUS_DESCRIPTION)


class ChangeOut(Schema):
    cursor: int = Field(description="Posición del evento; pásela como after para seguir.")
    tipo: ChangeKind = Field(
        description="inscripcion de una empresa nueva, actualizacion de sus datos (como el RFC) "
        "o disolucion."
    )
    fecha: datetime
    empresa: ChangeCompanyOut = Field(description="La empresa como quedó con este cambio.")
    campos: list[str] = Field(
        default=[], description="Los datos del registro que cambió un trámite (office, ...)."
    )


class FieldChangeOut(Schema):
    campo: str = Field(description="El dato del registro: office, administrators, ...")
    antes: Any = Field(description="Su valor antes del trámite.")
    despues: Any = Field(description="Su valor con el trámite.")


class FilingOut(Schema):
    id: str = Field(description="Identificador del trámite.")
    tipo: str = Field(description="office_change, administrators, ...", examples=["office_change"])
    version_esquema: int = Field(description="Versión del esquema de datos: /esquemas/tramites.")
    fecha_efectos: date = Field(description="Desde cuándo rige lo inscrito.")
    inscrito_en: datetime | None
    corrige: str | None = Field(description="El trámite inscrito que este corrige.")
    datos: dict[str, Any] = Field(description="Lo presentado, según el esquema de su tipo.")
    cambios: list[FieldChangeOut]


class FilingsOut(Schema):
    numero: str
    items: list[FilingOut] = Field(description="Los trámites inscritos, del más antiguo al último.")


class ChangePageOut(Schema):
    items: list[ChangeOut]
    next: int = Field(description="El cursor para la siguiente petición (after=next).")
    has_more: bool = Field(description="Hay más eventos después de esta página.")
