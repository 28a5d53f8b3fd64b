"""Reading the seed files in `sandbox/data/` that every fresh registry starts from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_dir_or_default(data_dir: Path | str | None) -> Path:
    return DEFAULT_DATA_DIR if data_dir is None else Path(data_dir)


def load_records(data_dir: Path | str | None, filename: str) -> list[dict[str, Any]]:
    """The list of JSON objects in one seed file."""
    path = data_dir_or_default(data_dir) / filename
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"{path} must hold a JSON list of objects")
    return records


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    """One record per line, so that a change to the seed shows as a one-line diff."""
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
