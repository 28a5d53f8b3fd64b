"""Load the three legal forms and their rules from companies/data/legal_forms.json."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "legal_forms.json"
DECIMALS = ("minimum_capital", "fee", "revenue_cap")


def load(apps, schema_editor):
    LegalForm = apps.get_model("companies", "LegalForm")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        values = {k: (Decimal(v) if k in DECIMALS and v is not None else v) for k, v in row.items()}
        LegalForm.objects.update_or_create(code=values.pop("code"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
