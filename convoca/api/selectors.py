"""What an API key may read: the same rules as the admin, for the key's organisation."""

from __future__ import annotations

import hashlib

from django.db.models import Q, QuerySet

from convoca.actions.models import Action, Signature
from convoca.api.models import ApiKey, CustomFields
from convoca.donations.models import Donation, Fundraiser
from convoca.events.models import Event, Registration
from convoca.mailings.models import Mailing, MailingList, Subscription, Suppression
from convoca.people.models import Person, PersonTag, Tag
from convoca.people.selectors import person_list_visible_to_organisations


def api_key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_get_active(token: str) -> ApiKey | None:
    """The key this token is, if it exists and is not revoked (one indexed lookup)."""
    if not token or len(token) > 200:
        return None
    return (
        ApiKey.objects.select_related("organisation", "created_by")
        .filter(key_hash=api_key_hash(token), revoked_at__isnull=True)
        .first()
    )


def _org_ids(key: ApiKey) -> set[int] | None:
    """None for a coalition key (it sees everything), else the key's one organisation."""
    return None if key.organisation_id is None else {key.organisation_id}


def _owned(queryset: QuerySet, key: ApiKey, path: str = "organisation") -> QuerySet:
    ids = _org_ids(key)
    return queryset if ids is None else queryset.filter(**{f"{path}_id__in": ids})


def person_list_for_key(key: ApiKey) -> QuerySet[Person]:
    return person_list_visible_to_organisations(_org_ids(key)).filter(erased_at__isnull=True)


def tag_list_for_key(key: ApiKey) -> QuerySet[Tag]:
    return _owned(Tag.objects.all(), key)


def tagging_list_for_key(key: ApiKey) -> QuerySet[PersonTag]:
    return _owned(PersonTag.objects.select_related("tag"), key, "tag__organisation").filter(
        person__in=person_list_for_key(key)
    )


def mailing_list_for_key(key: ApiKey) -> QuerySet[MailingList]:
    return _owned(MailingList.objects.prefetch_related("versions"), key)


def list_item_list_for_key(key: ApiKey) -> QuerySet[Subscription]:
    return _owned(
        Subscription.objects.filter(status=Subscription.Status.SUBSCRIBED),
        key,
        "mailing_list__organisation",
    )


def petition_list_for_key(key: ApiKey) -> QuerySet[Action]:
    return _owned(
        Action.objects.select_related("shared__organisation"), key, "shared__organisation"
    )


def signature_list_for_key(key: ApiKey) -> QuerySet[Signature]:
    return _owned(
        Signature.objects.select_related("action__shared", "person"),
        key,
        "action__shared__organisation",
    ).filter(person__erased_at__isnull=True)


def event_list_for_key(key: ApiKey) -> QuerySet[Event]:
    return _owned(Event.objects.select_related("shared__organisation"), key, "shared__organisation")


def attendance_list_for_key(key: ApiKey) -> QuerySet[Registration]:
    return _owned(
        Registration.objects.select_related("event", "person"), key, "event__shared__organisation"
    ).filter(person__erased_at__isnull=True)


def fundraiser_list_for_key(key: ApiKey) -> QuerySet[Fundraiser]:
    return _owned(
        Fundraiser.objects.select_related("organisation").prefetch_related("versions"), key
    )


#: Gifts that happened (not abandoned checkouts, not failed payments).
DONATION_STATUSES = (
    Donation.Status.PAID,
    Donation.Status.REFUNDED,
    Donation.Status.ACTIVE,
    Donation.Status.PAST_DUE,
    Donation.Status.CANCELLED,
)


def donation_list_for_key(key: ApiKey) -> QuerySet[Donation]:
    return _owned(
        Donation.objects.select_related("fundraiser", "donor__person")
        .prefetch_related("fundraiser__versions")
        .filter(status__in=DONATION_STATUSES),
        key,
        "fundraiser__organisation",
    ).filter(donor__person__erased_at__isnull=True)


def message_list_for_key(key: ApiKey) -> QuerySet[Mailing]:
    return _owned(Mailing.objects.all(), key)


def email_statuses(*, key: ApiKey, people: list[Person]) -> dict:
    """Each person's OSDI email status for this key's organisation: subscribed, unsubscribed...

    Three queries for a page of people: their subscriptions to the
    organisation's lists and the suppressions of their addresses.
    """
    ids = [p.pk for p in people]
    subs = _owned(
        Subscription.objects.filter(person_id__in=ids), key, "mailing_list__organisation"
    ).values_list("person_id", "status")
    status: dict = {}
    for person_id, value in subs:
        if value == Subscription.Status.SUBSCRIBED or person_id not in status:
            status[person_id] = value
    suppressed = set(
        Suppression.objects.filter(
            email_index__in=[p.email_index for p in people if p.email_index]
        ).values_list("email_index", "reason")
    )
    reasons = dict(suppressed)
    result = {}
    for person in people:
        reason = reasons.get(person.email_index)
        if reason in (Suppression.Reason.BOUNCED, Suppression.Reason.REJECTED):
            result[person.pk] = "bouncing"
        elif reason == Suppression.Reason.COMPLAINED:
            result[person.pk] = "spam complaint"
        elif reason:
            result[person.pk] = "unsubscribed"
        else:
            result[person.pk] = {
                Subscription.Status.SUBSCRIBED: "subscribed",
                Subscription.Status.UNSUBSCRIBED: "unsubscribed",
                Subscription.Status.PENDING: "pending",
            }.get(status.get(person.pk), "not subscribed")
    return result


def custom_fields_for(*, key: ApiKey, people: list[Person]) -> dict:
    """The key's organisation's custom fields of these people, by person id."""
    import json

    rows = CustomFields.objects.filter(
        person_id__in=[p.pk for p in people], organisation_id=key.organisation_id
    )
    result = {}
    for row in rows:
        try:
            result[row.person_id] = json.loads(row.values or "{}")
        except ValueError:
            result[row.person_id] = {}
    return result


def tag_names_for(*, key: ApiKey, people: list[Person]) -> dict:
    q = Q(person_id__in=[p.pk for p in people])
    rows = _owned(PersonTag.objects.filter(q), key, "tag__organisation").values_list(
        "person_id", "tag__name"
    )
    result: dict = {}
    for person_id, name in rows:
        result.setdefault(person_id, []).append(name)
    return result
