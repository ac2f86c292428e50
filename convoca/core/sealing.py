"""Sealed answers: encrypted to an organisation's public key, opened only on its own computer.

A libsodium sealed box (PyNaCl's ``SealedBox``): anyone with the public key
can seal, only the private key opens, and the box carries no sender. The
organisation makes its key pair offline (``convoca pledgekey new``) and
pastes the public key into the admin; the server seals an answer as it
arrives, before anything is stored or queued, and holds no key that opens
it. Exports carry the sealed text; ``convoca pledgekey open`` opens a
downloaded CSV on the organisation's computer.

Nothing here needs Django: the ``convoca pledgekey`` command runs without a
database or settings.
"""

from __future__ import annotations

import base64
import binascii
import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

#: What every sealed value starts with, in the database and in exports.
PREFIX = "sealed:"
KEY_BYTES = 32


class SealingError(Exception):
    """A key or a sealed value that is not what it should be; the message says which."""


def public_key_read(text: str) -> PublicKey:
    """The public key pasted in the admin (base64 of 32 bytes); SealingError if it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SealingError("not base64") from exc
    if len(raw) != KEY_BYTES:
        raise SealingError(f"{len(raw)} bytes instead of {KEY_BYTES}")
    return PublicKey(raw)


def is_sealed(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(plaintext: str, *, public_key: str) -> str:
    """``plaintext`` sealed to ``public_key``, as ``sealed:<base64>``."""
    box = SealedBox(public_key_read(public_key))
    return PREFIX + base64.b64encode(box.encrypt(plaintext.encode())).decode()


def key_pair_new() -> tuple[str, str]:
    """A new key pair: (public key, private key), each base64 of 32 bytes."""
    private = PrivateKey.generate()
    return (
        base64.b64encode(bytes(private.public_key)).decode(),
        base64.b64encode(bytes(private)).decode(),
    )


PRIVATE_KEY_HEADER = (
    "# Convoca pledge answers: PRIVATE key. Keep this file secret and backed up;\n"
    "# without it the sealed answers can never be read. Public key: {public}\n"
)


def private_key_write(path: Path, private: str, public: str) -> None:
    """Write the private key to a new file only its owner can read (never over another)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(PRIVATE_KEY_HEADER.format(public=public) + private + "\n")


def private_key_read(path: Path) -> PrivateKey:
    lines = [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    try:
        raw = base64.b64decode(lines[0], validate=True) if lines else b""
    except (binascii.Error, ValueError) as exc:
        raise SealingError(f"{path} does not hold a private key") from exc
    if len(raw) != KEY_BYTES:
        raise SealingError(f"{path} does not hold a private key")
    return PrivateKey(raw)


def unseal(value: str, *, private_key: PrivateKey) -> str:
    """Open a ``sealed:`` value; SealingError if this key does not open it."""
    try:
        box = base64.b64decode(value.removeprefix(PREFIX), validate=True)
        return SealedBox(private_key).decrypt(box).decode()
    except (binascii.Error, ValueError, CryptoError) as exc:
        raise SealingError("this key does not open it") from exc


@dataclass
class OpenReport:
    opened: int = 0
    #: (line number in the file, column name) of every value that did not open.
    failed: list[tuple[int, str]] = field(default_factory=list)


def csv_open(source: Path, target: Path, *, private_key: PrivateKey) -> OpenReport:
    """Copy an export with every sealed cell opened; a cell that does not open stays sealed.

    Such a cell is reported (its line and column) and the copy goes on, so
    one answer sealed to an older key does not cost the rest.
    """
    from convoca.core.csv import csv_safe  # an opened answer may start with "="

    report = OpenReport()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with (
        source.open(newline="", encoding="utf-8-sig") as inp,
        os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as out,
    ):
        reader = csv.reader(inp)
        writer = csv.writer(out)
        header = next(reader, None)
        if header is None:
            return report
        writer.writerow(header)
        for row in reader:
            opened = []
            for index, cell in enumerate(row):
                if is_sealed(cell):
                    try:
                        cell = csv_safe(unseal(cell, private_key=private_key))
                        report.opened += 1
                    except SealingError:
                        name = header[index] if index < len(header) else str(index + 1)
                        report.failed.append((reader.line_num, name))
                opened.append(cell)
            writer.writerow(opened)
    return report
