"""Trigram indexes for 搜索 (meetings.search), PostgreSQL only.

The search is `icontains`, which Django writes on PostgreSQL as
`UPPER("field"::text) LIKE UPPER('%…%')`: an index on the bare column would
not serve it, so each index is a pg_trgm GIN index on `UPPER(field)`. With
a UTF-8 LC_CTYPE (C.UTF-8, zh_CN.UTF-8 …) pg_trgm takes Chinese characters
as word characters, so a substring of three or more characters is found
through the index; in a database created with LC_CTYPE=C it would not be.

These indexes are created here in a vendor-checked RunPython and not
declared in the models' Meta: SQLite (the embedded default) understands
neither the extension nor the operator class. They are not part of the
migration state, so `makemigrations --check` stays clean. The reports'
tables are indexed here too, so that the search's indexes live in one
place; hence the dependency on reports.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Every field the search reads: one field without an index would turn the OR
# of all of them into a sequential scan.
INDEXED = {
    "meetings_meeting": (
        "title",
        "study_content",
        "briefings",
        "statements",
        "judgement_detail",
        "requirements",
        "concluding_speech",
    ),
    "meetings_finding": ("title", "details", "cause"),
    "meetings_measure": ("content", "progress_note"),
    "reports_quarterlyreport": ("title",),
    "reports_reportitem": ("heading", "body"),
}


def _names():
    for table, fields in INDEXED.items():
        for name in fields:
            yield table, name, f"{table}_{name}_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, name, index in _names():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index)} ON {quote(table)} "
            f"USING gin (UPPER({quote(name)}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _name, index in _names():
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_measure_closure"),
        ("reports", "0012_review_points"),
    ]

    operations = [
        # CREATE EXTENSION pg_trgm; Django skips it on other databases.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
