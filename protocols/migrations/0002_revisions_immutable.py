"""The database itself refuses to change a revision's content once written.

Only `author` may change (set to NULL if a person is ever deleted).
"""

from django.db import migrations

CONTENT = ("body", "number", "protocol_id", "summary", "created_at", "restored_from")

SQLITE_UP = (
    "CREATE TRIGGER protocols_revision_immutable BEFORE UPDATE ON protocols_revision "
    "WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT) + " "
    "BEGIN SELECT RAISE(ABORT, 'protocol revisions are immutable'); END;"
)
SQLITE_DOWN = "DROP TRIGGER IF EXISTS protocols_revision_immutable;"

POSTGRES_UP = (
    "CREATE FUNCTION protocols_revision_immutable() RETURNS trigger AS $$ BEGIN "
    "IF " + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CONTENT) + " THEN "
    "RAISE EXCEPTION 'protocol revisions are immutable'; END IF; RETURN NEW; END; "
    "$$ LANGUAGE plpgsql; "
    "CREATE TRIGGER protocols_revision_immutable BEFORE UPDATE ON protocols_revision "
    "FOR EACH ROW EXECUTE FUNCTION protocols_revision_immutable();"
)
POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS protocols_revision_immutable ON protocols_revision; "
    "DROP FUNCTION IF EXISTS protocols_revision_immutable();"
)


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("protocols", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
