"""Reads about organisations and who may act for them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from convoca.coalition.models import Membership, Organisation, WorkingGroup, WorkingGroupMember


def user_is_coordinator(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Coordinators administer the whole deployment and see everything."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_convoca_is_coordinator", None)
    if cached is None:
        cached = Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR).exists()
        user._convoca_is_coordinator = cached
    return cached


def coordinator_list_emailable() -> QuerySet:
    """Active coordinators (and superusers) with an address: who reviews what the public sends."""
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(memberships__role=Membership.Role.COORDINATOR),
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )


def organisation_ids_for_user(
    user: AbstractBaseUser | AnonymousUser, *, can_edit: bool = False
) -> set[int]:
    """The organisations this staff account acts for (as organiser, or also as viewer)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    attr = "_convoca_org_ids_edit" if can_edit else "_convoca_org_ids_view"
    cached = getattr(user, attr, None)
    if cached is None:
        roles = [Membership.Role.ORGANISER]
        if not can_edit:
            roles.append(Membership.Role.VIEWER)
        cached = set(
            Membership.objects.filter(
                user=user, role__in=roles, organisation__status=Organisation.Status.ACTIVE
            ).values_list("organisation_id", flat=True)
        )
        setattr(user, attr, cached)
    return cached


def organisation_list_public() -> list[Organisation]:
    return list(
        Organisation.objects.filter(status=Organisation.Status.ACTIVE, show_in_directory=True)
        .prefetch_related("versions")
        .order_by("country", "name")
    )


def working_group_list_public() -> QuerySet[WorkingGroup]:
    return (
        WorkingGroup.objects.filter(is_public=True)
        .select_related("organisation")
        .prefetch_related("versions")
    )


def working_group_get_public(*, slug: str) -> WorkingGroup | None:
    return (
        WorkingGroup.objects.filter(slug=slug, is_public=True).prefetch_related("versions").first()
    )


def working_group_conveners_public(group: WorkingGroup) -> list[str]:
    """The public names conveners chose; a convener who chose none is not named."""
    conveners = (
        group.members.filter(role=WorkingGroupMember.Role.CONVENER, person__erased_at__isnull=True)
        .exclude(public_name="")
        .order_by("created_at")
        .only("pk", "row_key", "public_name")
    )
    # Encrypted: read through the model, which decrypts, never as raw values.
    return [member.public_name for member in conveners]


def working_group_organisations_public(group: WorkingGroup) -> list[Organisation]:
    """The active organisations its members take part on behalf of (organisations are public)."""
    return list(
        Organisation.objects.filter(
            status=Organisation.Status.ACTIVE,
            pk__in=group.members.filter(on_behalf_of__isnull=False).values("on_behalf_of"),
        ).order_by("name")
    )
