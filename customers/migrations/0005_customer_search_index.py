"""The customer search's trigram index: pg_trgm GIN on PostgreSQL, an FTS5 table on SQLite.

The SQL is written out here, not imported, so that this migration keeps
creating what it created when customers/search.py changes later.

On SQLite the FTS table is kept in step by triggers on customers_customer.
SQLite drops a table's triggers when Django rebuilds that table (most
AlterField/RemoveField migrations do), so a later migration that rebuilds
customers_customer must run `create_sqlite_search` again;
tests/customers/test_search.py fails until it does.
"""

from django.db import migrations

FIELDS = ("full_name", "alias_name", "username", "phone_number", "email", "membership_number", "tax_number")
TABLE = "customers_customer"
FTS = "customers_customer_search"

PG_EXPRESSION = "UPPER(({})::text)".format(" || ' ' || ".join(f"COALESCE({field}, '')" for field in FIELDS))

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({', '.join(FIELDS)}, tokenize='trigram')",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, {", ".join(FIELDS)}) VALUES (new.id, {", ".join(f"new.{f}" for f in FIELDS)});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF {", ".join(FIELDS)} ON {TABLE} BEGIN
        UPDATE {FTS} SET {", ".join(f"{f} = new.{f}" for f in FIELDS)} WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
    END""",
]
SQLITE_FILL = [
    f"DELETE FROM {FTS}",
    f"INSERT INTO {FTS}(rowid, {', '.join(FIELDS)}) SELECT id, {', '.join(FIELDS)} FROM {TABLE}",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {FTS}_{event}" for event in ("insert", "update", "delete")] + [
    f"DROP TABLE IF EXISTS {FTS}"
]


def create_sqlite_search(schema_editor) -> None:
    """Create (or re-create after a table rebuild) the FTS table and its triggers, and fill it."""
    for statement in SQLITE_CREATE + SQLITE_FILL:
        schema_editor.execute(statement)


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS customer_search_trgm ON {TABLE} USING gin (({PG_EXPRESSION}) gin_trgm_ops)"
        )
    elif vendor == "sqlite":
        create_sqlite_search(schema_editor)


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_search_trgm")
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_roles")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
