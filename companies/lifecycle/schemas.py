"""The JSON Schema of each filing type, one file per version
(``companies/data/filings/<type>.v<n>.json``): a filing's payload is validated against the
version it was filed with, and agencies read the same files under /api/v1/esquemas/tramites/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from companies.models import FilingType

FOLDER = Path(__file__).resolve().parent.parent / "data" / "filings"


class UnknownSchema(LookupError):
    """No such filing type, or not in that version."""


@cache
def schema(filing_type: str, version: int) -> dict[str, Any]:
    path = FOLDER / f"{filing_type}.v{version}.json"
    if filing_type not in FilingType.values or not path.is_file():
        raise UnknownSchema(f"{filing_type} v{version}")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(loaded)
    return loaded


def problems(filing_type: str, version: int, payload: Any) -> list[str]:
    """What in ``payload`` the schema refuses, each with where it is (``moves/0/curp: ...``)."""
    validator = Draft202012Validator(schema(filing_type, version))
    found = sorted(validator.iter_errors(payload), key=lambda error: list(error.absolute_path))
    return [
        "/".join(str(p) for p in error.absolute_path)
        + (": " if error.absolute_path else "")
        + error.message
        for error in found
    ]
