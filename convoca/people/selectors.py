"""Reads about supporters, always through who is asking."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from convoca.coalition.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.core.crypto import email_index
from convoca.people.models import Activity, Consent, Person


def person_list_visible_to(user: AbstractBaseUser) -> QuerySet[Person]:
    """The people a staff account may see.

    A coordinator sees everyone. Staff of an organisation see the people
    who have a consent in force to that organisation, or who took one of
    its actions (an activity recorded for it); nobody else.
    """
    if user_is_coordinator(user):
        return Person.objects.all()
    org_ids = organisation_ids_for_user(user)
    if not org_ids:
        return Person.objects.none()
    consented = Consent.objects.filter(
        person=OuterRef("pk"), organisation_id__in=org_ids, withdrawn_at__isnull=True
    )
    took_part = Activity.objects.filter(
        person=OuterRef("pk"), organisation_id__in=org_ids, kind__in=Activity.PARTICIPATION
    )
    return Person.objects.filter(Q(Exists(consented)) | Q(Exists(took_part)))


def person_get_by_email(email: str) -> Person | None:
    """The (not erased) person with this address, found through the blind index."""
    return Person.objects.filter(email_index=email_index(email), erased_at__isnull=True).first()


def person_indexes_known_to(*, organisation, email_indexes: list[str]) -> set[str]:
    """Which of these addresses belong to people the organisation already sees.

    The same rule as ``person_list_visible_to`` for the organisation's staff:
    a consent in force to it, or a part in one of its activities.
    """
    if not email_indexes:
        return set()
    # Two plain joins from the address (its unique index) rather than EXISTS
    # subqueries per person: SQLite plans these well, for a thousand addresses.
    indexes = list(set(email_indexes))
    consented = Consent.objects.filter(
        person__email_index__in=indexes, organisation=organisation, withdrawn_at__isnull=True
    ).values_list("person__email_index", flat=True)
    took_part = Activity.objects.filter(
        person__email_index__in=indexes,
        organisation=organisation,
        kind__in=Activity.PARTICIPATION,
    ).values_list("person__email_index", flat=True)
    return set(consented) | set(took_part)
