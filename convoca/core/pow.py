"""A proof-of-work challenge that the visitor's browser solves before a form is sent.

The format is ALTCHA's (v1), but challenges are made and checked here and the
solver is our own ``core/pow.js``: no other host is involved. The server picks
a secret number below ``maxnumber`` and publishes ``sha256(salt + number)``;
the browser tries 0, 1, 2, ... until the hash matches. That costs a visitor a
fraction of a second once, and a bot that floods a form the same fraction for
every submission. It is a cost, not a proof of being human: the rate limits in
:mod:`convoca.core.antibot` stay.

The salt carries the expiry and is bound by the hash; the hash is signed with
a key derived from ``SECRET_KEY`` and the form's scope, so a solution made for
one form does not pass on another. A verified challenge is recorded in the
cache until it expires, so one solution buys one submission.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

ALGORITHM = "SHA-256"
DEFAULT_MAX_NUMBER = 50_000
DEFAULT_TTL_SECONDS = 20 * 60

# A real payload is about 400 characters; anything much longer is not one, and
# is refused before it is decoded.
_MAX_PAYLOAD_CHARS = 2000
_SALT = re.compile(r"[0-9a-f]{24}\?expires=([0-9]{1,12})", re.ASCII)


class PowChallenge(dict):
    """A challenge as ALTCHA's v1 format has it, with the JSON a template renders."""

    @property
    def json(self) -> str:
        return json.dumps(self, separators=(",", ":"))


def _hash(salt: str, number: int) -> str:
    return hashlib.sha256(f"{salt}{number}".encode()).hexdigest()


def _sign(challenge: str, *, scope: str) -> str:
    # One key per scope, so the signature itself keeps the ALTCHA form
    # hmac_sha256(key, challenge) and still differs from form to form.
    key = salted_hmac("convoca.core.pow", scope, algorithm="sha256").digest()
    return hmac.new(key, challenge.encode(), hashlib.sha256).hexdigest()


def pow_challenge_make(*, scope: str, max_number: int | None = None) -> PowChallenge:
    """Make a fresh challenge for the form named ``scope``.

    Cheap (two hashes), and nothing is stored: the challenge carries its own
    expiry and signature. Settings: ``CONVOCA_POW_MAX_NUMBER`` (the work, in
    hashes, for the worst case) and ``CONVOCA_POW_TTL_SECONDS``; ``max_number``
    asks for more work than the setting's.
    """
    if max_number is None:
        max_number = getattr(settings, "CONVOCA_POW_MAX_NUMBER", DEFAULT_MAX_NUMBER)
    ttl = getattr(settings, "CONVOCA_POW_TTL_SECONDS", DEFAULT_TTL_SECONDS)
    salt = f"{secrets.token_hex(12)}?expires={int(time.time()) + ttl}"
    # Below, not up to, max_number: the worst case is then max_number hashes.
    challenge = _hash(salt, secrets.randbelow(max_number))
    return PowChallenge(
        algorithm=ALGORITHM,
        challenge=challenge,
        maxnumber=max_number,
        salt=salt,
        signature=_sign(challenge, scope=scope),
    )


def pow_verify(payload: str, *, scope: str) -> bool:
    """Whether ``payload`` solves a fresh, unused challenge made for ``scope``.

    ``payload`` is base64 of the JSON ALTCHA sends: algorithm, challenge,
    number, salt and signature. A passing payload is recorded in the default
    cache until its challenge expires, and fails from then on. Never raises:
    anything malformed is simply False.
    """
    if not isinstance(payload, str) or not payload or len(payload) > _MAX_PAYLOAD_CHARS:
        return False
    try:
        solution = json.loads(base64.b64decode(payload, validate=True))
        algorithm = solution["algorithm"]
        challenge = solution["challenge"]
        number = solution["number"]
        salt = solution["salt"]
        signature = solution["signature"]
        if not (
            algorithm == ALGORITHM
            and isinstance(challenge, str)
            and isinstance(salt, str)
            and isinstance(signature, str)
            and type(number) is int
            and number >= 0
        ):
            return False
        expiry = _SALT.fullmatch(salt)
        if expiry is None:
            return False
        remaining = int(expiry[1]) - int(time.time())
        if not (
            remaining > 0
            and hmac.compare_digest(signature.encode(), _sign(challenge, scope=scope).encode())
            and hmac.compare_digest(challenge.encode(), _hash(salt, number).encode())
        ):
            return False
    except (ValueError, TypeError, KeyError, RecursionError):
        # Not base64, not JSON, not an object, a string that is not text...
        return False
    return cache.add(f"pow:used:{challenge}", True, timeout=remaining + 1)
