"""Reads about lists and mailings: who a mailing reaches, how its sending goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from convoca.mailings.models import Delivery, Mailing, MailingList, Subscription, Suppression
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.people.models import Consent, Person


@dataclass(frozen=True)
class AudienceFilter:
    """A way to narrow or widen a mailing's audience, offered in the admin.

    ``choices(user)`` lists what an organiser may pick (value, label);
    ``people(values)`` is a ``Q`` on ``Person`` matching anyone with any of
    the chosen values. Apps register their own (``audience_filter_register``),
    e.g. events adds "registered for event Y".
    """

    key: str
    label: str
    choices: Callable
    people: Callable[[list[str]], Q]


_filters: dict[str, AudienceFilter] = {}


def audience_filter_register(
    key: str, *, label, choices: Callable, people: Callable[[list[str]], Q]
) -> None:
    """Offer a new audience filter (called from an app's ``ready()``)."""
    _filters[key] = AudienceFilter(key=key, label=label, choices=choices, people=people)


def audience_filters() -> list[AudienceFilter]:
    return list(_filters.values())


def subscribed_people(list_ids) -> QuerySet[Person]:
    """Confirmed subscribers of any of these lists who may be mailed: not erased or suppressed."""
    subscribed = Subscription.objects.filter(
        person=OuterRef("pk"), mailing_list_id__in=list_ids, status=Subscription.Status.SUBSCRIBED
    )
    suppressed = Suppression.objects.filter(email_index=OuterRef("email_index"))
    return Person.objects.filter(
        Exists(subscribed), ~Exists(suppressed), erased_at__isnull=True, email_index__isnull=False
    )


def audience_people(*, list_ids, audience: dict, organisation_id=None) -> QuerySet[Person]:
    """The people a mailing to ``list_ids`` narrowed by ``audience`` reaches.

    ``audience`` keys: ``countries``, ``languages``, ``consent`` (only people
    with a contact consent in force to ``organisation_id``), each registered
    filter's key (include anyone with any value) and ``exclude_<key>``
    (leave out anyone with any value), and ``exclude_lists``.
    """
    people = subscribed_people(list_ids)
    audience = audience or {}
    if audience.get("countries"):
        people = people.filter(country__in=audience["countries"])
    if audience.get("languages"):
        people = people.filter(language__in=audience["languages"])
    if audience.get("consent") and organisation_id:
        people = people.filter(
            Exists(
                Consent.objects.filter(
                    person=OuterRef("pk"),
                    organisation_id=organisation_id,
                    purpose=Consent.Purpose.CONTACT,
                    withdrawn_at__isnull=True,
                )
            )
        )
    for audience_filter in _filters.values():
        if values := audience.get(audience_filter.key):
            people = people.filter(audience_filter.people(values))
        if values := audience.get(f"exclude_{audience_filter.key}"):
            people = people.exclude(audience_filter.people(values))
    if audience.get("exclude_lists"):
        people = people.exclude(
            Exists(
                Subscription.objects.filter(
                    person=OuterRef("pk"),
                    mailing_list_id__in=audience["exclude_lists"],
                    status=Subscription.Status.SUBSCRIBED,
                )
            )
        )
    return people


def mailing_audience(*, mailing: Mailing) -> QuerySet[Person]:
    """Everyone this mailing would reach if it were sent now."""
    return audience_people(
        list_ids=list(mailing.lists.values_list("pk", flat=True)),
        audience=mailing.audience,
        organisation_id=mailing.organisation_id,
    )


def mailing_recipient_count(*, mailing: Mailing) -> int:
    """The exact number of people the mailing reaches: its deliveries once sending started."""
    if mailing.status in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
        return mailing_audience(mailing=mailing).count()
    return mailing.deliveries.count()


@dataclass(frozen=True)
class MailingProgress:
    """How a mailing's sending goes, and what the provider reported afterwards."""

    total: int
    pending: int
    sent: int
    in_doubt: int
    failed: int
    cancelled: int
    delivered: int
    bounced: int
    complained: int
    unsubscribed: int
    opened: int
    per_minute: float
    eta_seconds: int | None

    @property
    def remaining(self) -> int:
        return self.pending

    @property
    def done_percent(self) -> int:
        return int(100 * (self.total - self.pending) / self.total) if self.total else 100


def mailing_progress(*, mailing: Mailing, now=None) -> MailingProgress:
    """Counts per state, the rate over the last minute and the time left at that rate."""
    now = now or timezone.now()
    recent = now - timedelta(minutes=1)
    S = Delivery.Status
    figures = Delivery.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status__in=[S.PENDING, S.CLAIMED])),
        sent=Count("pk", filter=Q(status=S.SENT)),
        in_doubt=Count("pk", filter=Q(status=S.SENDING)),
        failed=Count("pk", filter=Q(status=S.FAILED)),
        cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        complained=Count("pk", filter=Q(complained_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        last_minute=Count("pk", filter=Q(sent_at__gte=recent)),
    )
    last_minute = figures.pop("last_minute")
    per_minute = float(last_minute)
    if mailing.started_at and now - mailing.started_at < timedelta(minutes=1):
        elapsed = max((now - mailing.started_at).total_seconds(), 1.0)
        per_minute = last_minute * 60 / elapsed
    eta = None
    if figures["pending"] and per_minute and mailing.status == Mailing.Status.SENDING:
        eta = int(figures["pending"] / per_minute * 60)
    return MailingProgress(**figures, per_minute=round(per_minute, 1), eta_seconds=eta)


def mailing_list_for(*, organisation, purpose: str) -> MailingList | None:
    """The organisation's list for ``purpose``, else the whole coalition's, else None."""
    lists = MailingList.objects.filter(purpose=purpose)
    if organisation is not None:
        own = lists.filter(organisation=organisation).order_by("pk").first()
        if own is not None:
            return own
    return lists.filter(organisation__isnull=True).order_by("pk").first()


def mailing_list_public() -> QuerySet[MailingList]:
    return (
        MailingList.objects.filter(is_public=True)
        .select_related("organisation")
        .prefetch_related("versions")
    )


def mailing_list_get_public(*, slug: str) -> MailingList | None:
    return mailing_list_public().filter(slug=slug).first()


def subscription_list_for_person(*, person: Person) -> QuerySet[Subscription]:
    return Subscription.objects.filter(person=person).select_related("mailing_list")


def mailing_list_subscriber_counts() -> dict[int, int]:
    return dict(
        Subscription.objects.filter(status=Subscription.Status.SUBSCRIBED)
        .values_list("mailing_list")
        .annotate(n=Count("pk"))
        .values_list("mailing_list", "n")
    )


def mailing_list_in_progress(*, user: AbstractBaseUser) -> list[tuple[Mailing, MailingProgress]]:
    """Scheduled, sending and paused mailings this staff account may see, with their progress.

    Organisers see their organisations' mailings; coordinators every one,
    the coalition's included. Soonest first.
    """
    mailings = Mailing.objects.filter(
        status__in=[Mailing.Status.SCHEDULED, Mailing.Status.SENDING, Mailing.Status.PAUSED]
    )
    if not user_is_coordinator(user):
        mailings = mailings.filter(organisation__in=organisation_ids_for_user(user))
    mailings = mailings.order_by(F("started_at").asc(nulls_last=True), "send_at", "pk")
    return [(mailing, mailing_progress(mailing=mailing)) for mailing in mailings[:20]]
