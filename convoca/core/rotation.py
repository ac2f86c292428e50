"""Rotating the data-encryption key: add a version, re-encrypt, retire the old ones."""

from __future__ import annotations

import base64
import secrets
from dataclasses import replace
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction

from convoca.core import crypto, keyring
from convoca.core.fields import Ciphertext, EncryptedTextField
from convoca.core.models import DataKey

BATCH = 500


def _encrypted_models():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def _secrets_path() -> Path:
    return Path(settings.CONVOCA_KEYRING.source)


def _write_keys(data_keys: dict[int, bytes]) -> None:
    path = _secrets_path()
    content = keyring.read_secrets_file(path)
    if content is None:
        raise keyring.KeyringError(f"{path} is missing.")
    content["data_keys"] = {
        str(v): base64.urlsafe_b64encode(k).decode() for v, k in sorted(data_keys.items())
    }
    keyring.write_secrets(path, content, replace=True)
    settings.CONVOCA_KEYRING = replace(settings.CONVOCA_KEYRING, data_keys=data_keys)
    crypto.keyring_verify(force=True)


def data_key_add() -> int:
    """Add a new data key version to the secrets file and make it current."""
    ring = settings.CONVOCA_KEYRING
    version = ring.current_version + 1
    _write_keys({**ring.data_keys, version: secrets.token_bytes(keyring.KEY_BYTES)})
    return version


def encrypted_data_reencrypt() -> int:
    """Re-encrypt every encrypted value not under the current key; return rows changed."""
    current = settings.CONVOCA_KEYRING.current_version
    changed = 0
    for model, fields in _encrypted_models():
        names = [f.attname for f in fields]
        last_pk = None
        while True:
            queryset = model._base_manager.order_by("pk")
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            rows = list(queryset[:BATCH])
            if not rows:
                break
            with transaction.atomic():
                for row in rows:
                    stale = [
                        name
                        for name in names
                        if isinstance(raw := row.__dict__.get(name), Ciphertext)
                        and crypto.token_version(raw) != current
                    ]
                    for name in stale:
                        setattr(row, name, str(getattr(row, name)))  # decrypt; re-encrypt on save
                    if stale:
                        row.save(update_fields=stale)
                        changed += 1
            last_pk = rows[-1].pk
    return changed


def data_keys_retire() -> list[int]:
    """Forget key versions no stored value uses any more."""
    ring = settings.CONVOCA_KEYRING
    in_use = {ring.current_version}
    for model, fields in _encrypted_models():
        for field in fields:
            for token in (
                model._base_manager.exclude(**{field.attname: ""})
                .values_list(field.attname, flat=True)
                .iterator()
            ):
                in_use.add(crypto.token_version(token))
    retired = sorted(v for v in ring.data_keys if v not in in_use)
    if retired:
        DataKey.objects.filter(version__in=retired).delete()
        _write_keys({v: k for v, k in ring.data_keys.items() if v not in retired})
    return retired
