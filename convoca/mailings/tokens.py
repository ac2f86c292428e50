"""The signed links of mailings: confirm a subscription, unsubscribe, preferences, opened.

All are made with ``django.core.signing`` under ``SECRET_KEY`` (a rotated
key stays valid while it is in ``SECRET_KEY_FALLBACKS``), each kind under a
salt of its own so one kind of link cannot stand for another. A confirmation
link expires after ``CONFIRM_MAX_AGE``; the others are in emails people keep,
and an unsubscribe link must work in an old email, so they do not expire.

Links in mailings sent before these tokens were made with ``signing`` carry
a shorter mac of the old hand-made kind; :func:`_legacy_unsign` still reads
them, so an unsubscribe link in an email already received keeps working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core import signing

from convoca.core.links import signed_link_read
from convoca.people.models import Person

CONFIRM_SALT = "convoca.mailings.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 14
UNSUBSCRIBE_SALT = "convoca.mailings.unsubscribe"
PREFERENCES_SALT = "convoca.mailings.preferences"
OPEN_SALT = "convoca.mailings.open"


@lru_cache(maxsize=16)
def _signer(salt: str, secret: str, fallbacks: tuple[str, ...]) -> signing.Signer:
    # One per salt and key: a mailing signs two or three links per recipient.
    return signing.Signer(key=secret, fallback_keys=list(fallbacks), salt=salt)


def _sign(salt: str, value: str) -> str:
    return _signer(salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS)).sign(value)


def _unsign(salt: str, token: str) -> str | None:
    signer = _signer(salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
    try:
        return signer.unsign(token)
    except signing.BadSignature:
        return _legacy_unsign(salt, token)


def _legacy_unsign(salt: str, token: str) -> str | None:
    """The value of a link made before these tokens: ``value:mac``, the mac 18 bytes."""
    value, _, mac = token.rpartition(":")
    if not value:
        return None
    legacy_salt = salt.removeprefix("convoca.mailings.")
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        key = hashlib.sha256(f"convoca.mailings.{legacy_salt}:{secret}".encode()).digest()
        digest = hmac.new(key, value.encode(), hashlib.sha256).digest()[:18]
        if hmac.compare_digest(base64.urlsafe_b64encode(digest).decode(), mac):
            return value
    return None


def _hex(person_id) -> str:
    return person_id.hex if hasattr(person_id, "hex") else str(person_id)


def subscription_confirm_token_make(*, person: Person) -> str:
    return signing.dumps(person.pk.hex, salt=CONFIRM_SALT)


def subscription_confirm_token_read(token: str) -> Person | None:
    """The person a confirmation link names; None if the link is not one of ours.

    Raises ``core.links.LinkExpired`` for a genuine link older than 14 days.
    """
    value = signed_link_read(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if value is None:
        return None
    return Person.objects.filter(pk=value, erased_at__isnull=True).first()


def unsubscribe_token_make(*, person_id, mailing_id: int | None) -> str:
    """A token for the one-click unsubscribe link: who, and which mailing's lists."""
    return _sign(UNSUBSCRIBE_SALT, f"{_hex(person_id)}.{mailing_id or 0}")


def unsubscribe_token_read(token: str) -> tuple[str, int | None] | None:
    value = _unsign(UNSUBSCRIBE_SALT, token)
    if value is None:
        return None
    person_hex, _, mailing = value.partition(".")
    return person_hex, (int(mailing) or None) if mailing.isdigit() else None


def preferences_token_make(*, person_id) -> str:
    return _sign(PREFERENCES_SALT, _hex(person_id))


def preferences_token_read(token: str) -> str | None:
    return _unsign(PREFERENCES_SALT, token)


def open_token_make(*, delivery_id: int) -> str:
    return _sign(OPEN_SALT, str(delivery_id))


def open_token_read(token: str) -> int | None:
    value = _unsign(OPEN_SALT, token)
    return int(value) if value and value.isdigit() else None
