"""The register's name search reads the nearest names first when a name is common: a GiST
trigram index beside 0007's GIN one, on PostgreSQL only.

0007's GIN index finds every match of a rare name at once, but a common word matches tens of
thousands of names among a million, and ranking them meant reading and sorting them all (2 s). A
GiST ``gist_trgm_ops`` index hands the names out nearest-first (``ORDER BY ... <->> query
LIMIT n``), so a page reads about as many entries as it shows; for a rare name, though, it reads
most of the index, which GIN does not (``companies.register.search.companies_named`` chooses).

The GiST index is on ``upper(normalised_name)`` (the same value: normalised names are upper
case) so that only a query written on that expression can use it: otherwise PostgreSQL's
estimates would take it for every search, rare names included.

Built and dropped ``CONCURRENTLY`` (so the migration is not atomic): a register of a million
companies keeps taking registrations during the half minute the build takes. SQLite searches in
Python and needs no index, so both directions are no-ops there.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEX = "companies_company_name_gist_trgm"


def create_gist_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON companies_company "
        "USING gist (upper(normalised_name) gist_trgm_ops)"
    )


def drop_gist_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("companies", "0014_application_clock"),
    ]

    operations = [
        migrations.RunPython(create_gist_index, drop_gist_index, elidable=False),
    ]
