"""The demo identities, read from the population registry's seed files in `sandbox/data/`.

`demo.json` lists the demo people (CURP and role) first; `people.json` has their names,
birth dates and CURP status. The picker offers exactly those, in that order: active adults,
a minor, deceased and withdrawn people (see `sandbox/data/README.md`).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, cast

from sandbox.identity.models import Identity, IdentityStatus
from sandbox.providers.seed import data_dir_or_default, load_records

PEOPLE_FILE = "people.json"
DEMO_FILE = "demo.json"


def load_demo_identities(data_dir: Path | str | None = None) -> list[Identity]:
    """The demo people of the seed, in the order `demo.json` lists them."""
    people = {person["curp"]: person for person in load_records(data_dir, PEOPLE_FILE)}
    return [
        identity_from_person(people[entry["curp"]], description=entry.get("role", ""))
        for entry in _demo_people(data_dir)
    ]


def identity_from_person(person: dict[str, Any], *, description: str = "") -> Identity:
    """An `Identity` from a population-registry record (`sandbox.providers.population`)."""
    surnames = (person["first_surname"], person.get("second_surname"))
    return Identity(
        curp=person["curp"],
        given_name=person["given_names"],
        family_name=" ".join(surname for surname in surnames if surname),
        email=person.get("email"),
        birthdate=datetime.date.fromisoformat(person["birth_date"]),
        status=cast(IdentityStatus, person["status"]),
        description=description,
    )


def _demo_people(data_dir: Path | str | None) -> list[dict[str, Any]]:
    path = data_dir_or_default(data_dir) / DEMO_FILE
    demo = json.loads(path.read_text(encoding="utf-8"))
    people = demo.get("people") if isinstance(demo, dict) else None
    if not isinstance(people, list):
        raise ValueError(f"{path} must hold an object with a 'people' list")
    return people
