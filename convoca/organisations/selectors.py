"""Reads about organisations and who may act for them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from convoca.organisations.models import Membership, Organisation


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
