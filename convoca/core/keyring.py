"""Secrets kept outside the database: the Django secret key and the data keys.

This module is imported by ``settings.py`` before Django is configured, so it
uses nothing from Django. The keys live in ``<data dir>/secrets.json``
(mode 0600, never committed) unless the environment provides them; a
missing file is generated on first run. Whether generated keys would land
over data encrypted with other keys is decided later, against the database,
by ``convoca.core.crypto.keyring_verify``: a new file never silently
replaces an old one, because nothing here overwrites a file.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

KEY_BYTES = 32
SECRETS_FILENAME = "secrets.json"


class KeyringError(Exception):
    """The secrets cannot be loaded; the message says what to do."""


@dataclass(frozen=True)
class Keyring:
    """The data-encryption keys by version, and the blind-index key."""

    data_keys: dict[int, bytes]
    blind_index_key: bytes
    source: str = ""
    created_now: bool = field(default=False, compare=False)

    @property
    def current_version(self) -> int:
        return max(self.data_keys)

    def key_id(self, version: int) -> str:
        """A short public fingerprint of one key, safe to store in the database."""
        import hashlib
        import hmac

        return hmac.new(self.data_keys[version], b"convoca key id", hashlib.sha256).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def key_decode(text: str, what: str) -> bytes:
    """A key as written in the key file or the environment; KeyringError if it is not one."""
    return _unb64(text, what)


def _unb64(text: str, what: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.encode())
    except ValueError as exc:
        raise KeyringError(f"{what} is not valid base64.") from exc
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{what} must be {KEY_BYTES} bytes, got {len(key)}.")
    return key


def parse_data_keys(text: str) -> dict[int, bytes]:
    """Parse ``"1:<base64>,2:<base64>"`` into ``{1: key, 2: key}``."""
    keys: dict[int, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        version, _, encoded = item.partition(":")
        if not version.isdigit() or not encoded:
            raise KeyringError("CONVOCA_DATA_KEYS must look like '1:<base64>,2:<base64>'.")
        keys[int(version)] = _unb64(encoded, f"Data key {version}")
    if not keys:
        raise KeyringError("CONVOCA_DATA_KEYS is empty.")
    return keys


def new_secrets() -> dict:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "data_keys": {"1": _b64(secrets.token_bytes(KEY_BYTES))},
        "blind_index_key": _b64(secrets.token_bytes(KEY_BYTES)),
    }


def write_secrets(path: Path, content: dict, *, replace: bool = False) -> None:
    """Write the secrets file with owner-only permissions.

    Without ``replace`` an existing file is never overwritten (``O_EXCL``),
    so two processes starting at once cannot both generate keys.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if replace:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle, indent=2)
        os.replace(tmp, path)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle, indent=2)


def read_secrets_file(path: Path) -> dict | None:
    """Return the secrets file's content, creating the file if it does not exist."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise KeyringError(f"Cannot read {path}: {exc}") from exc


def load(
    *, data_dir: Path, secret_key: str = "", data_keys: str = "", blind_index_key: str = ""
) -> tuple[str, Keyring]:
    """Return the secret key and the keyring, from the environment or the data folder."""
    path = data_dir / SECRETS_FILENAME
    stored = None
    created = False
    if not (secret_key and data_keys and blind_index_key):
        stored = read_secrets_file(path)
        if stored is None:
            try:
                write_secrets(path, new_secrets())
                created = True
            except FileExistsError:
                pass  # another process created it a moment ago
            stored = read_secrets_file(path)
    stored = stored or {}
    try:
        keyring = Keyring(
            data_keys=parse_data_keys(data_keys)
            if data_keys
            else {int(v): _unb64(k, f"Data key {v}") for v, k in stored["data_keys"].items()},
            blind_index_key=_unb64(blind_index_key, "CONVOCA_BLIND_INDEX_KEY")
            if blind_index_key
            else _unb64(stored["blind_index_key"], "blind_index_key"),
            source="environment" if data_keys else str(path),
            created_now=created,
        )
        secret = secret_key or stored["secret_key"]
    except KeyError as exc:
        raise KeyringError(f"{path} lacks {exc.args[0]!r}; restore it from your backup.") from exc
    return secret, keyring
