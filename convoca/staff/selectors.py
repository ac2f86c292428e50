"""Reads about staff accounts: which second factors they have, whether they need one."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db.models import QuerySet

from convoca.organisations.models import Membership
from convoca.staff.models import AuthenticatorApp, Passkey, RecoveryCodes, StaffSession


class SecondFactorState(StrEnum):
    """What a signed-in staff member's session still needs before the organiser interface."""

    OK = "ok"  # verified, or needs no second factor
    VERIFY = "verify"  # has a second factor and has not used it in this session
    ENROL = "enrol"  # must have one and has none yet


def second_factor_required(user) -> bool:
    """Whether this staff member may not use the organiser interface on a password alone.

    Every staff role can see supporters' personal data (viewers read it,
    organisers also export and send, coordinators see everything), so the
    deployment-wide setting (``CONVOCA_STAFF_SECOND_FACTOR_REQUIRED``, on in
    production) applies to every staff account. Without it, a coordinator may
    still require it of one organisation's staff.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if settings.CONVOCA_STAFF_SECOND_FACTOR_REQUIRED:
        return True
    return Membership.objects.filter(user=user, organisation__second_factor_required=True).exists()


def user_has_second_factor(user) -> bool:
    """Whether the member has a confirmed app or passkey (recovery codes alone are not one)."""
    return (
        AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user, confirmed=True).exists()
    )


def second_factor_state(user) -> SecondFactorState:
    """What this request's staff member must do before reaching the organiser interface.

    Needs ``django_otp.middleware.OTPMiddleware`` (``user.is_verified``). A
    member who enrolled a factor is asked for it whether or not it is
    required; one who must have one and has none is sent to enrol.
    """
    if not (user.is_authenticated and user.is_staff):
        return SecondFactorState.OK
    # A user just signed in (django.contrib.auth.login) has no is_verified yet: not verified.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return SecondFactorState.OK
    if user_has_second_factor(user):
        return SecondFactorState.VERIFY
    if second_factor_required(user):
        return SecondFactorState.ENROL
    return SecondFactorState.OK


def authenticator_app_list(user) -> QuerySet[AuthenticatorApp]:
    return AuthenticatorApp.objects.filter(user=user, confirmed=True).order_by("created_at")


def passkey_list(user) -> QuerySet[Passkey]:
    return Passkey.objects.filter(user=user, confirmed=True).order_by("created_at")


def recovery_codes_left(user) -> int | None:
    """How many unused recovery codes the member has; None when they never made a set."""
    device = RecoveryCodes.objects.filter(user=user).first()
    return None if device is None else device.codes.count()


def staff_session_list(user) -> QuerySet[StaffSession]:
    return StaffSession.objects.filter(user=user).order_by("-last_seen_at")
