"""Writes about organisations and their staff's roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

from convoca.core.audit import audit_record
from convoca.core.images import image_clean
from convoca.core.translatable import language_texts_save
from convoca.organisations.models import Membership, Organisation


def organisation_logo_clean(*, organisation: Organisation) -> None:
    """Replace an uploaded logo by a re-encoded PNG of at most 512 px, without metadata."""
    organisation.logo.save(f"{organisation.slug}.png", image_clean(organisation.logo), save=False)


def organisation_save(
    *,
    organisation: Organisation,
    texts: dict[str, dict[str, str]] | None = None,
    texts_removed: Iterable[str] = (),
) -> Organisation:
    """Save an organisation and its description in each language (admin, approval, demo).

    ``organisation`` is saved as it stands (the admin's form checked it);
    ``texts`` are its description by language (``{"es": {"description":
    ...}}``), written over the versions in those languages; ``texts_removed``
    names languages whose version goes.
    """
    with transaction.atomic():
        organisation.save()
        language_texts_save(organisation, texts, texts_removed)
    return organisation


def membership_save(*, membership: Membership, by) -> Membership:
    """Give a staff member a role in an organisation (or the coalition), or change it.

    The one write path for roles from the admin. Who gave which role is on
    the audit trail; the staff member's next request sees the new role.
    """
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        audit_record(
            user=by,
            verb="staff-role-given",
            target=f"staff member {membership.user_id}: {membership.role}",
            organisation=membership.organisation_id,
        )
    return membership


def membership_delete(*, membership: Membership, by) -> None:
    """Take a role away; the staff member's next request no longer has it (audited)."""
    with transaction.atomic():
        audit_record(
            user=by,
            verb="staff-role-removed",
            target=f"staff member {membership.user_id}: {membership.role}",
            organisation=membership.organisation_id,
        )
        membership.delete()


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
