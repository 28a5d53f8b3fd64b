"""The name words of the companies already in the register (0022's tables), and the indexes the
name search reads: the words' trigrams, and a word's companies in the order the search ranks
them (the name's length, then the company), the name included so that PostgreSQL checks a
query's other words without reading the companies (``companies.register.search``).

Safe on a big register: the backfill is SQL that reads the companies without locking them, and
run again it skips the companies already there; the indexes are built after it (quicker than
keeping them up to date row by row) and ``CONCURRENTLY``, so this migration is not atomic (and
comes apart from 0017, whose tables must exist first). A million companies took about five
minutes on a shared machine. SQLite searches in Python and needs no index: its words are filled
in Python, for the counts to be right everywhere.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TRIGRAMS = "companies_nameword_trgm"
RANKED = "companies_namewordcompany_ranked"

BACKFILL = (
    """
    INSERT INTO companies_nameword (word, companies)
    SELECT DISTINCT word, 0
    FROM companies_company, unnest(string_to_array(normalised_name, ' ')) AS name_words(word)
    WHERE word <> ''
    ON CONFLICT (word) DO NOTHING
    """,
    """
    INSERT INTO companies_namewordcompany (word_id, company_id, name, name_length)
    SELECT DISTINCT name_word.id, company.id, company.normalised_name,
           length(company.normalised_name)
    FROM companies_company AS company
    CROSS JOIN LATERAL unnest(string_to_array(company.normalised_name, ' ')) AS name_words(word)
    JOIN companies_nameword AS name_word ON name_word.word = name_words.word
    WHERE NOT EXISTS (
        SELECT FROM companies_namewordcompany AS indexed WHERE indexed.company_id = company.id
    )
    """,
    """
    UPDATE companies_nameword AS name_word SET companies = counted.companies
    FROM (
        SELECT word_id, count(*) AS companies FROM companies_namewordcompany GROUP BY word_id
    ) AS counted
    WHERE counted.word_id = name_word.id
    """,
    f"""
    CREATE INDEX CONCURRENTLY IF NOT EXISTS {RANKED} ON companies_namewordcompany
    (word_id, name_length, company_id) INCLUDE (name)
    """,
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""
    CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRIGRAMS} ON companies_nameword
    USING gin (word gin_trgm_ops)
    """,
    "ANALYZE companies_nameword",
    "ANALYZE companies_namewordcompany",
)


def index_names(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKFILL:
            schema_editor.execute(statement)
        return
    company_model = apps.get_model("companies", "Company")
    word_model = apps.get_model("companies", "NameWord")
    link_model = apps.get_model("companies", "NameWordCompany")
    for company in company_model.objects.exclude(name_words__isnull=False).iterator():
        name = company.normalised_name
        for word in set(name.split()):
            name_word, _ = word_model.objects.get_or_create(word=word)
            link_model.objects.create(
                word=name_word, company=company, name=name, name_length=len(name)
            )
            word_model.objects.filter(pk=name_word.pk).update(companies=name_word.companies + 1)


def drop_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TRIGRAMS}")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {RANKED}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("companies", "0022_register_name_words"),
    ]

    operations = [
        migrations.RunPython(index_names, drop_indexes, elidable=False),
    ]
