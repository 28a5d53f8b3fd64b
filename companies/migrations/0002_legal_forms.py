"""Load the three legal forms and their rules from companies/data/legal_forms.json."""

from django.db import migrations


def load(apps, schema_editor):
    from companies.reference_data import load_legal_forms

    load_legal_forms(apps.get_model("companies", "LegalForm"))


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
