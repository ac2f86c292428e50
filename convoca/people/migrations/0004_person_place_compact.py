"""Rewrite the tables whose personal data was just encrypted: no clear value stays in the file."""

from django.db import migrations

from convoca.core.crypto_migrations import tables_compact


class Migration(migrations.Migration):
    # VACUUM runs outside a transaction.
    atomic = False

    dependencies = [("people", "0003_person_place_encrypted")]

    operations = [
        migrations.RunPython(
            tables_compact("people_person"), migrations.RunPython.noop, atomic=False
        ),
    ]
