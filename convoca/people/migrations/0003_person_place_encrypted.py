"""Encrypt a person's postal code and city, and find them by keyed blind indexes.

The clear columns are renamed, the encrypted ones added under the old names
(a ciphertext is bound to its column's name, so it must be written under
the final one), the values carried over row by row, and the clear columns
dropped.
"""

from django.db import migrations

import convoca.core.fields
from convoca.core.crypto_migrations import decrypt_columns, encrypt_columns

PLACE = ["postal_code", "city"]

class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditentry"),
        ("people", "0002_person_confirmation_sent_at"),
    ]

    operations = [
        migrations.RenameField("person", "postal_code", "postal_code_clear"),
        migrations.RenameField("person", "city", "city_clear"),
        migrations.AddField(
            model_name="person",
            name="postal_code",
            field=convoca.core.fields.EncryptedTextField(
                blank=True, default="", verbose_name="postal code"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="person",
            name="city",
            field=convoca.core.fields.EncryptedTextField(
                blank=True, default="", verbose_name="city"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="person",
            name="postal_code_index",
            field=convoca.core.fields.BlindIndexField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                null=True,
                purpose="postal_code",
                source="postal_code",
                verbose_name="postal code index",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="city_index",
            field=convoca.core.fields.BlindIndexField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                null=True,
                purpose="locality",
                source="city",
                verbose_name="city index",
            ),
        ),
        migrations.RunPython(
            encrypt_columns(
                "people",
                "person",
                PLACE,
                sources={"postal_code": "postal_code_clear", "city": "city_clear"},
                indexes={
                    "postal_code_index": ("postal_code", "postal_code"),
                    "city_index": ("city", "locality"),
                },
            ),
            decrypt_columns(
                "people",
                "person",
                PLACE,
                targets={"postal_code": "postal_code_clear", "city": "city_clear"},
            ),
        ),
        migrations.RemoveField("person", "postal_code_clear"),
        migrations.RemoveField("person", "city_clear"),
    ]
