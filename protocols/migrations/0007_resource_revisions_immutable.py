"""The database refuses to change a resource revision once written, as it does for
protocol revisions (0002): only `author` may change (to NULL when a person is deleted)."""

from django.db import migrations

TABLE = "protocols_resourcerevision"
CONTENT = ("resource_id", "number", "data", "summary", "created_at", "restored_from")


def up(apps, schema_editor):
    from protocols.revisions import immutable_trigger

    create, _drop = immutable_trigger(TABLE, CONTENT, schema_editor.connection.vendor)
    if create:
        schema_editor.execute(create)


def down(apps, schema_editor):
    from protocols.revisions import immutable_trigger

    _create, drop = immutable_trigger(TABLE, CONTENT, schema_editor.connection.vendor)
    if drop:
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("protocols", "0006_review_at_shift_start")]
    operations = [migrations.RunPython(up, down)]
