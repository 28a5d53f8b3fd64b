"""Notary registry stand-in: whether a notary is licensed, and the deeds they executed.

X-Road: `MX-DEV/GOV/QRO-NOTARIAS/notarias`, service `notarios`. A notary is known by state
and number ("Notaría Pública número 5 de Querétaro"); states use INEGI's two-digit codes
(Querétaro is 22). The seed holds Querétaro's notaries only: other states answer 404.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal, TypedDict, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.providers.http import (
    RegistryError,
    error_reply,
    json_reply,
    openapi_document,
    path_parameter,
    registry_app,
)
from sandbox.providers.seed import load_records

NOTARIES_FILE = "notaries.json"
DEEDS_FILE = "deeds.json"
QUERETARO = "22"

LicenceStatus = Literal["active", "suspended", "revoked"]
LICENCE_STATUSES: tuple[LicenceStatus, ...] = ("active", "suspended", "revoked")
DeedAct = Literal["incorporation", "bylaw_amendment", "power_of_attorney"]
DEED_ACTS: tuple[DeedAct, ...] = ("incorporation", "bylaw_amendment", "power_of_attorney")
PartyRole = Literal["shareholder", "partner", "administrator", "comisario", "attorney"]
PARTY_ROLES: tuple[PartyRole, ...] = (
    "shareholder",
    "partner",
    "administrator",
    "comisario",
    "attorney",
)


class Notary(TypedDict):
    state: str
    number: int
    name: str
    municipality: str
    licence_status: LicenceStatus
    licensed_on: str
    status_changed_on: str | None


class Party(TypedDict):
    """A party to the deed: a natural person (by CURP) or a company (by RFC)."""

    name: str
    curp: str | None
    rfc: str | None
    roles: list[PartyRole]


class Deed(TypedDict):
    notary_state: str
    notary_number: int
    deed_number: int
    volume: int
    executed_on: str
    act: DeedAct
    company_name: str
    legal_form: str
    parties: list[Party]


_STATE = re.compile(r"^(0[1-9]|[12][0-9]|3[0-2])$")
_POSITIVE_NUMBER = re.compile(r"^[1-9][0-9]{0,7}$")


def parse_state(raw: str) -> str:
    if not _STATE.match(raw):
        message = f"State {raw!r} must be an INEGI two-digit code, 01 to 32 (Querétaro: 22)."
        raise RegistryError(400, "invalid_state", message)
    return raw


def parse_positive_number(raw: str, *, error: str, what: str) -> int:
    if not _POSITIVE_NUMBER.match(raw):
        message = f"{what} {raw!r} must be a whole number from 1, without leading zeros."
        raise RegistryError(400, error, message)
    return int(raw)


class NotaryRegistry:
    """Notaries by (state, number) and their deeds by number. Read-only."""

    def __init__(self, notaries: list[Notary], deeds: list[Deed]) -> None:
        self._notaries = {(n["state"], n["number"]): n for n in notaries}
        self._deeds = {(d["notary_state"], d["notary_number"], d["deed_number"]): d for d in deeds}

    @classmethod
    def from_seed(cls, data_dir: Path | str | None = None) -> NotaryRegistry:
        notaries = cast(list[Notary], load_records(data_dir, NOTARIES_FILE))
        deeds = cast(list[Deed], load_records(data_dir, DEEDS_FILE))
        return cls(notaries, deeds)

    def notary(self, state: str, number: int) -> Notary:
        notary = self._notaries.get((state, number))
        if notary is None:
            message = f"No notary number {number} is registered in state {state}."
            raise RegistryError(404, "notary_not_found", message)
        return notary

    def deed(self, state: str, number: int, deed_number: int) -> Deed:
        self.notary(state, number)
        deed = self._deeds.get((state, number, deed_number))
        if deed is None:
            message = f"Notary {number} of state {state} has no deed number {deed_number}."
            raise RegistryError(404, "deed_not_found", message)
        return deed


def _notary_key(request: Request) -> tuple[str, int]:
    state = parse_state(request.path_params["state"])
    number = parse_positive_number(
        request.path_params["number"], error="invalid_notary_number", what="Notary number"
    )
    return state, number


async def notary_by_number(registry: NotaryRegistry, request: Request) -> Response:
    return JSONResponse(registry.notary(*_notary_key(request)))


async def deed_by_number(registry: NotaryRegistry, request: Request) -> Response:
    state, number = _notary_key(request)
    deed_number = parse_positive_number(
        request.path_params["deed_number"], error="invalid_deed_number", what="Deed number"
    )
    return JSONResponse(registry.deed(state, number, deed_number))


def create_app(data_dir: Path | str | None = None) -> Starlette:
    """A fresh notary registry loaded from the seed files in `data_dir`."""
    registry = NotaryRegistry.from_seed(data_dir)
    routes = [
        Route(
            "/v1/notarios/{state}/{number}",
            functools.partial(notary_by_number, registry),
            methods=["GET"],
        ),
        Route(
            "/v1/notarios/{state}/{number}/escrituras/{deed_number}",
            functools.partial(deed_by_number, registry),
            methods=["GET"],
        ),
    ]
    return registry_app(routes, OPENAPI)


_STATE_PARAMETER = path_parameter(
    "state", "INEGI state code, two digits (Querétaro: 22).", {"type": "string", "example": "22"}
)
_NUMBER_PARAMETER = path_parameter(
    "number", "The notary's number in the state.", {"type": "integer", "minimum": 1}
)

_NOTARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": list(Notary.__annotations__),
    "properties": {
        "state": {"type": "string", "example": QUERETARO},
        "number": {"type": "integer"},
        "name": {"type": "string", "description": "The notary's full name."},
        "municipality": {"type": "string", "description": "Seat of the notary's office."},
        "licence_status": {"type": "string", "enum": list(LICENCE_STATUSES)},
        "licensed_on": {"type": "string", "format": "date"},
        "status_changed_on": {
            "type": ["string", "null"],
            "format": "date",
            "description": "When the licence was suspended or revoked; null while active.",
        },
    },
}

_PARTY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": list(Party.__annotations__),
    "description": "A natural person (with a CURP) or a company (with an RFC) party to the deed.",
    "properties": {
        "name": {"type": "string", "description": "A company's name with its legal form."},
        "curp": {"type": ["string", "null"], "description": "Null for a company."},
        "rfc": {"type": ["string", "null"], "description": "A company's RFC; may be null."},
        "roles": {"type": "array", "items": {"type": "string", "enum": list(PARTY_ROLES)}},
    },
}

_DEED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": list(Deed.__annotations__),
    "properties": {
        "notary_state": {"type": "string"},
        "notary_number": {"type": "integer"},
        "deed_number": {"type": "integer"},
        "volume": {"type": "integer", "description": "Volumen (book) of the protocol."},
        "executed_on": {"type": "string", "format": "date"},
        "act": {"type": "string", "enum": list(DEED_ACTS)},
        "company_name": {"type": "string", "description": "With the legal-form suffix."},
        "legal_form": {"type": "string", "enum": ["sa_de_cv", "s_de_rl_de_cv"]},
        "parties": {"type": "array", "items": {"$ref": "#/components/schemas/Party"}},
    },
}

OPENAPI = openapi_document(
    title="Registro de notarías (sandbox)",
    description="Notaries' licence status and the deeds they executed.",
    paths={
        "/v1/notarios/{state}/{number}": {
            "get": {
                "operationId": "getNotary",
                "summary": "A notary and the status of their licence",
                "parameters": [_STATE_PARAMETER, _NUMBER_PARAMETER],
                "responses": {
                    "200": json_reply("The notary.", "Notary"),
                    "400": error_reply("Malformed state or number."),
                    "404": error_reply("No such notary (notary_not_found)."),
                },
            }
        },
        "/v1/notarios/{state}/{number}/escrituras/{deed_number}": {
            "get": {
                "operationId": "getDeed",
                "summary": "A deed (escritura) executed before a notary",
                "parameters": [
                    _STATE_PARAMETER,
                    _NUMBER_PARAMETER,
                    path_parameter(
                        "deed_number", "The deed's number.", {"type": "integer", "minimum": 1}
                    ),
                ],
                "responses": {
                    "200": json_reply("The deed and its parties.", "Deed"),
                    "400": error_reply("Malformed state, notary number or deed number."),
                    "404": error_reply("No such notary (notary_not_found) or deed."),
                },
            }
        },
    },
    schemas={"Notary": _NOTARY_SCHEMA, "Party": _PARTY_SCHEMA, "Deed": _DEED_SCHEMA},
)
