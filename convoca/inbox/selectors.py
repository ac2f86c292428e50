"""Reads of the contact inbox for the organiser interface."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from convoca.inbox.models import ContactMessage
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator


def contact_message_list_for_staff(user: AbstractBaseUser) -> QuerySet[ContactMessage]:
    """The messages a staff account may read: to its organisations, or assigned to it.

    Coordinators read every message, those to the whole coalition included.
    """
    if user_is_coordinator(user):
        return ContactMessage.objects.all()
    return ContactMessage.objects.filter(
        Q(organisation_id__in=organisation_ids_for_user(user)) | Q(assignee=user)
    )


@dataclass(frozen=True)
class InboxWaiting:
    """Messages not answered yet: new (nobody took them) and assigned to this staff member."""

    new: int
    assigned_to_me: int
    waiting: int


def contact_message_waiting(*, user: AbstractBaseUser) -> InboxWaiting:
    """How many messages this staff account may read still wait for an answer."""
    S = ContactMessage.Status
    figures = contact_message_list_for_staff(user).aggregate(
        new=Count("pk", filter=Q(status=S.NEW)),
        assigned_to_me=Count("pk", filter=Q(status=S.ASSIGNED, assignee=user)),
        waiting=Count("pk", filter=Q(status__in=[S.NEW, S.ASSIGNED])),
    )
    return InboxWaiting(**figures)
