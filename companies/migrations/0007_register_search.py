"""The register search's trigram index (``selectors.companies_named``), on PostgreSQL only.

SQLite searches with LIKE and needs nothing, so both directions are no-ops there. The index is
not declared in ``Company.Meta``: a GIN ``gin_trgm_ops`` index cannot exist on SQLite.
Reversing drops the index and leaves pg_trgm installed, as other objects may use it.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEX = "companies_company_name_trgm"


def create_trigram_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON companies_company "
        "USING gin (normalised_name gin_trgm_ops)"
    )


def drop_trigram_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0006_documents"),
    ]

    operations = [
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
