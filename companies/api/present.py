"""Register entries as the agency API's documents (``schemas``), and their ETags."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from companies.api import schemas
from companies.api.selectors import Entry
from companies.filing.scian import load_catalogue
from companies.models import (
    Application,
    Company,
    CompanyFiling,
    Document,
    Founder,
    Municipality,
    RegisterChange,
    Signature,
)

# The register's codes as the API's Spanish vocabulary (schemas.CompanyStatus, ChangeKind).
COMPANY_STATUSES: dict[str, schemas.CompanyStatus] = {
    Company.Status.ACTIVE: "activa",
    Company.Status.DISSOLVED: "disuelta",
}
CHANGE_KINDS: dict[str, schemas.ChangeKind] = {
    RegisterChange.Kind.REGISTERED: "inscripcion",
    RegisterChange.Kind.UPDATED: "actualizacion",
    RegisterChange.Kind.DISSOLVED: "disolucion",
}


def etag(body: bytes) -> str:
    """A strong validator: the SHA-256 of the document's JSON."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def _full_name(founder: Founder) -> str:
    return " ".join(
        part
        for part in (founder.given_names, founder.first_surname, founder.second_surname)
        if part
    )


def _office(application: Application) -> schemas.OfficeOut:
    municipality = (
        schemas.MunicipalityOut(
            clave=application.municipality,
            nombre=str(Municipality(application.municipality).label),
        )
        if application.municipality in Municipality.values
        else None
    )
    return schemas.OfficeOut(
        calle=application.street,
        numero_exterior=application.exterior_number,
        numero_interior=application.interior_number,
        colonia=application.neighbourhood,
        codigo_postal=application.postal_code,
        municipio=municipality,
    )


def _office_of_state(office: dict[str, str]) -> schemas.OfficeOut:
    code = office.get("municipality", "")
    municipality = (
        schemas.MunicipalityOut(clave=code, nombre=str(Municipality(code).label))
        if code in Municipality.values
        else None
    )
    return schemas.OfficeOut(
        calle=office["street"],
        numero_exterior=office["exterior_number"],
        numero_interior=office["interior_number"],
        colonia=office["neighbourhood"],
        codigo_postal=office["postal_code"],
        municipio=municipality,
    )


def _activities(codes: list[str]) -> list[schemas.ActivityOut]:
    catalogue = load_catalogue()
    found = [(code, catalogue.get(code)) for code in codes]
    return [
        schemas.ActivityOut(codigo=code, descripcion=activity.title if activity else None)
        for code, activity in found
    ]


def company(entry: Entry) -> schemas.CompanyOut:
    if entry.state is not None:
        return _company_of_state(entry, entry.state)
    application = entry.company.application
    return schemas.CompanyOut(
        **_register_head(entry.company),
        domicilio=_office(application) if application else None,
        objeto=(application.purpose or None) if application else None,
        actividades=_activities(list(application.activity_codes)) if application else [],
        administradores=[schemas.PersonOut(nombre=_full_name(f)) for f in entry.administrators],
        capital=f"{application.capital:.2f}"
        if application and application.capital is not None
        else None,
    )


def _register_head(company: Company) -> dict[str, Any]:
    """What the register row itself says, whichever data (state or application) the rest reads."""
    form = company.legal_form
    return {
        "numero": company.registration_number,
        "nombre": company.name,
        "forma_juridica": schemas.LegalFormOut(
            clave=form.code, abreviatura=form.abbreviation, nombre=form.name
        ),
        "rfc": company.rfc or None,
        "estado": COMPANY_STATUSES[company.status],
        "registrada_en": company.registered_at,
    }


def _company_of_state(entry: Entry, state: dict[str, Any]) -> schemas.CompanyOut:
    """The entry as its current register data says (``register.states``)."""
    return schemas.CompanyOut(
        **_register_head(entry.company),
        domicilio=_office_of_state(state["office"]),
        objeto=state.get("purpose") or None,
        actividades=_activities(list(state.get("activity_codes") or [])),
        administradores=[schemas.PersonOut(nombre=a["name"]) for a in state["administrators"]],
        capital=state.get("capital"),
    )


def summary(company: Company) -> schemas.CompanySummaryOut:
    return schemas.CompanySummaryOut(
        numero=company.registration_number,
        nombre=company.name,
        forma_juridica=company.legal_form.abbreviation,
        rfc=company.rfc or None,
        estado=COMPANY_STATUSES[company.status],
        registrada_en=company.registered_at,
    )


def officers(entry: Entry) -> schemas.OfficersOut:
    if entry.state is not None:
        state = entry.state
        people = [
            schemas.OfficerOut(nombre=a["name"], cargo="administrador")
            for a in state["administrators"]
        ]
        if state.get("comisario"):
            people.append(schemas.OfficerOut(nombre=state["comisario"]["name"], cargo="comisario"))
        return schemas.OfficersOut(numero=entry.company.registration_number, items=people)
    people = [
        schemas.OfficerOut(nombre=_full_name(f), cargo="administrador")
        for f in entry.administrators
    ]
    application = entry.company.application
    if application and application.comisario_name:
        people.append(schemas.OfficerOut(nombre=application.comisario_name, cargo="comisario"))
    return schemas.OfficersOut(numero=entry.company.registration_number, items=people)


def change(event: RegisterChange) -> schemas.ChangeOut:
    return schemas.ChangeOut(
        cursor=event.pk,
        tipo=CHANGE_KINDS[event.kind],
        fecha=event.created_at,
        empresa=schemas.ChangeCompanyOut.model_validate(
            {**event.data, "estado": COMPANY_STATUSES[event.data["estado"]]}
        ),
        campos=event.data.get("campos", []),
    )


def filings(company: Company, registered: Sequence[CompanyFiling]) -> schemas.FilingsOut:
    """The company's registered filings, each with what it changed (before, after)."""
    return schemas.FilingsOut(
        numero=company.registration_number,
        items=[
            schemas.FilingOut(
                id=str(f.public_id),
                tipo=f.type,
                version_esquema=f.schema_version,
                fecha_efectos=f.effective_on,
                inscrito_en=f.registered_at,
                corrige=str(f.corrects.public_id) if f.corrects else None,
                datos=f.payload,
                cambios=[
                    schemas.FieldChangeOut(campo=field, antes=before, despues=after)
                    for field, (before, after) in f.changes.items()
                ],
            )
            for f in registered
        ],
    )


DOCUMENT_KINDS: dict[str, schemas.DocumentKind] = {
    Document.Kind.CERTIFICATE: "certificado",
    Document.Kind.ARTICLES: "estatutos",
    Document.Kind.REGISTER: "libro_de_registro",
}
KINDS_BY_NAME: dict[str, str] = {name: kind for kind, name in DOCUMENT_KINDS.items()}


def signer(signature: Signature) -> schemas.SignerOut:
    founder = signature.founder
    return schemas.SignerOut(
        nombre=founder.person_name,
        en_nombre_de=founder.legal_name if founder.is_company else None,
        serie=signature.serial_number,
        emisor=signature.issuer,
        firmado_en=signature.signed_at,
    )


def documents(
    company: Company,
    issued: list[Document],
    current: set[int],
    signers: Sequence[Signature] = (),
) -> schemas.DocumentsOut:
    """The documents' metadata; ``signers``, the founders' e.firma signatures the articles carry."""
    signed = [signer(s) for s in signers]
    return schemas.DocumentsOut(
        numero=company.registration_number,
        items=[
            schemas.DocumentOut(
                id=f"{company.registration_number}/{DOCUMENT_KINDS[d.kind]}/{d.version}",
                tipo=DOCUMENT_KINDS[d.kind],
                titulo=d.title,
                version=d.version,
                vigente=d.pk in current,
                sellado=d.sealed,
                formato="application/pdf",
                tamano=d.size,
                sha256=d.sha256,
                emitido_en=d.issued_at,
                firmantes=signed if d.kind == Document.Kind.ARTICLES else [],
            )
            for d in issued
        ],
    )
