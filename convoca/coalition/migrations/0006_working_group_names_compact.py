"""Rewrite the tables whose personal data was just encrypted: no clear value stays in the file."""

from django.db import migrations

from convoca.core.crypto_migrations import tables_compact


class Migration(migrations.Migration):
    # VACUUM runs outside a transaction.
    atomic = False

    dependencies = [("coalition", "0005_working_group_names_encrypted")]

    operations = [
        migrations.RunPython(
            tables_compact("coalition_workinggroupmember", "coalition_joinrequest"), migrations.RunPython.noop, atomic=False
        ),
    ]
