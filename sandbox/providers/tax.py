"""Tax registry (SAT stand-in): taxpayers by RFC, and RFCs for newly formed companies.

X-Road: `MX-DEV/GOV/SAT/padron`, service `contribuyentes`.
"""

from __future__ import annotations

import datetime
import functools
import re
from pathlib import Path
from typing import Any, Literal, TypedDict, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.mx import rfc as stdnum_rfc

from sandbox.providers.http import (
    RegistryError,
    error_reply,
    invalid_field,
    json_body,
    json_reply,
    openapi_document,
    path_parameter,
    read_json_object,
    registry_app,
    required_choice,
    required_date,
    required_object,
    required_text,
)
from sandbox.providers.rfc_keys import legal_person_rfc
from sandbox.providers.seed import load_records

TAXPAYERS_FILE = "taxpayers.json"

TaxpayerStatus = Literal["active", "suspended", "cancelled"]
TAXPAYER_STATUSES: tuple[TaxpayerStatus, ...] = ("active", "suspended", "cancelled")
ComplianceOpinion = Literal["positive", "negative", "none"]
COMPLIANCE_OPINIONS: tuple[ComplianceOpinion, ...] = ("positive", "negative", "none")
LegalForm = Literal["sas", "sa_de_cv", "s_de_rl_de_cv"]
LEGAL_FORMS: tuple[LegalForm, ...] = ("sas", "sa_de_cv", "s_de_rl_de_cv")


class Office(TypedDict):
    street: str
    municipality: str
    postal_code: str


class Taxpayer(TypedDict):
    rfc: str
    person_type: Literal["natural", "legal"]
    name: str
    curp: str | None
    legal_form: LegalForm | None
    registration_number: str | None
    incorporated_on: str | None
    registered_office: Office | None
    status: TaxpayerStatus
    compliance_opinion: ComplianceOpinion
    registered_on: str


_RFC_PROBLEMS: dict[type[ValidationError], str] = {
    InvalidLength: "must be 12 characters (legal person) or 13 (natural person)",
    InvalidFormat: "must be 3 or 4 letters, a date as YYMMDD and a 3-character homoclave",
    InvalidComponent: "has an impossible date or homoclave, or a barred word",
    InvalidChecksum: "has a wrong check digit (the last character)",
}


def parse_rfc(raw: str) -> str:
    """The RFC in canonical form (upper case), or a 400 saying what is wrong with it."""
    try:
        rfc = stdnum_rfc.validate(raw, validate_check_digits=True)
    except ValidationError as exc:
        problem = _RFC_PROBLEMS.get(type(exc), "is not a valid RFC")
        raise RegistryError(400, "invalid_rfc", f"RFC {raw!r} {problem}.") from exc
    if len(rfc) not in (12, 13):
        problem = "lacks its homoclave: it must be 12 or 13 characters"
        raise RegistryError(400, "invalid_rfc", f"RFC {raw!r} {problem}.")
    return rfc


class TaxRegistry:
    """Taxpayers by RFC, plus the legal persons registered by this instance."""

    def __init__(self, taxpayers: list[Taxpayer]) -> None:
        self._by_rfc = {taxpayer["rfc"]: taxpayer for taxpayer in taxpayers}
        self._by_registration_number = {
            taxpayer["registration_number"]: taxpayer
            for taxpayer in taxpayers
            if taxpayer["registration_number"] is not None
        }

    @classmethod
    def from_seed(cls, data_dir: Path | str | None = None) -> TaxRegistry:
        return cls(cast(list[Taxpayer], load_records(data_dir, TAXPAYERS_FILE)))

    def taxpayer(self, rfc: str) -> Taxpayer:
        taxpayer = self._by_rfc.get(rfc)
        if taxpayer is None:
            raise RegistryError(404, "taxpayer_not_found", f"No taxpayer has RFC {rfc}.")
        return taxpayer

    def register_legal_person(self, registration: Taxpayer) -> tuple[Taxpayer, bool]:
        """The taxpayer for this registration and whether it is new (False on a re-post)."""
        number = registration["registration_number"]
        assert number is not None
        existing = self._by_registration_number.get(number)
        if existing is not None:
            if _registration_fields(existing) != _registration_fields(registration):
                message = f"Registration number {number} is already registered with other data."
                raise RegistryError(409, "registration_conflict", message)
            return existing, False
        taxpayer: Taxpayer = {**registration, "rfc": self._unused_rfc(registration)}
        self._by_rfc[taxpayer["rfc"]] = taxpayer
        self._by_registration_number[number] = taxpayer
        return taxpayer, True

    def _unused_rfc(self, registration: Taxpayer) -> str:
        assert registration["incorporated_on"] is not None
        incorporated_on = datetime.date.fromisoformat(registration["incorporated_on"])
        seed = str(registration["registration_number"])
        rfc = legal_person_rfc(registration["name"], incorporated_on, seed)
        attempt = 0
        while rfc in self._by_rfc:
            attempt += 1
            rfc = legal_person_rfc(registration["name"], incorporated_on, f"{seed}#{attempt}")
        return rfc


def _registration_fields(taxpayer: Taxpayer) -> tuple[object, ...]:
    return (
        taxpayer["name"],
        taxpayer["legal_form"],
        taxpayer["incorporated_on"],
        taxpayer["registered_office"],
    )


_POSTAL_CODE = re.compile(r"^[0-9]{5}$")


def parse_office(body: dict[str, Any]) -> Office:
    office = required_object(body, "registered_office")
    postal_code = required_text(office, "postal_code", max_length=5)
    if not _POSTAL_CODE.match(postal_code):
        raise invalid_field("registered_office.postal_code", "five digits, e.g. 76000.")
    return {
        "street": required_text(office, "street", max_length=200),
        "municipality": required_text(office, "municipality", max_length=100),
        "postal_code": postal_code,
    }


def parse_legal_person_registration(body: dict[str, Any]) -> Taxpayer:
    incorporated_on = required_date(body, "incorporated_on")
    return {
        "rfc": "",
        "person_type": "legal",
        "name": required_text(body, "company_name", max_length=250),
        "curp": None,
        "legal_form": cast(LegalForm, required_choice(body, "legal_form", LEGAL_FORMS)),
        "registration_number": required_text(body, "registration_number", max_length=64),
        "incorporated_on": incorporated_on.isoformat(),
        "registered_office": parse_office(body),
        "status": "active",
        "compliance_opinion": "none",
        "registered_on": incorporated_on.isoformat(),
    }


async def taxpayer_by_rfc(registry: TaxRegistry, request: Request) -> Response:
    rfc = parse_rfc(request.path_params["rfc"])
    return JSONResponse(registry.taxpayer(rfc))


async def register_legal_person(registry: TaxRegistry, request: Request) -> Response:
    registration = parse_legal_person_registration(await read_json_object(request))
    taxpayer, created = registry.register_legal_person(registration)
    return JSONResponse(taxpayer, status_code=201 if created else 200)


def create_app(data_dir: Path | str | None = None) -> Starlette:
    """A fresh tax registry loaded from the seed files in `data_dir`."""
    registry = TaxRegistry.from_seed(data_dir)
    routes = [
        Route(
            "/v1/contribuyentes/personas-morales",
            functools.partial(register_legal_person, registry),
            methods=["POST"],
        ),
        Route(
            "/v1/contribuyentes/{rfc}",
            functools.partial(taxpayer_by_rfc, registry),
            methods=["GET"],
        ),
    ]
    return registry_app(routes, OPENAPI)


_OFFICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["street", "municipality", "postal_code"],
    "properties": {
        "street": {"type": "string", "maxLength": 200},
        "municipality": {"type": "string", "maxLength": 100},
        "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
    },
}

_TAXPAYER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": list(Taxpayer.__annotations__),
    "properties": {
        "rfc": {"type": "string", "description": "12 characters (legal) or 13 (natural)."},
        "person_type": {"type": "string", "enum": ["natural", "legal"]},
        "name": {"type": "string", "description": "Full name or company name."},
        "curp": {"type": ["string", "null"], "description": "Natural persons only."},
        "legal_form": {"type": ["string", "null"], "enum": [*LEGAL_FORMS, None]},
        "registration_number": {"type": ["string", "null"]},
        "incorporated_on": {"type": ["string", "null"], "format": "date"},
        "registered_office": {"oneOf": [{"$ref": "#/components/schemas/Office"}, {"type": "null"}]},
        "status": {"type": "string", "enum": list(TAXPAYER_STATUSES)},
        "compliance_opinion": {
            "type": "string",
            "enum": list(COMPLIANCE_OPINIONS),
            "description": "Opinión de cumplimiento; none when never issued.",
        },
        "registered_on": {"type": "string", "format": "date"},
    },
}

_REGISTRATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "company_name",
        "legal_form",
        "registration_number",
        "incorporated_on",
        "registered_office",
    ],
    "properties": {
        "company_name": {"type": "string", "maxLength": 250},
        "legal_form": {"type": "string", "enum": list(LEGAL_FORMS)},
        "registration_number": {
            "type": "string",
            "maxLength": 64,
            "description": "The state's registration number; the idempotency key.",
        },
        "incorporated_on": {"type": "string", "format": "date"},
        "registered_office": {"$ref": "#/components/schemas/Office"},
    },
}

_REGISTRATION_EXAMPLE = {
    "company_name": "Tostadas Doña Chela",
    "legal_form": "sas",
    "registration_number": "E24-2025-000042",
    "incorporated_on": "2025-03-14",
    "registered_office": {
        "street": "Av. Universidad 120, Centro",
        "municipality": "Querétaro",
        "postal_code": "76000",
    },
}

OPENAPI = openapi_document(
    title="Padrón de contribuyentes (sandbox)",
    description="Taxpayer status and compliance opinion by RFC; RFCs for new companies.",
    paths={
        "/v1/contribuyentes/{rfc}": {
            "get": {
                "operationId": "getTaxpayerByRfc",
                "summary": "A taxpayer's status and compliance opinion",
                "parameters": [
                    path_parameter(
                        "rfc",
                        "RFC, 12 or 13 characters; percent-encode Ñ and &.",
                        {"type": "string", "example": "CJU150610I85"},
                    )
                ],
                "responses": {
                    "200": json_reply("The taxpayer.", "Taxpayer"),
                    "400": error_reply("Malformed RFC (error: invalid_rfc)."),
                    "404": error_reply("Well-formed RFC of nobody (taxpayer_not_found)."),
                },
            }
        },
        "/v1/contribuyentes/personas-morales": {
            "post": {
                "operationId": "registerLegalPerson",
                "summary": "Register a new company and issue its 12-character RFC",
                "description": (
                    "Idempotent by registration_number: re-posting the same data returns "
                    "the same taxpayer with 200; other data under the same number is a 409."
                ),
                "requestBody": json_body("LegalPersonRegistration", _REGISTRATION_EXAMPLE),
                "responses": {
                    "201": json_reply("Registered; the body holds the new RFC.", "Taxpayer"),
                    "200": json_reply("Already registered with the same data.", "Taxpayer"),
                    "400": error_reply("Malformed body (invalid_json, invalid_request)."),
                    "409": error_reply("Number registered with other data."),
                },
            }
        },
    },
    schemas={
        "Taxpayer": _TAXPAYER_SCHEMA,
        "Office": _OFFICE_SCHEMA,
        "LegalPersonRegistration": _REGISTRATION_SCHEMA,
    },
)
