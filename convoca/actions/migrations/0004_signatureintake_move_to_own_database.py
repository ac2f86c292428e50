"""On SQLite, move the signing forms still waiting from the main file to the intake file."""

from django.db import DEFAULT_DB_ALIAS, connections, migrations

COLUMNS = "id, action_id, payload, created_at"


def intakes_move(apps, schema_editor):
    target = schema_editor.connection
    if target.alias == DEFAULT_DB_ALIAS:
        return  # one database: nothing to move
    source = connections[DEFAULT_DB_ALIAS]
    if "actions_signatureintake" not in source.introspection.table_names():
        return
    with source.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM actions_signatureintake")  # noqa: S608
        rows = cursor.fetchall()
    if not rows:
        return
    with target.cursor() as cursor:
        cursor.executemany(
            f"INSERT OR IGNORE INTO actions_signatureintake ({COLUMNS}) VALUES (%s, %s, %s, %s)",  # noqa: S608
            rows,
        )
    # Committed in the intake file before they leave the main one (the migration is not
    # atomic), and a second run after a crash in between inserts nothing twice. The same
    # table name and ids: each payload still decrypts with its associated data.
    with source.cursor() as cursor:
        cursor.executemany(
            "DELETE FROM actions_signatureintake WHERE id = %s", [(row[0],) for row in rows]
        )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("actions", "0003_signatureintake_own_database")]

    operations = [
        migrations.RunPython(
            intakes_move, migrations.RunPython.noop, hints={"model_name": "signatureintake"}
        ),
    ]
