"""Reference data shipped as files and loaded into tables: the legal forms and their rules."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

LEGAL_FORMS = Path(__file__).resolve().parent / "data" / "legal_forms.json"
_DECIMALS = ("minimum_capital", "fee", "revenue_cap")


def legal_form_rows() -> list[dict[str, Any]]:
    rows = json.loads(LEGAL_FORMS.read_text(encoding="utf-8"))
    return [
        {k: (Decimal(v) if k in _DECIMALS and v is not None else v) for k, v in row.items()}
        for row in rows
    ]


def load_legal_forms(model: Any = None) -> None:
    """Create or update the legal forms from the data file (idempotent)."""
    if model is None:
        from companies.models import LegalForm as model
    for row in legal_form_rows():
        model.objects.update_or_create(code=row.pop("code"), defaults=row)
