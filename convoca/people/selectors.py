"""Reads about supporters, always through who is asking."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from convoca.core.crypto import email_index
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.people.models import Activity, Consent, Person


def person_list_visible_to(user: AbstractBaseUser) -> QuerySet[Person]:
    """The people a staff account may see.

    A coordinator sees everyone. Staff of an organisation see the people
    who have a consent in force to that organisation, or who took one of
    its actions (an activity recorded for it); nobody else.
    """
    if user_is_coordinator(user):
        return Person.objects.all()
    return person_list_visible_to_organisations(organisation_ids_for_user(user))


def person_list_visible_to_organisations(org_ids: set[int] | None) -> QuerySet[Person]:
    """The people the staff of these organisations may see; ``None`` is the whole coalition.

    The one rule behind the admin and the API (a key acts for one
    organisation, a coordinator's key for the coalition).
    """
    if org_ids is None:
        return Person.objects.all()
    if not org_ids:
        return Person.objects.none()
    # IN (subquery), not a correlated EXISTS: SQLite ran EXISTS by the consents'
    # organisation index for every person (N x N; 1 s for a page of 3,000 people).
    consented = Consent.objects.filter(
        organisation_id__in=org_ids, withdrawn_at__isnull=True
    ).values("person_id")
    took_part = Activity.objects.filter(
        organisation_id__in=org_ids, kind__in=Activity.PARTICIPATION
    ).values("person_id")
    return Person.objects.filter(Q(pk__in=consented) | Q(pk__in=took_part))


def person_get_by_email(email: str) -> Person | None:
    """The (not erased) person with this address, found through the blind index."""
    return Person.objects.filter(email_index=email_index(email), erased_at__isnull=True).first()


def person_ids_by_email_index(email_indexes) -> dict[str, object]:
    """``{email index: person id}`` for the people with these addresses (the unique index)."""
    return dict(
        Person.objects.filter(email_index__in=list(set(email_indexes)))
        .order_by()
        .values_list("email_index", "pk")
    )


def person_indexes_known_to(*, organisation, email_indexes: list[str]) -> set[str]:
    """Which of these addresses belong to people the organisation already sees.

    The same rule as ``person_list_visible_to`` for the organisation's staff:
    a consent in force to it, or a part in one of its activities.
    """
    if not email_indexes:
        return set()
    # From the people to their rows, never from the organisation: its
    # consents are many, a person's few (SQLite has no statistics to know).
    by_person = {pk: index for index, pk in person_ids_by_email_index(email_indexes).items()}
    consented = {
        person_id
        for person_id, organisation_id in Consent.objects.filter(
            person__in=list(by_person), withdrawn_at__isnull=True
        )
        .order_by()
        .values_list("person_id", "organisation_id")
        if organisation_id == organisation.pk
    }
    took_part = set(
        Activity.objects.filter(
            organisation=organisation, person__in=list(by_person), kind__in=Activity.PARTICIPATION
        )
        .order_by()
        .values_list("person_id", flat=True)
    )
    return {by_person[person_id] for person_id in consented | took_part}
