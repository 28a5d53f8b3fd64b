"""Population registry (RENAPO stand-in): who a CURP belongs to and whether it is in force.

X-Road: `MX-DEV/GOV/RENAPO/poblacion`, service `personas`.
"""

from __future__ import annotations

import functools
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
from stdnum.mx import curp as stdnum_curp

from sandbox.providers.http import (
    RegistryError,
    error_reply,
    json_reply,
    openapi_document,
    path_parameter,
    registry_app,
)
from sandbox.providers.seed import load_records

PEOPLE_FILE = "people.json"

PersonStatus = Literal["active", "deceased", "withdrawn"]
PERSON_STATUSES: tuple[PersonStatus, ...] = ("active", "deceased", "withdrawn")


class Person(TypedDict):
    curp: str
    given_names: str
    first_surname: str
    second_surname: str | None
    birth_date: str
    sex: Literal["H", "M"]
    birth_state: str
    nationality: str
    status: PersonStatus


_CURP_PROBLEMS: dict[type[ValidationError], str] = {
    InvalidLength: "must be 18 characters long",
    InvalidFormat: "must be 4 letters, 6 digits, 6 letters, 1 letter or digit and 1 digit",
    InvalidComponent: "has an impossible birth date, sex or state code, or a barred word",
    InvalidChecksum: "has a wrong check digit (the 18th character)",
}


def parse_curp(raw: str) -> str:
    """The CURP in canonical form (upper case), or a 400 saying what is wrong with it."""
    try:
        return stdnum_curp.validate(raw)
    except ValidationError as exc:
        problem = _CURP_PROBLEMS.get(type(exc), "is not a valid CURP")
        raise RegistryError(400, "invalid_curp", f"CURP {raw!r} {problem}.") from exc


class PopulationRegistry:
    """The people of the seed file, by CURP. Read-only."""

    def __init__(self, people: list[Person]) -> None:
        self._by_curp = {person["curp"]: person for person in people}

    @classmethod
    def from_seed(cls, data_dir: Path | str | None = None) -> PopulationRegistry:
        return cls(cast(list[Person], load_records(data_dir, PEOPLE_FILE)))

    def person(self, curp: str) -> Person:
        person = self._by_curp.get(curp)
        if person is None:
            raise RegistryError(404, "person_not_found", f"No person has CURP {curp}.")
        return person


async def person_by_curp(registry: PopulationRegistry, request: Request) -> Response:
    curp = parse_curp(request.path_params["curp"])
    return JSONResponse(registry.person(curp))


def create_app(data_dir: Path | str | None = None) -> Starlette:
    """A fresh population registry loaded from the seed files in `data_dir`."""
    registry = PopulationRegistry.from_seed(data_dir)
    routes = [
        Route("/v1/personas/{curp}", functools.partial(person_by_curp, registry), methods=["GET"]),
    ]
    return registry_app(routes, OPENAPI)


_PERSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "curp",
        "given_names",
        "first_surname",
        "second_surname",
        "birth_date",
        "sex",
        "birth_state",
        "nationality",
        "status",
    ],
    "properties": {
        "curp": {"type": "string", "pattern": "^[A-Z]{4}[0-9]{6}[HM][A-Z]{5}[0-9A-Z][0-9]$"},
        "given_names": {"type": "string", "example": "Ana Sofía"},
        "first_surname": {"type": "string", "example": "Ramírez"},
        "second_surname": {"type": ["string", "null"], "example": "Olvera"},
        "birth_date": {"type": "string", "format": "date"},
        "sex": {"type": "string", "enum": ["H", "M"], "description": "H: hombre, M: mujer"},
        "birth_state": {
            "type": "string",
            "description": "State code as in the CURP (QT = Querétaro, NE = born abroad).",
        },
        "nationality": {"type": "string", "description": "ISO 3166-1 alpha-3, e.g. MEX."},
        "status": {"type": "string", "enum": list(PERSON_STATUSES)},
    },
}

OPENAPI = openapi_document(
    title="Registro de población (sandbox)",
    description="Who a CURP belongs to and whether it is active, deceased or withdrawn.",
    paths={
        "/v1/personas/{curp}": {
            "get": {
                "operationId": "getPersonByCurp",
                "summary": "The person a CURP belongs to",
                "parameters": [
                    path_parameter(
                        "curp",
                        "18-character CURP; lower case is accepted.",
                        {"type": "string", "example": "RAOA900514MQTMLN01"},
                    )
                ],
                "responses": {
                    "200": json_reply("The person and the CURP's status.", "Person"),
                    "400": error_reply("Malformed CURP (error: invalid_curp)."),
                    "404": error_reply("Well-formed CURP that nobody has (person_not_found)."),
                },
            }
        }
    },
    schemas={"Person": _PERSON_SCHEMA},
)
