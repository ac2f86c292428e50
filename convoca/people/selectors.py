"""Reads about supporters, always through who is asking."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

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
