"""Staff accounts' second factors and sessions.

Second factors are django-otp devices, so ``request.user.is_verified()``
(``django_otp.middleware.OTPMiddleware``) says whether this session passed
one. The crypto is the libraries': TOTP from ``django_otp.oath``, WebAuthn
from ``webauthn`` (py_webauthn). Secrets are kept as the rest of Convoca's
are: the authenticator app's key encrypted at rest, recovery codes only as
a keyed hash.
"""

import time
import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from convoca.core.crypto import blind_index
from convoca.core.fields import EncryptedTextField, OneLineCharField

#: Codes of the step before and after the current one are accepted (clocks drift).
TOTP_TOLERANCE = 1
TOTP_STEP = 30
TOTP_DIGITS = 6


#: Failed codes in a row after which the wait between tries stops doubling (2**9 s, 8.5 min).
THROTTLE_MAX_FAILURES = 10


class CappedThrottlingMixin(ThrottlingMixin):
    """django-otp's doubling wait after each wrong code, capped at a few minutes.

    Uncapped, someone who stole the password could type wrong codes until
    the member waits days for their own app; capped, guessing a 6-digit
    code still takes years.
    """

    class Meta:
        abstract = True

    def throttle_increment(self, commit=True):
        self.throttling_failure_timestamp = timezone.now()
        self.throttling_failure_count = min(
            self.throttling_failure_count + 1, THROTTLE_MAX_FAILURES
        )
        if commit:
            self.save()

    def get_throttle_factor(self):
        return 1


class AuthenticatorApp(TimestampMixin, CappedThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) a staff member enrolled as a second factor.

    Unconfirmed while the member has not yet typed a code from it. The shared
    secret is encrypted at rest, bound to this row. A code is accepted once:
    ``last_t`` is the time step of the last accepted one, and only later
    steps pass, so a code seen over a shoulder or replayed is refused.
    """

    row_key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    #: The shared secret as hex (20 random bytes).
    key = EncryptedTextField(_("secret key"), row_key="row_key")
    last_t = models.BigIntegerField(_("last time step used"), default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def _totp(self) -> TOTP:
        totp = TOTP(bytes.fromhex(self.key), TOTP_STEP, 0, TOTP_DIGITS, 0)
        totp.time = time.time()
        return totp

    def verify_token(self, token) -> bool:
        token = "".join(str(token).split())
        if not (token.isdigit() and len(token) == TOTP_DIGITS):
            return False  # not a code from an app: not counted against the app
        with transaction.atomic():
            # Locked, so that the same code sent twice at once passes only once.
            current = type(self).objects.select_for_update().get(pk=self.pk)
            allowed, _detail = current.verify_is_allowed()
            if not allowed:
                return False
            totp = current._totp()
            if totp.verify(int(token), TOTP_TOLERANCE, current.last_t + 1):
                current.last_t = totp.t()
                current.throttle_reset(commit=False)
                current.set_last_used_timestamp(commit=False)
                current.save()
                self.last_t = current.last_t
                return True
            current.throttle_increment(commit=True)
            return False


class Passkey(TimestampMixin, Device):
    """A passkey or security key (WebAuthn) a staff member registered as a second factor.

    Only the public key and the credential's id are kept; the private key
    never leaves the member's device. ``sign_count`` grows with each use on
    authenticators that count, and a count that goes back means a cloned key.
    """

    credential_id = models.CharField(_("credential id"), max_length=1024, unique=True)
    public_key = models.BinaryField(_("public key"))
    sign_count = models.PositiveBigIntegerField(_("signature count"), default=0)

    class Meta(Device.Meta):
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def verify_token(self, token) -> bool:
        return False  # verified by the WebAuthn views (services.passkey_verify), not by a code


class RecoveryCodes(TimestampMixin, CappedThrottlingMixin, Device):
    """A staff member's set of one-time recovery codes, for when their app or passkey is lost.

    Each code is kept only as a keyed hash and deleted when used, so it
    passes once; making a new set deletes the old one.
    """

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token) -> bool:
        code = recovery_code_normalise(str(token))
        if not code:
            return False
        with transaction.atomic():
            current = type(self).objects.select_for_update().get(pk=self.pk)
            allowed, _detail = current.verify_is_allowed()
            if not allowed:
                return False
            # The delete decides: of two requests with the same code, one deletes it.
            used, _rows = current.codes.filter(code_index=recovery_code_index(code)).delete()
            if used:
                current.throttle_reset(commit=False)
                current.set_last_used_timestamp(commit=False)
                current.save()
                return True
            current.throttle_increment(commit=True)
            return False


class RecoveryCode(models.Model):
    """One unused recovery code of a set, as a keyed hash."""

    device = models.ForeignKey(
        RecoveryCodes, verbose_name=_("set"), on_delete=models.CASCADE, related_name="codes"
    )
    code_index = models.CharField(_("keyed hash of the code"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return f"{self.device} · {self.code_index[:8]}"


def recovery_code_normalise(code: str) -> str:
    """A code as typed (any case, spaces or dashes) in the form it is hashed in."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_code_index(normalised_code: str) -> str:
    return blind_index(normalised_code, purpose="staff-recovery-code")


class StaffSession(models.Model):
    """A staff member's signed-in session, listed in the admin so they can end it.

    The session itself names this row; a session whose row is gone (signed
    out from another device, factors reset) is signed out on its next
    request. No IP address is kept, only a summary of the browser.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="staff_sessions",
    )
    device_summary = OneLineCharField(_("browser and system"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.user} · {self.device_summary}"
