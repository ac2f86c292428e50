"""Writes about organisations and their staff."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from convoca.coalition.models import Membership, Organisation
from convoca.core.images import image_clean


def organisation_logo_clean(*, organisation: Organisation) -> None:
    """Replace an uploaded logo by a re-encoded PNG of at most 512 px, without metadata."""
    organisation.logo.save(f"{organisation.slug}.png", image_clean(organisation.logo), save=False)


def staff_member_create(
    *,
    username: str,
    email: str,
    password: str | None,
    role: str,
    organisation: Organisation | None = None,
):
    """Create a staff account with its role; return the user.

    A coordinator gets no organisation; an organiser or viewer gets one.
    Without a password the account cannot log in until one is set.
    """
    User = get_user_model()
    with transaction.atomic():
        user = User(username=username, email=email, is_staff=True)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        membership = Membership(
            user=user,
            organisation=None if role == Membership.Role.COORDINATOR else organisation,
            role=role,
        )
        membership.full_clean()
        membership.save()
    return user
