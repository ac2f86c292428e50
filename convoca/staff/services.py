"""Every write about staff accounts' second factors and sessions.

Crypto comes from the libraries: TOTP from ``django_otp.oath`` (through
``AuthenticatorApp``), WebAuthn from ``webauthn`` (py_webauthn). Refused
codes and passkeys are written to the audit trail (``core.AuditEntry``)
without saying why, and so are the changes to a member's factors.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from base64 import b32encode
from datetime import timedelta
from urllib.parse import quote, urlencode

import segno
import webauthn
from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.util import random_hex
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from convoca.core.audit import audit_record
from convoca.core.crypto import blind_index
from convoca.core.text import one_line
from convoca.staff.models import (
    TOTP_DIGITS,
    TOTP_STEP,
    AuthenticatorApp,
    Passkey,
    RecoveryCode,
    RecoveryCodes,
    StaffSession,
    recovery_code_index,
    recovery_code_normalise,
)
from convoca.staff.selectors import second_factor_required, user_has_second_factor

#: The session's key naming its ``StaffSession`` row.
STAFF_SESSION_KEY = "convoca_staff_session"
#: Pending WebAuthn challenges, one per ceremony, used once.
_REGISTRATION_CHALLENGE = "convoca_passkey_registration"
_AUTHENTICATION_CHALLENGE = "convoca_passkey_authentication"

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
#: A session's "last seen" is written at most this often.
_TOUCH_EVERY = timedelta(minutes=1)


class SecondFactorNeeded(Exception):
    """The member's last second factor cannot go while one is required of them."""


class PasskeyRefused(Exception):
    """A passkey's answer did not verify (wrong site, replayed challenge, unknown key)."""


def _audit(*, user, verb: str, target: str = "") -> None:
    audit_record(user=user, verb=verb, target=target, count=0)


# --- Authenticator apps ------------------------------------------------------------------


def authenticator_app_begin(*, user) -> AuthenticatorApp:
    """Make a new, unconfirmed authenticator app for the member, with a fresh secret.

    An earlier unconfirmed one (a page left half-way) is deleted.
    """
    with transaction.atomic():
        AuthenticatorApp.objects.filter(user=user, confirmed=False).delete()
        return AuthenticatorApp.objects.create(
            user=user, confirmed=False, name=_("Authenticator app"), key=random_hex(20)
        )


def authenticator_app_setup_uri(device: AuthenticatorApp) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    issuer = settings.SITE_NAME.replace(":", "")
    label = quote(f"{issuer}:{device.user.get_username()}")
    query = urlencode(
        {
            "secret": authenticator_app_secret(device),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": TOTP_DIGITS,
            "period": TOTP_STEP,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def authenticator_app_secret(device: AuthenticatorApp) -> str:
    """The secret as people type it into an app (base32, no padding)."""
    return b32encode(bytes.fromhex(device.key)).decode().rstrip("=")


def authenticator_app_qr_svg(device: AuthenticatorApp) -> str:
    """The setup address as an inline SVG QR code (drawn here: no script, no other host)."""
    return segno.make(authenticator_app_setup_uri(device), error="m").svg_inline(
        scale=5, title=_("QR code for your authenticator app")
    )


def authenticator_app_confirm(*, request, device: AuthenticatorApp, code: str, name: str) -> bool:
    """Confirm a new app with a code it shows; the session counts as verified with it.

    False when the code is wrong (nothing changes). Audited when confirmed.
    """
    if device.confirmed or device.user_id != request.user.pk or not device.verify_token(code):
        return False
    device.confirmed = True
    device.name = name or _("Authenticator app")
    device.save(update_fields=["confirmed", "name"])
    otp_login(request, device)
    _audit(user=request.user, verb="second-factor-added", target=f"app: {device.name}")
    return True


# --- Recovery codes ----------------------------------------------------------------------


def recovery_codes_create(*, user) -> list[str]:
    """Make a new set of one-time recovery codes, replacing the old set; return them.

    The codes are shown once, now: only their keyed hashes are kept.
    """
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _n in range(10))
        for _i in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        RecoveryCodes.objects.filter(user=user).delete()
        device = RecoveryCodes.objects.create(user=user, confirmed=True, name=_("Recovery codes"))
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, code_index=recovery_code_index(code)) for code in codes
        )
        _audit(user=user, verb="recovery-codes-made", target=str(RECOVERY_CODE_COUNT))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


# --- The second step of signing in -------------------------------------------------------


def second_factor_verify_code(*, request, code: str):
    """Check a code from an authenticator app, or a recovery code; mark the session verified.

    Returns the device that accepted it, or None. A refusal is audited
    (not why: a wrong code, a replayed one, a used recovery code look alike).
    """
    user = request.user
    typed = "".join(code.split())
    if typed.isdigit() and len(typed) == TOTP_DIGITS:
        candidates = list(AuthenticatorApp.objects.filter(user=user, confirmed=True))
    elif recovery_code_normalise(typed):
        candidates = list(RecoveryCodes.objects.filter(user=user, confirmed=True))
    else:
        candidates = []
    for device in candidates:
        if device.verify_token(typed):
            otp_login(request, device)
            if isinstance(device, RecoveryCodes):
                _audit(user=user, verb="recovery-code-used", target=str(device.codes.count()))
            return device
    _audit(user=user, verb="second-factor-refused", target="code")
    return None


# --- Passkeys (WebAuthn) -----------------------------------------------------------------


def _relying_party(request) -> tuple[str, str]:
    """(RP ID, origin) of this site as the browser sees it.

    From the request's host, which ``ALLOWED_HOSTS`` has already checked: a
    page on another site cannot make a browser sign for this origin, so an
    answer collected by a look-alike site fails the origin check.
    """
    host = request.get_host()
    rp_id = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return rp_id.strip("[]"), f"{request.scheme}://{host}"


def _user_handle(user) -> bytes:
    # Opaque and stable: the authenticator never learns the username or id.
    return bytes.fromhex(blind_index(str(user.pk), purpose="webauthn-user-handle"))[:32]


def passkey_registration_options(*, request) -> str:
    """Options for ``navigator.credentials.create()`` as JSON; the session keeps the challenge."""
    rp_id, _origin = _relying_party(request)
    user = request.user
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.SITE_NAME,
        user_id=_user_handle(user),
        user_name=user.get_username(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(key.credential_id))
            for key in Passkey.objects.filter(user=user)
        ],
    )
    request.session[_REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def passkey_register(*, request, credential_json: str, name: str) -> Passkey:
    """Keep a new passkey from the browser's answer; the session counts as verified with it.

    Raises :class:`PasskeyRefused` (audited) when the answer does not verify.
    """
    challenge = request.session.pop(_REGISTRATION_CHALLENGE, None)
    rp_id, origin = _relying_party(request)
    try:
        if not challenge:
            raise PasskeyRefused("no registration was started")
        verified = webauthn.verify_registration_response(
            credential=credential_json,
            expected_challenge=webauthn.base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
        credential_id = bytes_to_base64url(verified.credential_id)
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise PasskeyRefused("already registered")
    except (WebAuthnException, PasskeyRefused, ValueError, TypeError, KeyError) as exc:
        _audit(user=request.user, verb="second-factor-refused", target="passkey registration")
        raise PasskeyRefused(str(exc)) from exc
    device = Passkey.objects.create(
        user=request.user,
        confirmed=True,
        name=one_line(name) or _("Passkey"),
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    otp_login(request, device)
    _audit(user=request.user, verb="second-factor-added", target=f"passkey: {device.name}")
    return device


def passkey_authentication_options(*, request) -> str | None:
    """Options for ``navigator.credentials.get()`` as JSON, or None without passkeys."""
    keys = list(Passkey.objects.filter(user=request.user, confirmed=True))
    if not keys:
        return None
    rp_id, _origin = _relying_party(request)
    options = webauthn.generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(key.credential_id))
            for key in keys
        ],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[_AUTHENTICATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def passkey_verify(*, request, credential_json: str) -> Passkey | None:
    """Check the browser's passkey answer for this session's challenge; mark the session verified.

    Returns the passkey, or None (audited): another site's passkey, a
    replayed or stale challenge, a key of someone else, a cloned key.
    """
    challenge = request.session.pop(_AUTHENTICATION_CHALLENGE, None)
    rp_id, origin = _relying_party(request)
    try:
        credential_id = json.loads(credential_json)["rawId"]
        with transaction.atomic():
            device = (
                Passkey.objects.select_for_update()
                .filter(user=request.user, confirmed=True, credential_id=credential_id)
                .first()
            )
            if device is None or not challenge:
                raise PasskeyRefused("unknown passkey or no challenge")
            verified = webauthn.verify_authentication_response(
                credential=credential_json,
                expected_challenge=webauthn.base64url_to_bytes(challenge),
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=bytes(device.public_key),
                credential_current_sign_count=device.sign_count,
            )
            device.sign_count = verified.new_sign_count
            device.set_last_used_timestamp(commit=False)
            device.save(update_fields=["sign_count", "last_used_at"])
    except (WebAuthnException, PasskeyRefused, ValueError, TypeError, KeyError):
        _audit(user=request.user, verb="second-factor-refused", target="passkey")
        return None
    otp_login(request, device)
    return device


# --- Changing and resetting a member's factors -------------------------------------------


def second_factor_remove(*, user, device) -> None:
    """Remove one of the member's own apps or passkeys (audited).

    Raises :class:`SecondFactorNeeded` for the last one while a second factor
    is required of them. Without any app or passkey left, the recovery codes
    go too: they recover a factor, they are not one.
    """
    if device.user_id != user.pk or isinstance(device, RecoveryCodes):
        raise ValueError("not one of this member's apps or passkeys")
    with transaction.atomic():
        device.delete()
        if not user_has_second_factor(user):
            if second_factor_required(user):
                transaction.set_rollback(True)
                raise SecondFactorNeeded
            RecoveryCodes.objects.filter(user=user).delete()
        _audit(user=user, verb="second-factor-removed", target=device.name)


def second_factors_reset(*, member, by) -> None:
    """Delete every second factor of a staff member and sign them out everywhere (audited).

    For a coordinator helping someone who lost their phone and their codes:
    the member signs in again with their password and enrols anew.
    """
    with transaction.atomic():
        AuthenticatorApp.objects.filter(user=member).delete()
        Passkey.objects.filter(user=member).delete()
        RecoveryCodes.objects.filter(user=member).delete()
        StaffSession.objects.filter(user=member).delete()
        _audit(user=by, verb="second-factors-reset", target=member.get_username())


# --- Sessions ----------------------------------------------------------------------------

_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
]


def device_summary(user_agent: str) -> str:
    """ "Firefox on Linux": enough to recognise one's own browser, and no more."""
    browser = next((name for name, rx in _BROWSERS if re.search(rx, user_agent)), "")
    system = next((name for name, rx in _SYSTEMS if re.search(rx, user_agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")


def staff_session_start_on_login(sender, request, user, **kwargs) -> None:
    """Open a listed session for a staff member who has just signed in (``user_logged_in``)."""
    if not user.is_staff or request is None or not hasattr(request, "session"):
        return
    row = StaffSession.objects.create(
        user=user,
        device_summary=device_summary(request.META.get("HTTP_USER_AGENT", ""))[:100],
        last_seen_at=timezone.now(),
    )
    request.session[STAFF_SESSION_KEY] = str(row.pk)


def staff_session_check(request) -> str:
    """Keep a staff member's session alive, or sign it out; say which.

    Returns ``"active"``, ``"ended"`` (signed out from elsewhere, factors
    reset, or a session older than this list) or ``"idle"`` (no request for
    ``CONVOCA_STAFF_IDLE_MINUTES``). Signed out, the request goes on as
    anonymous.
    """
    now = timezone.now()
    row = StaffSession.objects.filter(pk=_session_row_id(request), user_id=request.user.pk).first()
    if row is None:
        logout(request)
        return "ended"
    if now - row.last_seen_at > timedelta(minutes=settings.CONVOCA_STAFF_IDLE_MINUTES):
        row.delete()
        logout(request)
        return "idle"
    if now - row.last_seen_at > _TOUCH_EVERY:
        StaffSession.objects.filter(pk=row.pk).update(last_seen_at=now)
    return "active"


def _session_row_id(request) -> str | None:
    value = request.session.get(STAFF_SESSION_KEY, "")
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return None


def staff_session_current_id(request) -> str | None:
    return _session_row_id(request)


def staff_session_end(*, user, session_id) -> bool:
    """Sign one of the member's sessions out (on its next request). False if it was not theirs."""
    deleted, _rows = StaffSession.objects.filter(user=user, pk=session_id).delete()
    return bool(deleted)


def staff_sessions_end_all(*, member, by, keep: str | None = None) -> int:
    """Sign a member out on every device (but ``keep``, the caller's own); audited."""
    sessions = StaffSession.objects.filter(user=member)
    if keep:
        sessions = sessions.exclude(pk=keep)
    with transaction.atomic():
        ended, _rows = sessions.delete()
        _audit(user=by, verb="signed-out-everywhere", target=member.get_username())
    return ended
