"""The agencies a new company goes to after the state registers it, as sandbox stand-ins:

- the federal commercial register (SIGER, Secretaría de Economía): the inscription that gives
  the folio mercantil electrónico. X-Road `MX-DEV/GOV/SE/siger`, service `inscripciones`;
- IMSS's employer registration, for companies that hire: the registro patronal.
  `MX-DEV/GOV/IMSS/afiliacion`, service `patrones`;
- the municipality of Querétaro's operating licence through SARE, its low-risk route.
  `MX-DEV/GOV/QRO-MUN-014/sare`, service `licencias`.

Each takes one POST per procedure with the portal's ``request_id``, the idempotency key: the
same id again returns the same answer (200 instead of 201) and files nothing new; the same id
with other data is a 409. The answer is always ``{"request_id", "status", "number", "reason",
"answered_at"}`` with ``status`` one of ``answered`` (``number`` given), ``refused`` (``reason``
says why, in the agency's words) or ``needs_founder`` (``reason`` says what the founder must
do). Every answer is deterministic, so that demos and tests can pick the outcome:

- SIGER refuses a denomination already inscribed federally (`FEDERAL_DENOMINATIONS`);
- IMSS refuses employers whose activities are farming (SCIAN sector 11: the countryside's own
  regime, at the subdelegation);
- Querétaro answers at once for activities on its SARE low-risk list (`SARE_LOW_RISK`),
  refuses bars and night clubs (SCIAN 7224) and asks the founder to book a visit for anything
  else.

An agency that is down is the emulator's business (its fault injection), not this module's.
One that is slow is this module's: ``app.state.agency.answer_delay_s`` keeps each answer back
that long after the filing is recorded (a worker killed while it waits has filed already).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from stdnum import luhn

from sandbox.providers.http import (
    RegistryError,
    error_reply,
    invalid_field,
    json_body,
    json_reply,
    openapi_document,
    read_json_object,
    registry_app,
    required_text,
)

Status = Literal["answered", "refused", "needs_founder"]
MEXICO_CENTRAL = datetime.timezone(datetime.timedelta(hours=-6), "CST")
Clock = Callable[[], datetime.datetime]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
_SCIAN = re.compile(r"^[0-9]{6}$")

FEDERAL_DENOMINATIONS = frozenset({"COMERCIALIZADORA DEL BAJIO", "GRUPO INDUSTRIAL QUERETANO"})
"""Denominations SIGER already holds for other companies (accents and punctuation dropped)."""

SARE_LOW_RISK = frozenset(
    {
        "311812",  # panificación tradicional
        "311830",  # tortillas de maíz y molienda de nixtamal
        "461110",  # abarrotes y misceláneas
        "461121",  # carnes rojas
        "463211",  # ropa
        "465311",  # papelerías
        "541510",  # servicios de diseño de sistemas de cómputo
        "541211",  # servicios de contabilidad y auditoría
        "722514",  # cafeterías, fuentes de sodas, neverías
        "722515",  # cafeterías y similares
        "811111",  # reparación mecánica de automóviles
        "812110",  # salones y clínicas de belleza y peluquerías
    }
)
"""The municipality's low-risk activities (Catálogo SARE, a sample): licensed at once."""

NIGHTLIFE_PREFIX = "7224"


def mexico_now() -> datetime.datetime:
    return datetime.datetime.now(MEXICO_CENTRAL).replace(microsecond=0)


def plain(text: str) -> str:
    """Upper case, without accents or punctuation: how the agencies compare names."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", letters).split())


@dataclasses.dataclass(frozen=True)
class Answer:
    status: Status
    number: str | None = None
    reason: str | None = None


@dataclasses.dataclass
class Filing:
    request_id: str
    registration_number: str
    fingerprint: str
    answer: Answer
    answered_at: datetime.datetime
    received: int = 1

    def describe(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "status": self.answer.status,
            "number": self.answer.number,
            "reason": self.answer.reason,
            "answered_at": self.answered_at.isoformat(timespec="seconds"),
        }


Decide = Callable[[Mapping[str, Any], int], Answer]
"""An agency's rule: the request body and the serial its next number would take."""


class Agency:
    """One agency's filings, by request id: a request filed again is answered again, not twice."""

    def __init__(self, decide: Decide, clock: Clock) -> None:
        self.decide = decide
        self.clock = clock
        self.filings: dict[str, Filing] = {}
        self.serial = 0
        self.answer_delay_s = 0.0

    def file(self, body: dict[str, Any]) -> tuple[Filing, bool]:
        """The filing for this request and whether it is new (False when filed before)."""
        request_id = body.get("request_id")
        if not isinstance(request_id, str) or not _REQUEST_ID.match(request_id):
            raise invalid_field("request_id", "required, 8 to 64 letters, digits or dashes.")
        fingerprint = _fingerprint(body)
        existing = self.filings.get(request_id)
        if existing is not None:
            if existing.fingerprint != fingerprint:
                message = f"Request {request_id} was filed before with other data."
                raise RegistryError(409, "request_conflict", message)
            existing.received += 1
            return existing, False
        answer = self.decide(body, self.serial + 1)
        if answer.number is not None:
            self.serial += 1
        number = str(body.get("registration_number") or "")
        filing = Filing(request_id, number, fingerprint, answer, self.clock())
        self.filings[request_id] = filing
        return filing, True

    @property
    def numbers_issued(self) -> list[str]:
        return [f.answer.number for f in self.filings.values() if f.answer.number]


def _fingerprint(body: Mapping[str, Any]) -> str:
    data = {key: value for key, value in body.items() if key != "request_id"}
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def _activities(body: Mapping[str, Any]) -> list[str]:
    codes = body.get("activity_codes")
    if not isinstance(codes, list) or not codes or not all(_SCIAN.match(str(c)) for c in codes):
        raise invalid_field("activity_codes", "required, a list of six-digit SCIAN codes.")
    return [str(code) for code in codes]


def _year(body: Mapping[str, Any]) -> int:
    number = required_text(body, "registration_number", max_length=64)
    found = re.search(r"(20[0-9]{2})", number)
    return int(found.group(1)) if found else mexico_now().year


# -- the three agencies' rules ------------------------------------------------------------


def siger_decides(body: Mapping[str, Any], serial: int) -> Answer:
    name = required_text(body, "company_name", max_length=250)
    required_text(body, "legal_form", max_length=20)
    denomination = plain(name)
    for held in FEDERAL_DENOMINATIONS:
        if denomination == held or denomination.startswith(f"{held} "):
            reason = (
                f"La denominación «{name}» ya está inscrita en el Registro Público de Comercio "
                "por otra sociedad. Solicite una denominación distinta ante la Secretaría de "
                "Economía y presente de nuevo la inscripción."
            )
            return Answer("refused", reason=reason)
    return Answer("answered", number=f"N-{_year(body)}{serial:06d}")


def imss_decides(body: Mapping[str, Any], serial: int) -> Answer:
    required_text(body, "company_name", max_length=250)
    required_text(body, "rfc", max_length=13)
    if any(code.startswith("11") for code in _activities(body)):
        reason = (
            "Las actividades agrícolas se registran en el régimen de trabajadores del campo: "
            "acuda a su subdelegación del IMSS con el acta constitutiva y el RFC de la empresa."
        )
        return Answer("refused", reason=reason)
    body_digits = f"54{serial:05d}10"  # subdelegación 54 (Querétaro), serial, modality 10
    return Answer("answered", number=f"E{body_digits}{luhn.calc_check_digit(body_digits)}")


def queretaro_decides(body: Mapping[str, Any], serial: int) -> Answer:
    codes = _activities(body)
    required_text(body, "company_name", max_length=250)
    if any(code.startswith(NIGHTLIFE_PREFIX) for code in codes):
        reason = (
            "Los bares, cantinas y centros nocturnos no son de bajo riesgo: requieren dictamen "
            "de protección civil y licencia de alcoholes. Tramítelos en la ventanilla de "
            "Desarrollo Económico, Blvd. Bernardo Quintana 10000, Centro Sur."
        )
        return Answer("refused", reason=reason)
    if all(code in SARE_LOW_RISK for code in codes):
        return Answer("answered", number=f"SARE-QRO-{_year(body)}-{serial:05d}")
    reason = (
        "Su giro no está en el catálogo SARE de bajo riesgo: un inspector debe visitar el "
        "local. Agende la visita en ventanilla o al 442 238 7700 con su número de registro."
    )
    return Answer("needs_founder", reason=reason)


# -- the apps ------------------------------------------------------------------------------


async def _file(agency: Agency, request: Request) -> Response:
    filing, created = agency.file(await read_json_object(request))
    if agency.answer_delay_s:
        await asyncio.sleep(agency.answer_delay_s)
    return JSONResponse(filing.describe(), status_code=201 if created else 200)


def _app(path: str, decide: Decide, openapi: dict[str, Any], clock: Clock | None) -> Starlette:
    agency = Agency(decide, clock or mexico_now)
    app = registry_app([Route(path, functools.partial(_file, agency), methods=["POST"])], openapi)
    app.state.agency = agency  # what tests and demos look at: the filings, received how often
    return app


SIGER_PATH = "/v1/inscripciones"
IMSS_PATH = "/v1/registros-patronales"
QUERETARO_PATH = "/v1/licencias"


def create_siger_app(data_dir: Path | str | None = None, clock: Clock | None = None) -> Starlette:
    return _app(SIGER_PATH, siger_decides, SIGER_OPENAPI, clock)


def create_imss_app(data_dir: Path | str | None = None, clock: Clock | None = None) -> Starlette:
    return _app(IMSS_PATH, imss_decides, IMSS_OPENAPI, clock)


def create_queretaro_app(
    data_dir: Path | str | None = None, clock: Clock | None = None
) -> Starlette:
    return _app(QUERETARO_PATH, queretaro_decides, QUERETARO_OPENAPI, clock)


# -- OpenAPI -------------------------------------------------------------------------------

_OFFICE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "street": {"type": "string"},
        "municipality": {"type": "string"},
        "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
    },
}

_ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["request_id", "status", "number", "reason", "answered_at"],
    "properties": {
        "request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["answered", "refused", "needs_founder"]},
        "number": {"type": ["string", "null"], "description": "The agency's number, answered."},
        "reason": {
            "type": ["string", "null"],
            "description": "Why it was refused, or what the founder must do (Spanish).",
        },
        "answered_at": {"type": "string", "format": "date-time"},
    },
}


def _filing_schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["request_id", "registration_number", "company_name", *required],
        "properties": {
            "request_id": {
                "type": "string",
                "pattern": "^[A-Za-z0-9-]{8,64}$",
                "description": "The portal's key for this procedure: filed once, answered again.",
            },
            "registration_number": {"type": "string", "description": "The state's number."},
            "company_name": {"type": "string", "maxLength": 250},
            **extra,
        },
    }


_EXAMPLE: dict[str, Any] = {
    "request_id": "5f0c3c1e-8d1b-4b0e-9a53-6f1f8f0d2a11",
    "registration_number": "QRO-2026-000042",
    "company_name": "Tortillería La Esperanza S.A.S.",
    "legal_form": "sas",
    "rfc": "TES261126AB1",
    "registered_office": {
        "street": "Av. Zaragoza 10",
        "municipality": "Querétaro",
        "postal_code": "76000",
    },
    "activity_codes": ["311830"],
}


def _document(title: str, description: str, path: str, operation: str) -> dict[str, Any]:
    return openapi_document(
        title=title,
        description=description,
        paths={
            path: {
                "post": {
                    "operationId": operation,
                    "summary": "File the procedure for a newly registered company",
                    "description": (
                        "Idempotent by request_id: the same request again returns the same "
                        "answer with 200; other data under the same id is a 409."
                    ),
                    "requestBody": json_body("Filing", _EXAMPLE),
                    "responses": {
                        "201": json_reply("Filed and answered.", "Answer"),
                        "200": json_reply("Filed before: the same answer.", "Answer"),
                        "400": error_reply("Malformed body (invalid_json, invalid_request)."),
                        "409": error_reply("request_id used for other data."),
                    },
                }
            }
        },
        schemas={
            "Filing": _filing_schema(
                {
                    "legal_form": {"type": "string"},
                    "rfc": {"type": ["string", "null"]},
                    "registered_office": _OFFICE,
                    "activity_codes": {"type": "array", "items": {"type": "string"}},
                },
                [],
            ),
            "Answer": _ANSWER_SCHEMA,
        },
    )


SIGER_OPENAPI = _document(
    "SIGER, Registro Público de Comercio (sandbox)",
    "Inscription of a company incorporated by the state: the folio mercantil electrónico.",
    SIGER_PATH,
    "inscribeCompany",
)
IMSS_OPENAPI = _document(
    "IMSS, registro patronal (sandbox)",
    "Employer registration of a new company that hires: the registro patronal.",
    IMSS_PATH,
    "registerEmployer",
)
QUERETARO_OPENAPI = _document(
    "Municipio de Querétaro, SARE (sandbox)",
    "Operating licence for low-risk activities (SARE), answered at once.",
    QUERETARO_PATH,
    "requestOperatingLicence",
)
