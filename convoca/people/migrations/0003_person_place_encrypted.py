"""Encrypt a person's postal code and city, and find them by keyed blind indexes.

The clear columns are renamed, the encrypted ones added under the old names
(a ciphertext is bound to its column's name, so it must be written under
the final one), the values carried over row by row, and the clear columns
dropped.
"""

from django.db import migrations, models

import convoca.core.fields
from convoca.core import crypto
from convoca.core.fields import Ciphertext

BATCH = 500


def place_encrypt(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    db = schema_editor.connection.alias
    people = (
        Person.objects.using(db)
        .exclude(postal_code_clear="", city_clear="")
        .only("pk", "postal_code_clear", "city_clear")
        .order_by("pk")
    )
    batch = []
    for person in people.iterator(chunk_size=BATCH):
        person.postal_code = person.postal_code_clear
        person.city = person.city_clear
        batch.append(person)
        if len(batch) >= BATCH:
            _write(Person, db, batch)
            batch = []
    _write(Person, db, batch)


def _write(Person, db, batch):
    if not batch:
        return
    # bulk_update does not call pre_save: encrypt and index here, bound to
    # the final column names.
    table = Person._meta.db_table
    for person in batch:
        for name, purpose in (("postal_code", "postal_code"), ("city", "locality")):
            value = getattr(person, name)
            setattr(
                person,
                name,
                Ciphertext(crypto.encrypt(value, associated_data=f"{table}.{name}:{person.pk}"))
                if value
                else "",
            )
            setattr(person, f"{name}_index", crypto.value_index(value, purpose=purpose))
    Person.objects.using(db).bulk_update(
        batch, ["postal_code", "city", "postal_code_index", "city_index"]
    )


def place_decrypt(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    db = schema_editor.connection.alias
    table = Person._meta.db_table
    for person in Person.objects.using(db).exclude(postal_code="", city="").iterator():
        for name in ("postal_code", "city"):
            token = person.__dict__[name]
            setattr(
                person,
                f"{name}_clear",
                crypto.decrypt(token, associated_data=f"{table}.{name}:{person.pk}")
                if token
                else "",
            )
        Person.objects.using(db).filter(pk=person.pk).update(
            postal_code_clear=person.postal_code_clear, city_clear=person.city_clear
        )


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
        migrations.RunPython(place_encrypt, place_decrypt),
        migrations.RemoveField("person", "postal_code_clear"),
        migrations.RemoveField("person", "city_clear"),
    ]
