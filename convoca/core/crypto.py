"""Authenticated encryption of personal data, and the blind index to find it.

Each value is encrypted with AES-GCM under the newest data key; the token
records the key's version so a rotation can re-encrypt, and the associated
data binds it to its table, row and field, so a ciphertext copied into
another row or column no longer decrypts. Emails are found through a keyed
HMAC of their normalised form (a blind index), never a plain hash, which an
attacker could reverse by hashing a list of addresses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
import time
import unicodedata
from dataclasses import replace
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Max

from convoca.core import keyring as keyring_module

NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value does not decrypt: wrong key, wrong row, or tampering."""


class KeyringMismatch(ImproperlyConfigured):
    """The database holds data encrypted with keys this installation lacks."""


@cache
def _cipher(version: int, key: bytes) -> AESGCM:
    return AESGCM(key)


def encrypt(plaintext: str, *, associated_data: str) -> str:
    """Encrypt ``plaintext`` under the current data key; return ``"<version>$<base64>"``."""
    keyring_verify()
    ring = _keyring_current()
    version = ring.current_version
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(version, ring.data_keys[version]).encrypt(
        nonce, plaintext.encode(), associated_data.encode()
    )
    return f"{version}${base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, associated_data: str) -> str:
    """Decrypt a token made by :func:`encrypt` with the same associated data."""
    keyring_verify()
    version_text, _, payload = token.partition("$")
    try:
        version = int(version_text)
        raw = base64.b64decode(payload, validate=True)
    except ValueError as exc:
        raise DecryptionError("not an encrypted value") from exc
    key = settings.CONVOCA_KEYRING.data_keys.get(version)
    if key is None:
        # Written by a process that already has a key this one has not loaded yet
        # (a rotation is under way): read the key file again.
        key = keyring_reload(reason=version).data_keys.get(version)
    if key is None:
        raise DecryptionError(f"data key version {version} is not in the keyring")
    try:
        return (
            _cipher(version, key)
            .decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data.encode())
            .decode()
        )
    except InvalidTag as exc:
        raise DecryptionError("the value does not match its key or its place") from exc


def token_version(token: str) -> int | None:
    version, sep, _ = token.partition("$")
    return int(version) if sep and version.isdigit() else None


def normalise_email(email: str) -> str:
    """The form of an address that decides whether two submissions are one person.

    Case is folded for the whole address: no mailbox provider in practice
    distinguishes ``Ana@`` from ``ana@``. Dots and ``+tags`` are kept, since
    only some providers ignore them and merging two people is worse than
    keeping one person twice.
    """
    return unicodedata.normalize("NFKC", email).strip().casefold()


def blind_index(value: str, *, purpose: str = "email") -> str:
    """Keyed HMAC-SHA256 of a normalised value, as 64 hex characters."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(settings.CONVOCA_KEYRING.blind_index_key, message, hashlib.sha256).hexdigest()


def email_index(email: str) -> str:
    return blind_index(normalise_email(email), purpose="email")


def normalise_locality(value: str) -> str:
    """The form of a city or locality that decides whether two spellings are one place.

    NFKC, case-folded, spaces trimmed and collapsed; accents are kept
    ("Bogotá" and "Bogota" stay two values, as the supporter typed them).
    """
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def normalise_postal_code(value: str) -> str:
    """A postal code without case or spaces: "SW1A 1AA" and "sw1a1aa" are one code."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


#: How each kind of blind index normalises its value before the HMAC.
NORMALISERS = {
    "email": normalise_email,
    "locality": normalise_locality,
    "postal_code": normalise_postal_code,
}


def value_index(value: str, *, purpose: str) -> str | None:
    """The blind index of a value of this kind (``NORMALISERS``), or None when it is empty.

    Each purpose is a separate HMAC domain, so equal text in two kinds of
    field gives two unrelated indexes.
    """
    normalised = NORMALISERS[purpose](value or "")
    return blind_index(normalised, purpose=purpose) if normalised else None


_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")


def email_addresses_redact(text: str) -> str:
    """``text`` with every email address replaced by ``<address>``.

    For what a mail server or provider says about a message ("550 5.1.1
    <ana@example.org>: no such user"), kept as a diagnostic in clear: the
    diagnostic stays useful without identifying anyone.
    """
    return _ADDRESS.sub("<address>", text)


# --- Keys added while the site runs (core/rotation.py) -----------------------------

_reload_lock = threading.Lock()
_checked_at = float("-inf")  # when this process last asked the database for the newest key
#: When the key file was last read for a version not found, by (file, version).
_reload_tried: dict[tuple[str, int], float] = {}


def _keyring_current():
    """The keyring to encrypt with: the newest key, also one a rotation added since start.

    Every ``CONVOCA_KEY_REFRESH_SECONDS`` (one small query) the process
    asks ``core.DataKey`` for the newest version in use; a newer one than
    it has means ``convoca rotatekeys`` added a key, and the key file is
    read again. So every running process encrypts with the new key within
    that interval, which the rotation waits for before re-encrypting.
    """
    global _checked_at
    ring = settings.CONVOCA_KEYRING
    now = time.monotonic()
    if now - _checked_at < settings.CONVOCA_KEY_REFRESH_SECONDS:
        return ring
    _checked_at = now
    from convoca.core.models import DataKey

    newest = DataKey.objects.filter(retired_at__isnull=True).aggregate(v=Max("version"))["v"]
    if newest is not None and newest > ring.current_version:
        ring = keyring_reload(reason=newest)
    return ring


def keyring_reload(*, reason: int | None = None):
    """Read the key file again and use the keys it holds now; return the keyring.

    Keys this process had stay known (a value it read a moment ago may
    still be under one). Keys given in the environment cannot change
    while a process runs: they are returned as they are. ``reason``, the
    version looked for, limits the file reads for one version to one a
    second, so values under a version nobody has (tampering) cost little.
    """
    ring = settings.CONVOCA_KEYRING
    if ring.source in ("", "environment"):
        return ring
    with _reload_lock:
        ring = settings.CONVOCA_KEYRING
        if reason is not None:
            if reason in ring.data_keys:
                return ring
            now = time.monotonic()
            if now - _reload_tried.get((ring.source, reason), float("-inf")) < 1:
                return ring
            _reload_tried[(ring.source, reason)] = now
        fresh = _keyring_from_file(ring)
        if fresh is None:
            return ring
        settings.CONVOCA_KEYRING = ring = fresh
    keyring_verify(force=True)
    return ring


def _keyring_from_file(ring):
    """``ring`` with the keys its file holds now added, or None if nothing is new."""
    if ring.source in ("", "environment"):
        return None
    content = keyring_module.read_secrets_file(Path(ring.source))
    if not content or "data_keys" not in content:
        return None
    stored = {
        int(v): keyring_module.key_decode(k, f"Data key {v}")
        for v, k in content["data_keys"].items()
    }
    data_keys = {**ring.data_keys, **stored}
    if data_keys == ring.data_keys:
        return None
    return replace(ring, data_keys=data_keys, created_now=False)


# --- Keyring against database -------------------------------------------------------

_verified_lock = threading.Lock()
_verified_for: object | None = None


def keyring_verify(*, force: bool = False) -> None:
    """Stop unless this keyring can decrypt what the database holds.

    The database keeps the fingerprint of every data key it has seen
    (``core.DataKey``). A key file lost and regenerated has other
    fingerprints, so the first encryption or decryption in the process
    raises :class:`KeyringMismatch` instead of writing data that the old
    key can no longer read, or failing on every old row. New versions are
    recorded here, once per process.
    """
    global _verified_for
    ring = settings.CONVOCA_KEYRING
    if _verified_for is ring and not force:
        return
    from convoca.core.models import DataKey

    with _verified_lock:
        known = dict(DataKey.objects.values_list("version", "key_id"))
        retired = set(
            DataKey.objects.filter(retired_at__isnull=False).values_list("version", flat=True)
        )

        def mismatches(ring):
            # A retired key may be gone from the file: no value uses it.
            missing = [v for v in known if v not in ring.data_keys and v not in retired]
            different = [
                v for v, kid in known.items() if v in ring.data_keys and ring.key_id(v) != kid
            ]
            return sorted(missing + different)

        wrong = mismatches(ring)
        fresh = _keyring_from_file(ring) if wrong else None
        if fresh is not None and not mismatches(fresh):
            # A rotation in another process added a key since this one started.
            settings.CONVOCA_KEYRING = ring = fresh
            wrong = []
        if wrong:
            hint = (
                f" The key file {ring.source} was created just now, which means the "
                f"original was missing."
                if ring.created_now
                else ""
            )
            raise KeyringMismatch(
                "The database holds personal data encrypted with data keys this installation "
                f"does not have (versions {', '.join(map(str, wrong))}).{hint} "
                "Restore the secrets.json from your backup (or set CONVOCA_DATA_KEYS) and start "
                "again. Convoca will not create new keys over existing data."
            )
        recorded = False
        for version in ring.data_keys:
            if version not in known:
                DataKey.objects.get_or_create(
                    version=version, defaults={"key_id": ring.key_id(version)}
                )
                recorded = True
        # Fingerprints written inside a transaction may yet be rolled back:
        # check again next time, until they are known to be stored.
        if not (recorded and connection.in_atomic_block):
            _verified_for = ring
