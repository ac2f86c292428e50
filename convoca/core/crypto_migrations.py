"""Data migrations that carry clear personal values into encrypted fields, and back.

A ciphertext is bound to its table, column and row (see ``core.fields``),
so these write with plain SQL ``UPDATE``s what ``EncryptedTextField`` would
have written, batch by batch in key order (no cursor stays open over a
table being updated, which SQLite would not allow). They work on SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from convoca.core import crypto

BATCH = 1000


def encrypt_columns(
    app_label: str,
    model_name: str,
    fields: list[str],
    *,
    sources: dict[str, str] | None = None,
    indexes: dict[str, tuple[str, str]] | None = None,
    row_key: str = "pk",
) -> Callable:
    """A ``RunPython`` function that encrypts ``fields`` of every row of a model.

    ``sources`` maps a field to the field its clear value is read from
    (default: itself, already altered to an ``EncryptedTextField`` whose
    values are still clear). ``indexes`` maps a blind index field to
    ``(field, purpose)``. With a ``row_key`` field instead of the primary
    key, every row is given a fresh key, so that no two rows share one.
    """
    sources = sources or {}
    indexes = indexes or {}

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        meta = model._meta
        quote = connection.ops.quote_name
        key_field = meta.pk if row_key == "pk" else meta.get_field(row_key)
        columns = {name: meta.get_field(name).column for name in fields}
        assignments = [f"{quote(columns[name])} = %s" for name in fields]
        assignments += [f"{quote(meta.get_field(name).column)} = %s" for name in indexes]
        if row_key != "pk":
            assignments.append(f"{quote(key_field.column)} = %s")
        # Only quoted names of the model's own table and columns: no input reaches this.
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
            f"WHERE {quote(meta.pk.column)} = %s"
        )
        rows = model.objects.using(connection.alias).order_by("pk")
        last = None
        while True:
            page = rows if last is None else rows.filter(pk__gt=last)
            batch = list(page.values_list("pk", *[sources.get(f, f) for f in fields])[:BATCH])
            if not batch:
                return
            last = batch[-1][0]
            updates = []
            for pk, *values in batch:
                clear = {name: str(value or "") for name, value in zip(fields, values, strict=True)}
                if row_key == "pk" and not any(clear.values()):
                    continue
                key = pk if row_key == "pk" else uuid.uuid4()
                params = [
                    crypto.encrypt(
                        clear[name], associated_data=f"{meta.db_table}.{columns[name]}:{key}"
                    )
                    if clear[name]
                    else ""
                    for name in fields
                ]
                params += [
                    crypto.value_index(clear[source], purpose=purpose)
                    for source, purpose in indexes.values()
                ]
                if row_key != "pk":
                    params.append(key_field.get_db_prep_value(key, connection))
                params.append(meta.pk.get_db_prep_value(pk, connection))
                updates.append(params)
            if updates:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, updates)

    return forward


def decrypt_columns(
    app_label: str,
    model_name: str,
    fields: list[str],
    *,
    targets: dict[str, str] | None = None,
    row_key: str = "pk",
) -> Callable:
    """The reverse of :func:`encrypt_columns`: write each value back in clear.

    ``targets`` maps a field to the (clear) field it is written to, by
    default itself.
    """
    targets = targets or {}

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        meta = model._meta
        quote = connection.ops.quote_name
        columns = {name: meta.get_field(name).column for name in fields}
        clear = [quote(meta.get_field(targets.get(name, name)).column) for name in fields]
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{c} = %s' for c in clear)} "  # noqa: S608
            f"WHERE {quote(meta.pk.column)} = %s"
        )
        key_name = "pk" if row_key == "pk" else row_key
        rows = model.objects.using(connection.alias).order_by("pk")
        last = None
        while True:
            page = rows if last is None else rows.filter(pk__gt=last)
            batch = list(page.values_list("pk", key_name, *fields)[:BATCH])
            if not batch:
                return
            last = batch[-1][0]
            updates = []
            for pk, key, *tokens in batch:
                if not any(tokens):
                    continue
                params = [
                    crypto.decrypt(token, associated_data=f"{meta.db_table}.{columns[name]}:{key}")
                    if token
                    else ""
                    for name, token in zip(fields, tokens, strict=True)
                ]
                params.append(meta.pk.get_db_prep_value(pk, connection))
                updates.append(params)
            if updates:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, updates)

    return backward


def tables_compact(*tables: str) -> Callable:
    """A ``RunPython`` function (of a non-atomic migration) that rewrites ``tables``.

    An ``UPDATE`` leaves the old version of a row where it was, and a
    dropped column or table leaves its data in the file, until the space is
    reused: the clear values just encrypted would stay readable with
    ``strings``. SQLite's ``VACUUM`` rewrites the whole file (then the WAL is
    emptied), PostgreSQL's ``VACUUM FULL`` each table. Nothing is done when
    the tables are empty, as on a new installation.
    """

    def compact(apps, schema_editor):
        connection = schema_editor.connection
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            held = []
            for table in tables:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    held.append(table)
            if not held:
                return
            if connection.vendor == "sqlite":
                cursor.execute("VACUUM")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            elif connection.vendor == "postgresql":
                for table in held:
                    cursor.execute(f"VACUUM FULL {quote(table)}")

    return compact
