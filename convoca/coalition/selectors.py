"""Reads of the coalition: its public directory and working groups."""

from __future__ import annotations

from django.db.models import QuerySet

from convoca.coalition.models import WorkingGroup, WorkingGroupMember
from convoca.organisations.models import Organisation


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
