"""Rotating the data-encryption key while the site runs: add a version, re-encrypt, retire.

``convoca rotatekeys`` runs beside the web servers and workers, while
supporters sign, and may be killed at any moment: running it again
finishes the job (``key_rotation_run``).

1. A new key version is written to ``secrets.json`` and its fingerprint to
   ``core.DataKey``. Every running process asks ``DataKey`` for the newest
   version at most every ``CONVOCA_KEY_REFRESH_SECONDS``, reads the key
   file again when there is a newer one, and encrypts with it from then on
   (``crypto._keyring_current``); a process that meets a value under a
   version it does not have reads the file at once.
2. After twice that interval, when every process encrypts with the new
   key, every value under an older one is re-encrypted, in batches of one
   transaction each. Only rows still under an old key are read, so a
   re-run goes on where a killed run stopped. A value is replaced only if
   it is still the one that was read (a conditional UPDATE): a supporter's
   change made meanwhile is never overwritten with the older value.
3. An old version is retired only when a full scan finds no value under
   it: its ``DataKey`` row is marked retired (the row stays, so the version
   is never used again), then the key leaves ``secrets.json``.

What a kill can leave, and what the re-run does: a key in the file but not
yet in ``DataKey`` (recorded when the re-run starts); rows under old keys
(re-encrypted); a key marked retired but still in the file (removed). No key
leaves the file while a value uses it, so every row stays readable.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import router, transaction
from django.db.models import Q
from django.utils import timezone

from convoca.core import crypto, keyring
from convoca.core.fields import Ciphertext, EncryptedTextField
from convoca.core.models import DataKey

BATCH = 500

#: Full passes over the data before an old key still in use is kept for another run.
RETIRE_ATTEMPTS = 5


class RotationError(Exception):
    """The rotation cannot go on; the message says what to do."""


@dataclass
class RotationReport:
    """What a run of ``key_rotation_run`` did."""

    version: int = 0
    added: bool = False
    reencrypted: int = 0
    #: Values that do not decrypt (damaged or moved); their key is kept.
    unreadable: list[str] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)


def _encrypted_models():
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [f for f in meta.concrete_fields if isinstance(f, EncryptedTextField)]
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
    keyring.write_secrets(path, content, replace=True)  # a whole new file, renamed over
    settings.CONVOCA_KEYRING = replace(settings.CONVOCA_KEYRING, data_keys=data_keys)
    crypto.keyring_verify(force=True)


def data_key_add() -> int:
    """Add a new data key version to the secrets file, record it, and make it current.

    The version follows every version the database has known, retired ones
    included, so a number is never given to two keys.
    """
    ring = settings.CONVOCA_KEYRING
    highest = max([ring.current_version, *DataKey.objects.values_list("version", flat=True)])
    version = highest + 1
    _write_keys({**ring.data_keys, version: secrets.token_bytes(keyring.KEY_BYTES)})
    return version


def _stale(names: list[str], current: int) -> Q:
    """Rows with a value in one of these fields under another key than ``current``."""
    condition = Q()
    for name in names:
        # The token starts with "<version>$"; LIKE needs no decryption.
        condition |= ~Q(**{name: ""}) & ~Q(**{f"{name}__startswith": f"{current}$"})
    return condition


def encrypted_data_reencrypt(
    *, batch: int = BATCH, progress: Callable[[str], None] | None = None
) -> tuple[int, list[str]]:
    """Re-encrypt every value not under the current key, batch by batch.

    Returns the number of values changed and a list of values that did not
    decrypt ("<table>.<column> <row>"), which are left as they are.
    """
    current = settings.CONVOCA_KEYRING.current_version
    changed = 0
    unreadable: list[str] = []
    for model, fields in _encrypted_models():
        names = [f.attname for f in fields]
        by_name = {f.attname: f for f in fields}
        row_keys = {f.row_key for f in fields if f.row_key != "pk"}
        database = router.db_for_write(model)
        waiting = (
            model._base_manager.using(database)
            .filter(_stale(names, current))
            .only("pk", *row_keys, *names)
            .order_by("pk")
        )
        last_pk = None
        done_here = 0
        while True:
            page = waiting if last_pk is None else waiting.filter(pk__gt=last_pk)
            rows = list(page[:batch])
            if not rows:
                break
            with transaction.atomic(using=database):
                for row in rows:
                    old, new = {}, {}
                    for name in names:
                        token = row.__dict__.get(name)
                        if not isinstance(token, Ciphertext) or token.startswith(f"{current}$"):
                            continue
                        associated = by_name[name].associated_data(row)
                        try:
                            plain = crypto.decrypt(token, associated_data=associated)
                        except crypto.DecryptionError:
                            unreadable.append(f"{associated.partition(':')[0]} {row.pk}")
                            continue
                        old[name] = token
                        new[name] = Ciphertext(crypto.encrypt(plain, associated_data=associated))
                    if new:
                        # Only if unchanged since read: a newer value written
                        # meanwhile wins (and is caught by the next pass if it
                        # was written under the old key).
                        changed += (
                            model._base_manager.using(database)
                            .filter(pk=row.pk, **old)
                            .update(**new)
                        ) * len(new)
                        done_here += len(new)
            last_pk = rows[-1].pk
        if progress and done_here:
            progress(f"{model._meta.label}: {done_here} values re-encrypted")
    return changed, unreadable


def key_versions_in_use(versions: list[int]) -> set[int]:
    """Which of these key versions some stored value is still encrypted under."""
    in_use = set()
    for model, fields in _encrypted_models():
        queryset = model._base_manager.using(router.db_for_read(model))
        for version in versions:
            if version in in_use:
                continue
            condition = Q()
            for field_ in fields:
                condition |= Q(**{f"{field_.attname}__startswith": f"{version}$"})
            if queryset.filter(condition).exists():
                in_use.add(version)
    return in_use


def data_keys_retire(versions: list[int]) -> None:
    """Retire these versions: marked in the database first, then gone from the key file.

    In that order, so a kill in between leaves a key in the file that the
    database calls retired (harmless; the next run removes it), never a
    key the database expects and the file lacks.
    """
    DataKey.objects.filter(version__in=versions, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )
    ring = settings.CONVOCA_KEYRING
    if ring.source != "environment":
        _write_keys({v: k for v, k in ring.data_keys.items() if v not in versions})


def _propagation_wait(version: int, progress: Callable[[str], None] | None) -> None:
    """Wait until every running process encrypts with ``version`` (see the module's docstring)."""
    window = timedelta(seconds=2 * settings.CONVOCA_KEY_REFRESH_SECONDS)
    added = DataKey.objects.filter(version=version).values_list("created_at", flat=True).first()
    left = ((added or timezone.now()) + window - timezone.now()).total_seconds()
    if left > 0:
        if progress:
            progress(f"Waiting {left:.0f} s for running processes to take key version {version}.")
        time.sleep(left)


def key_rotation_run(
    *,
    new_key: bool = True,
    batch: int = BATCH,
    progress: Callable[[str], None] | None = None,
) -> RotationReport:
    """Rotate the data key, or finish a rotation a killed run left; safe while the site runs.

    With ``new_key`` a key is added only when the keyring holds one
    version: several versions mean an unfinished rotation (or a key an
    operator added to ``CONVOCA_DATA_KEYS``), which this run finishes
    instead. Raises :class:`RotationError` when keys come from the
    environment and there is no new one there.
    """
    crypto.keyring_verify(force=True)  # records a key a killed run wrote but did not record
    ring = settings.CONVOCA_KEYRING
    report = RotationReport()
    retired = set(
        DataKey.objects.filter(retired_at__isnull=False).values_list("version", flat=True)
    )
    unfinished = [v for v in ring.data_keys if v != ring.current_version]
    if ring.source == "environment":
        # Retired keys stay in the environment until the operator removes them.
        unfinished = [v for v in unfinished if v not in retired]
    if new_key and not unfinished:
        if ring.source == "environment":
            raise RotationError(
                "The keys come from CONVOCA_DATA_KEYS: add a new version there "
                "(e.g. '…,2:<base64 of 32 random bytes>'), restart every process, and run "
                "rotatekeys again."
            )
        try:
            report.version = data_key_add()
        except keyring.KeyringError as exc:
            raise RotationError(str(exc)) from exc
        report.added = True
        if progress:
            progress(f"Added data key version {report.version}.")
    ring = settings.CONVOCA_KEYRING
    report.version = ring.current_version
    older = [v for v in ring.data_keys if v != ring.current_version]
    _propagation_wait(report.version, progress)
    for _attempt in range(RETIRE_ATTEMPTS):
        changed, unreadable = encrypted_data_reencrypt(batch=batch, progress=progress)
        report.reencrypted += changed
        report.unreadable = unreadable
        still = key_versions_in_use(older)
        if not still or unreadable:
            break
        # Written under an old key by a process that had not yet switched, or
        # changed while being re-encrypted: another pass after a refresh.
        time.sleep(settings.CONVOCA_KEY_REFRESH_SECONDS)
    report.kept = sorted(still)
    report.retired = [v for v in sorted(older) if v not in still]
    if report.retired:
        data_keys_retire(report.retired)
    return report
