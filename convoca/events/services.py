"""Every write to events, series, campaigns and registrations goes through these functions."""

from __future__ import annotations

import json
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from convoca.core.caching import public_pages_invalidate
from convoca.core.outbox import outbox_keys_existing
from convoca.core.text import one_line
from convoca.events.models import (
    CAMPAIGN_SHARED_FIELDS,
    EVENT_SHARED_FIELDS,
    SERIES_SHARED_FIELDS,
    Campaign,
    CampaignShared,
    Event,
    EventShared,
    HostMessage,
    Registration,
    Series,
    SeriesRegistration,
    SeriesShared,
    Speaker,
)
from convoca.events.places import place_find
from convoca.mailings.services import subscription_add_from_consent
from convoca.people.models import Activity, Consent, Person
from convoca.people.services import PersonData, activity_record, consent_give, person_upsert

REGISTRATION_SALT = "convoca.events.registration"

#: How far ahead a series' occurrences are made (the periodic task extends it).
SERIES_HORIZON_DAYS = 400

#: Messages a host may send to their registrants per event.
HOST_MESSAGES_PER_EVENT = 10


class RegistrationClosed(Exception):
    """The event is not published, or has already started."""


class HostMessageLimit(Exception):
    """The host has sent as many messages to registrants as an event allows."""


# --- Events and their language versions ----------------------------------------------------


#: What ``event_create`` and ``event_save`` write on the shared row: what versions
#: read as their own, and the series and campaign the event belongs to.
EVENT_SHARED_WRITABLE = (*EVENT_SHARED_FIELDS, "series", "campaign", "host_key")


def event_create(*, translation_of: Event | None = None, **fields: Any) -> Event:
    """Create a language version of an event: a new event, or another language of one.

    ``fields`` are the version's texts (``language``, ``title``, ``slug``,
    ``summary``, ``description``, ``questions``, ``report``) and, for a new
    event, what every version shares (``starts_at``, ``status``, ``city``,
    ``capacity``, ``series``, ``campaign``...). A version made
    ``translation_of`` another joins that event, its times, place and
    registrations; giving any of those here is an error.
    """
    shared_fields = {
        name: fields.pop(name) for name in list(fields) if name in EVENT_SHARED_WRITABLE
    }
    if translation_of is not None and shared_fields:
        raise ValueError(f"{sorted(shared_fields)} belong to the event, not to one of its versions")
    event = Event(**fields)
    return event_save(event=event, shared=shared_fields, translation_of=translation_of)


def event_save(
    *,
    event: Event,
    shared: dict[str, Any] | None = None,
    translation_of: Event | None = None,
) -> Event:
    """Save an event version's texts and what every version shares, in one transaction.

    ``shared`` names what changes for every version (``status``,
    ``starts_at``, ``capacity``, ``city``...; a series or campaign may be
    given as any of its versions). A new ``event`` with ``translation_of``
    joins that event, keeping its shared values (``shared`` is then
    ignored). Cached public pages are forgotten on commit.
    """
    shared = dict(shared or {})
    unknown = set(shared) - set(EVENT_SHARED_WRITABLE)
    if unknown:
        raise ValueError(f"not shared by an event's versions: {sorted(unknown)}")
    for name in ("series", "campaign"):
        if isinstance(shared.get(name), (Series, Campaign)):
            shared[name] = shared[name].shared
    with transaction.atomic():
        if translation_of is not None and translation_of.shared_id != event.shared_id:
            event.shared = EventShared.objects.get(pk=translation_of.shared_id)
        else:
            row = (
                EventShared.objects.select_for_update().get(pk=event.shared_id)
                if event.shared_id and EventShared.objects.filter(pk=event.shared_id).exists()
                else EventShared()
            )
            for name, value in shared.items():
                setattr(row, name, value)
            row.save()
            event.shared = row
        event.save()
    pages_changed()
    return event


def event_delete(*, event: Event) -> None:
    """Delete one language version of an event (its registrations on that version go with it).

    The last version takes the shared row with it.
    """
    with transaction.atomic():
        shared_id = event.shared_id
        event.delete()
        if not Event.objects.filter(shared_id=shared_id).exists():
            EventShared.objects.filter(pk=shared_id).delete()
    pages_changed()


def event_publish(*, event: Event | EventShared, published: bool = True) -> None:
    """Publish (or take back to draft) an event in every language."""
    version = event if isinstance(event, Event) else event.versions.first()
    status = Event.Status.PUBLISHED if published else Event.Status.DRAFT
    event_save(event=version, shared={"status": status})


def event_capacity_set(*, event: Event, capacity: int) -> list[Registration]:
    """Change how many places an event has, in every language; return who moved up.

    Places freed by a larger capacity (or by no limit, 0) go to the wait
    list at once, first come first served, each person told by email.
    """
    with transaction.atomic():
        _lock_group(event.translation_key)
        event_save(event=event, shared={"capacity": capacity})
        return waitlist_promote(event=event)


def pages_changed() -> None:
    """Forget cached public pages (the home page, the sitemap) once the transaction commits."""
    transaction.on_commit(public_pages_invalidate)


def speaker_save(*, speaker: Speaker) -> Speaker:
    """Save a speaker of one language version of an event (their role and bio are in it)."""
    speaker.save()
    pages_changed()
    return speaker


def speaker_delete(*, speaker: Speaker) -> None:
    """Take a speaker off an event's page."""
    speaker.delete()
    pages_changed()


# --- Campaigns ---------------------------------------------------------------------------------


def campaign_create(*, translation_of: Campaign | None = None, **fields: Any) -> Campaign:
    """Create a language version of a campaign: a new campaign, or another language of one.

    ``fields`` are the version's texts (``language``, ``title``, ``slug``,
    ``summary``, ``call``) and, for a new campaign, what every version
    shares (``starts_on``, ``organisation``, ``status``, ``endorsers``...).
    A version made ``translation_of`` another joins that campaign, its
    dates, status and events; giving any of those here is an error.
    """
    shared_fields = {
        name: fields.pop(name) for name in list(fields) if name in CAMPAIGN_SHARED_FIELDS
    }
    if translation_of is not None and shared_fields:
        raise ValueError(
            f"{sorted(shared_fields)} belong to the campaign, not to one of its versions"
        )
    campaign = Campaign(**fields)
    return campaign_save(campaign=campaign, shared=shared_fields, translation_of=translation_of)


def campaign_save(
    *,
    campaign: Campaign,
    shared: dict[str, Any] | None = None,
    translation_of: Campaign | None = None,
) -> Campaign:
    """Save a campaign version's texts and what every version shares, in one transaction.

    ``shared`` names what changes for every version (``status``,
    ``ends_on``, ``endorsers``, ``action``...); a new ``campaign`` with
    ``translation_of`` joins that campaign, keeping its shared values
    (``shared`` is then ignored). Cached public pages are forgotten on commit.
    """
    shared = dict(shared or {})
    endorsers = shared.pop("endorsers", None)
    unknown = set(shared) - set(CAMPAIGN_SHARED_FIELDS)
    if unknown:
        raise ValueError(f"not shared by a campaign's versions: {sorted(unknown)}")
    with transaction.atomic():
        if translation_of is not None and translation_of.shared_id != campaign.shared_id:
            campaign.shared = CampaignShared.objects.get(pk=translation_of.shared_id)
        else:
            row = (
                CampaignShared.objects.select_for_update().get(pk=campaign.shared_id)
                if campaign.shared_id
                and CampaignShared.objects.filter(pk=campaign.shared_id).exists()
                else CampaignShared()
            )
            for name, value in shared.items():
                setattr(row, name, value)
            row.save()
            if endorsers is not None:
                row.endorsers.set(endorsers)
            campaign.shared = row
        campaign.save()
    pages_changed()
    return campaign


def campaign_publish(*, campaign: Campaign | CampaignShared, published: bool = True) -> None:
    """Publish (or withdraw) a campaign in every language."""
    version = campaign if isinstance(campaign, Campaign) else campaign.versions.first()
    status = Campaign.Status.PUBLISHED if published else Campaign.Status.DRAFT
    campaign_save(campaign=version, shared={"status": status})


def campaign_delete(*, campaign: Campaign) -> None:
    """Delete one language version of a campaign that has no events (they protect it).

    The last version takes the shared row with it.
    """
    with transaction.atomic():
        shared_id = campaign.shared_id
        campaign.delete()
        if not Campaign.objects.filter(shared_id=shared_id).exists():
            CampaignShared.objects.filter(pk=shared_id).delete()
    pages_changed()


#: What a host may change on the host page (events/host/<key>/).
HOST_EDITABLE_FIELDS = (
    "title", "description", "venue_name", "street_address", "city", "postal_code",
    "capacity", "time_zone", "starts_at", "ends_at", "country",
)  # fmt: skip


#: What the host page changes on one version; the rest of ``HOST_EDITABLE_FIELDS`` is shared.
HOST_EDITABLE_TEXTS = ("title", "description")


def event_host_edit(*, event: Event, data: dict) -> list[str]:
    """Save what the host changed on the host page; return the names of the changed fields.

    An approved event stays public with the changes (a venue that moved the
    day before must show at once), and the coordinators are emailed what
    changed, so an edit cannot slip past their review unseen. A pending
    event is simply saved: it is still waiting in the approval queue.
    """
    from convoca.events.emails import host_edited_enqueue

    changed = [name for name in HOST_EDITABLE_FIELDS if getattr(event, name) != data[name]]
    if not changed:
        return []
    shared = {}
    for name in changed:
        if name in HOST_EDITABLE_TEXTS:
            setattr(event, name, data[name])
        else:
            shared[name] = data[name]
            setattr(event.shared, name, data[name])
    if event_place_locate(event=event):
        shared.update(latitude=event.latitude, longitude=event.longitude)
    with transaction.atomic():
        event_save(event=event, shared=shared)
        if event.status == Event.Status.PUBLISHED:
            host_edited_enqueue(event=event, fields=changed)
    return changed


def event_cancel(*, event: Event) -> int:
    """Cancel an event (all its versions) and tell everyone registered; return how many.

    One email per registration (confirmed or waiting), written to the
    outbox with the cancellation; its dedupe key makes it go once, even if
    the event is cancelled twice.
    """
    from convoca.events.emails import event_cancelled_enqueue

    with transaction.atomic():
        event_save(event=event, shared={"status": Event.Status.CANCELLED})
        registrations = Registration.objects.filter(
            translation_key=event.translation_key,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
            person__erased_at__isnull=True,
        ).select_related("event", "person")
        return sum(event_cancelled_enqueue(registration) for registration in registrations)


def event_place_locate(*, event: Event | EventShared) -> bool:
    """Find an in-person event's place on the map from its city and country; False if not found.

    Sets the coordinates on the event's shared row, unsaved: the caller
    saves them (``event_save`` with ``latitude`` and ``longitude``).
    """
    row = event.shared if isinstance(event, Event) else event
    if not (row.city and row.country):
        return False
    place = place_find(row.city, row.country.code)
    if place is None:
        return False
    row.latitude, row.longitude = place.latitude, place.longitude
    return True


def _unique_slug(model, language: str, base: str) -> str:
    base = slugify(base)[:100] or "event"
    slug = base
    while model.objects.filter(language=language, slug=slug).exists():
        slug = f"{base}-{get_random_string(4, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


# --- Series ----------------------------------------------------------------------------------


def series_starts(
    *, series: Series, after: datetime | None = None, before: datetime | None = None
) -> list[datetime]:
    """The UTC start of each occurrence the rule gives, between ``after`` and ``before``.

    The rule runs on the local wall-clock time in the series' zone and each
    local time is then placed in that zone: 8 PM in New York is 00:00 UTC
    in summer and 01:00 UTC in winter, and stays 8 PM for the people there.
    """
    zone = zoneinfo.ZoneInfo(series.time_zone)
    local_first = series.first_start.astimezone(zone).replace(tzinfo=None)
    rule = rrulestr(series.rule, dtstart=local_first)
    after_local = (after or series.first_start).astimezone(zone).replace(tzinfo=None)
    before_local = (
        (before or timezone.now() + timedelta(days=SERIES_HORIZON_DAYS))
        .astimezone(zone)
        .replace(tzinfo=None)
    )
    starts = []
    for local in rule.between(after_local, before_local, inc=True):
        # fold=0: an ambiguous hour (the night clocks go back) is read as the
        # first of the two; a time skipped in spring moves forward with zoneinfo.
        starts.append(local.replace(tzinfo=zone).astimezone(zoneinfo.ZoneInfo("UTC")))
    return starts


def occurrence_translation_key(*, series: Series, start: datetime) -> uuid.UUID:
    """The same occurrence in every language version of a series shares one key."""
    return uuid.uuid5(
        series.translation_key, start.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat()
    )


def series_occurrences_sync(*, series: Series, before: datetime | None = None) -> int:
    """Make the occurrences the rule gives that do not exist yet; return how many were made.

    Existing occurrences are never changed: an organiser may have moved,
    edited or cancelled one. People registered for the whole series are
    registered for each new occurrence.
    """
    existing = set(series.occurrences.values_list("shared__occurrence_start", flat=True))
    made = 0
    duration = timedelta(minutes=series.duration_minutes)
    for start in series_starts(series=series, before=before):
        if start in existing:
            continue
        local_date = start.astimezone(zoneinfo.ZoneInfo(series.time_zone)).date()
        try:
            with transaction.atomic():
                # The occurrence in another language may exist, perhaps moved or
                # cancelled: this version joins it as it is.
                shared, _created = EventShared.objects.get_or_create(
                    pk=occurrence_translation_key(series=series, start=start),
                    defaults={
                        "kind": Event.Kind.ONLINE,
                        "organisation_id": series.organisation_id,
                        "status": (
                            Event.Status.PUBLISHED if series.is_published else Event.Status.DRAFT
                        ),
                        "starts_at": start,
                        "ends_at": start + duration,
                        "time_zone": series.time_zone,
                        "display_zones": list(series.display_zones),
                        "online_url": series.online_url,
                        "capacity": series.capacity,
                        "series_id": series.shared_id,
                        "occurrence_start": start,
                    },
                )
                event = Event.objects.create(
                    shared=shared,
                    language=series.language,
                    title=series.title,
                    slug=_unique_slug(
                        Event, series.language, f"{series.slug}-{local_date.isoformat()}"
                    ),
                    description=series.description,
                )
        except IntegrityError:
            continue  # another worker made it
        made += 1
        if start > timezone.now():
            for subscription in SeriesRegistration.objects.filter(
                series_key=series.translation_key,
                cancelled_at__isnull=True,
                language=series.language,
            ).select_related("person"):
                _register(event=event, person=subscription.person, via_series=True)
    return made


def series_create(
    *, translation_of: Series | None = None, before: datetime | None = None, **fields: Any
) -> Series:
    """Create a language version of a series (new, or another language of one); make occurrences.

    ``fields`` are the version's texts (``language``, ``title``, ``slug``,
    ``description``) and, for a new series, what every version shares
    (``rule``, ``first_start``, ``organisation``...). A version made
    ``translation_of`` another joins that series and its settings; giving
    any of those here is an error. ``before`` is how far ahead to make
    occurrences (by default the horizon).
    """
    shared_fields = {
        name: fields.pop(name) for name in list(fields) if name in SERIES_SHARED_FIELDS
    }
    if translation_of is not None and shared_fields:
        raise ValueError(
            f"{sorted(shared_fields)} belong to the series, not to one of its versions"
        )
    series = Series(**fields)
    if translation_of is None:
        series_save(series=series, shared=shared_fields, before=before)
    else:
        series_save(series=series, translation_of=translation_of, before=before)
    return series


def series_save(
    *,
    series: Series,
    shared: dict[str, Any] | None = None,
    translation_of: Series | None = None,
    before: datetime | None = None,
) -> int:
    """Save a series version's texts and what every version shares; make its occurrences.

    ``shared`` names what changes for every version (``rule``,
    ``is_published``, ``capacity``...); a new ``series`` with
    ``translation_of`` joins that series, keeping its settings. Returns
    how many occurrences were made, in all versions; existing occurrences
    are left as they are (see ``series_occurrences_sync``). ``before`` is
    how far ahead to make them (by default the horizon).
    """
    shared = dict(shared or {})
    unknown = set(shared) - set(SERIES_SHARED_FIELDS)
    if unknown:
        raise ValueError(f"not shared by a series' versions: {sorted(unknown)}")
    with transaction.atomic():
        if translation_of is not None and translation_of.shared_id != series.shared_id:
            series.shared = SeriesShared.objects.get(pk=translation_of.shared_id)
        else:
            row = (
                SeriesShared.objects.select_for_update().get(pk=series.shared_id)
                if series.shared_id and SeriesShared.objects.filter(pk=series.shared_id).exists()
                else SeriesShared()
            )
            for name, value in shared.items():
                setattr(row, name, value)
            row.full_clean(validate_unique=False, validate_constraints=False)
            row.save()
            series.shared = row
        series.full_clean(validate_unique=False, validate_constraints=False)
        series.save()
        made = sum(
            series_occurrences_sync(series=version, before=before)
            for version in Series.objects.filter(shared_id=series.shared_id).select_related(
                "shared"
            )
        )
    pages_changed()
    return made


def series_publish(*, series: Series | SeriesShared, published: bool = True) -> int:
    """Publish (or withdraw) a series in every language; return how many occurrences were made."""
    version = series if isinstance(series, Series) else series.versions.first()
    return series_save(series=version, shared={"is_published": published})


def series_delete(*, series: Series) -> None:
    """Delete one language version of a series, and its occurrences with it.

    The last version takes the shared row with it.
    """
    with transaction.atomic():
        shared_id = series.shared_id
        series.occurrences.delete()
        EventShared.objects.filter(series_id=shared_id, versions__isnull=True).delete()
        series.delete()
        if not Series.objects.filter(shared_id=shared_id).exists():
            SeriesShared.objects.filter(pk=shared_id).delete()
    pages_changed()


def series_sync_all() -> int:
    """Extend every published series to the horizon."""
    return sum(
        series_occurrences_sync(series=series)
        for series in Series.objects.filter(shared__is_published=True).select_related("shared")
    )


# --- Registration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationData:
    """What the registration form says."""

    person: PersonData
    answers: dict[str, str] = field(default_factory=dict)
    news_wording: str = ""  # the sentence of the "news" box, when ticked
    share_wording: str = ""  # the sentence of the "share with the host" box, when ticked
    source: str = ""


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool

    @property
    def waitlisted(self) -> bool:
        return self.registration.status == Registration.Status.WAITLISTED


def _lock_group(translation_key) -> None:
    # The shared row, so that two registrations for one event (in any
    # language) queue on it and the count of places cannot be overtaken.
    list(EventShared.objects.select_for_update().filter(pk=translation_key))


def registration_confirmed_count(*, translation_key) -> int:
    return Registration.objects.filter(
        translation_key=translation_key, status=Registration.Status.CONFIRMED
    ).count()


def _has_place(event: Event) -> bool:
    return not event.capacity or (
        registration_confirmed_count(translation_key=event.translation_key) < event.capacity
    )


def _register(
    *, event: Event, person: Person, via_series: bool = False, answers: str = "",
    share: bool = False,
) -> tuple[Registration, bool]:  # fmt: skip
    """A place (or a wait-list place) for ``person``; inside a transaction, group locked."""
    _lock_group(event.translation_key)
    registration = (
        Registration.objects.select_for_update()
        .filter(translation_key=event.translation_key, person=person)
        .first()
    )
    if registration and registration.status != Registration.Status.CANCELLED:
        changed = []
        if share and not registration.share_with_host:
            registration.share_with_host = True
            changed.append("share_with_host")
        if answers:
            registration.answers = answers
            changed.append("answers")
        if changed:
            registration.save(update_fields=[*changed, "updated_at"])
        return registration, False
    status = Registration.Status.CONFIRMED if _has_place(event) else Registration.Status.WAITLISTED
    if registration is None:
        registration = Registration.objects.create(
            event=event,
            translation_key=event.translation_key,
            person=person,
            status=status,
            answers=answers,
            share_with_host=share,
            via_series=via_series,
        )
    else:  # registering again after cancelling
        registration.status = status
        registration.event = event
        registration.cancelled_at = None
        registration.answers = answers or registration.answers
        registration.share_with_host = share
        registration.created_at = timezone.now()  # back of the wait list
        registration.save()
    activity_record(
        person=person,
        kind=Activity.Kind.REGISTERED,
        organisation=event.organisation,
        summary=event.title,
        subject=event,
    )
    return registration, True


def registration_create(
    *, event: Event, data: RegistrationData, notify: bool = True
) -> RegistrationResult:
    """Register a person for an event, once per person; full events put them on the wait list.

    A second registration with the same email returns the first (a
    cancelled one is restored). Consents ticked in the form are recorded.
    The confirmation (or wait-list) email, with the event's ``.ics`` and the
    link to the person's registration page, is written to the outbox with it,
    unless ``notify`` is False (a registration another system took and told
    the person about, recorded through the API).
    """
    from convoca.events.emails import registration_confirmation_enqueue

    if not event.is_open_for_registration:
        raise RegistrationClosed(event)
    with transaction.atomic():
        person = person_upsert(data=data.person).person
        registration, created = _register(
            event=event,
            person=person,
            # Each answer is a one-line text box: kept one line whoever sends it.
            answers=json.dumps(
                {question: one_line(str(answer)) for question, answer in data.answers.items()},
                ensure_ascii=False,
            )
            if data.answers
            else "",
            share=bool(data.share_wording),
        )
        _consents_record(event=event, person=person, data=data)
        if notify:
            registration_confirmation_enqueue(registration)
    return RegistrationResult(registration=registration, created=created)


def _consents_record(*, event: Event, person: Person, data: RegistrationData) -> None:
    source = data.source or f"events:{event.slug}"
    if data.news_wording:
        consent_give(
            person=person,
            purpose=Consent.Purpose.CONTACT,
            organisation=event.organisation,
            wording=data.news_wording,
            source=source,
        )
        subscription_add_from_consent(
            organisation=event.organisation,
            person=person,
            language=data.person.language or person.language,
            source=source,
        )
    if data.share_wording:
        consent_give(
            person=person,
            purpose=Consent.Purpose.CONTACT,
            organisation=event.organisation,
            subject=event,
            wording=data.share_wording,
            source=source,
        )


def series_register(*, series: Series, data: RegistrationData) -> SeriesRegistration:
    """Register a person for every upcoming occurrence of a series, and for those to come."""
    from convoca.events.emails import series_registration_enqueue

    with transaction.atomic():
        person = person_upsert(data=data.person).person
        subscription, _created = SeriesRegistration.objects.get_or_create(
            series_key=series.translation_key,
            person=person,
            defaults={"language": series.language},
        )
        if subscription.cancelled_at or subscription.language != series.language:
            subscription.cancelled_at = None
            subscription.language = series.language
            subscription.save(update_fields=["cancelled_at", "language", "updated_at"])
        upcoming = series.occurrences.filter(
            shared__status=Event.Status.PUBLISHED, shared__starts_at__gt=timezone.now()
        ).select_related("shared")
        for event in upcoming:
            _register(event=event, person=person, via_series=True)
        if data.news_wording:
            consent_give(
                person=person,
                purpose=Consent.Purpose.CONTACT,
                organisation=series.organisation,
                wording=data.news_wording,
                source=data.source or f"events:series:{series.slug}",
            )
        series_registration_enqueue(
            subscription=subscription,
            series=series,
            occurrences=list(upcoming.order_by("shared__starts_at")[:6]),
        )
    return subscription


SERIES_REGISTRATION_SALT = "convoca.events.series-registration"


def series_registration_token_make(*, subscription: SeriesRegistration) -> str:
    return signing.dumps(subscription.pk, salt=SERIES_REGISTRATION_SALT)


def series_registration_token_read(token: str) -> SeriesRegistration | None:
    try:
        subscription_id = signing.loads(token, salt=SERIES_REGISTRATION_SALT)
    except signing.BadSignature:
        return None
    return (
        SeriesRegistration.objects.select_related("person")
        .filter(pk=subscription_id, person__erased_at__isnull=True)
        .first()
    )


def series_registration_cancel(*, subscription: SeriesRegistration) -> int:
    """Stop registering the person for new sessions and cancel their places at those to come.

    Returns how many upcoming registrations were cancelled (each frees a
    place for the wait list).
    """
    with transaction.atomic():
        SeriesRegistration.objects.filter(pk=subscription.pk, cancelled_at__isnull=True).update(
            cancelled_at=timezone.now(), updated_at=timezone.now()
        )
        subscription.refresh_from_db()
        keys = EventShared.objects.filter(series_id=subscription.series_key).values("pk")
        upcoming = Registration.objects.filter(
            person=subscription.person,
            via_series=True,
            translation_key__in=keys,
            event__shared__starts_at__gt=timezone.now(),
        ).exclude(status=Registration.Status.CANCELLED)
        cancelled = 0
        for registration in upcoming.select_related("event"):
            registration_cancel(registration=registration)
            cancelled += 1
    return cancelled


def registration_token_make(*, registration: Registration) -> str:
    return signing.dumps(str(registration.pk), salt=REGISTRATION_SALT)


def registration_token_read(token: str) -> Registration | None:
    try:
        registration_id = signing.loads(token, salt=REGISTRATION_SALT)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("event", "person")
        .filter(pk=registration_id, person__erased_at__isnull=True)
        .first()
    )


def registration_cancel(*, registration: Registration) -> list[Registration]:
    """Cancel a registration and move people up from the wait list; return who moved up.

    Each person moved up is emailed after the commit.
    """
    with transaction.atomic():
        _lock_group(registration.translation_key)
        updated = Registration.objects.filter(
            pk=registration.pk, status__in=[Registration.Status.CONFIRMED, "waitlisted"]
        ).update(
            status=Registration.Status.CANCELLED,
            cancelled_at=timezone.now(),
            updated_at=timezone.now(),
        )
        registration.refresh_from_db()
        if not updated:
            return []
        return waitlist_promote(event=registration.event)


def waitlist_promote(*, event: Event) -> list[Registration]:
    """Give free places to the wait list, first come first served; the caller holds the lock."""
    from convoca.events.emails import registration_promoted_enqueue

    event.shared.refresh_from_db(fields=["capacity"])
    waiting = Registration.objects.filter(
        translation_key=event.translation_key, status=Registration.Status.WAITLISTED
    ).order_by("created_at", "pk")
    free = (
        waiting.count()
        if not event.capacity
        else max(
            0, event.capacity - registration_confirmed_count(translation_key=event.translation_key)
        )
    )
    promoted = list(waiting[:free])
    now = timezone.now()
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        registration_promoted_enqueue(registration)
    return promoted


def registration_attendance_mark(*, registration_ids, attended: bool) -> int:
    """Record who came (or did not) after the event."""
    return Registration.objects.filter(pk__in=registration_ids).update(
        attended=attended, updated_at=timezone.now()
    )


# --- Reminders ---------------------------------------------------------------------------------


def reminders_due(*, now: datetime | None = None) -> int:
    """Write to the outbox every reminder that has fallen due; return how many were new.

    A reminder is due once ``now`` is past ``start - minutes_before`` and the
    event has not started. A reminder whose moment had passed when the
    person registered is skipped (who registers an hour before does not
    need the day-before reminder). Each reminder has a dedupe key, so
    running twice writes nothing twice; those already written are not even
    rendered again.
    """
    from convoca.events.emails import reminder_enqueue, reminder_key

    now = now or timezone.now()
    longest = max([max(e.reminder_minutes or [0]) for e in _events_soon(now, days=15)] or [0])
    # One version per translation group: registrations belong to the group.
    events = {
        e.translation_key: e for e in _events_soon(now, days=max(1, longest // (24 * 60) + 1))
    }
    written = 0
    for event in events.values():
        for minutes in event.reminder_minutes or []:
            moment = event.starts_at - timedelta(minutes=minutes)
            if moment > now:
                continue
            registrations = list(
                Registration.objects.filter(
                    translation_key=event.translation_key,
                    status=Registration.Status.CONFIRMED,
                    created_at__lt=moment,
                    person__erased_at__isnull=True,
                ).select_related("event", "person")
            )
            keys = {r.pk: reminder_key(r.pk, minutes) for r in registrations}
            done = outbox_keys_existing(keys.values())
            for registration in registrations:
                if keys[registration.pk] in done:
                    continue
                written += reminder_enqueue(registration, minutes_before=minutes)
    return written


def _events_soon(now: datetime, *, days: int) -> list[Event]:
    return list(
        Event.objects.filter(
            shared__status=Event.Status.PUBLISHED,
            shared__starts_at__gt=now,
            shared__starts_at__lte=now + timedelta(days=days),
        ).select_related("shared")
    )


# --- Hosts in a campaign -----------------------------------------------------------------------


@dataclass(frozen=True)
class HostedEventData:
    """What the host form says about the event and its host."""

    host: PersonData
    host_group: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue_name: str
    street_address: str
    city: str
    postal_code: str
    country: str
    capacity: int = 0
    online_url: str = ""


def event_host_submit(*, campaign: Campaign, data: HostedEventData) -> Event:
    """Record an event offered through a campaign's host form; it waits for approval.

    The host gets an email with their private management link at once.
    """
    from convoca.events.emails import host_email_enqueue

    with transaction.atomic():
        host = person_upsert(data=data.host).person
        place = EventShared(city=data.city, country=data.country)
        event_place_locate(event=place)
        event = event_create(
            language=campaign.language,
            title=data.title,
            slug=_unique_slug(Event, campaign.language, data.title),
            description=data.description,
            kind=Event.Kind.IN_PERSON,
            organisation=campaign.organisation,
            host_group=data.host_group,
            status=Event.Status.PENDING,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            time_zone=data.time_zone,
            venue_name=data.venue_name,
            street_address=data.street_address,
            city=data.city,
            postal_code=data.postal_code,
            country=data.country,
            latitude=place.latitude,
            longitude=place.longitude,
            capacity=data.capacity,
            online_url=data.online_url,
            campaign=campaign,
            host_person=host,
            reminder_minutes=[24 * 60, 60],
        )
        host_email_enqueue(event, "events/email/host_submitted")
    return event


def event_review(*, event: Event, approve: bool) -> None:
    """A coordinator approves a hosted event (it goes on the map) or turns it down."""
    from convoca.events.emails import host_email_enqueue

    if event.status != Event.Status.PENDING:
        return
    status = Event.Status.PUBLISHED if approve else Event.Status.REJECTED
    with transaction.atomic():
        event_save(event=event, shared={"status": status})
        host_email_enqueue(
            event, "events/email/host_approved" if approve else "events/email/host_rejected"
        )


def host_event_get(*, key: str) -> Event | None:
    """The event whose private management key this is."""
    if not key or len(key) > 64:
        return None
    return (
        Event.objects.select_related("shared__campaign", "shared__host_person")
        .filter(shared__host_key=key)
        .order_by("pk")
        .first()
    )


def host_message_send(*, event: Event, subject: str, body: str) -> HostMessage:
    """Email the host's message to every registrant (addresses stay hidden from the host)."""
    from convoca.events.emails import host_message_email_enqueue

    with transaction.atomic():
        _lock_group(event.translation_key)
        if event.host_messages.count() >= HOST_MESSAGES_PER_EVENT:
            raise HostMessageLimit(event)
        message = HostMessage.objects.create(event=event, subject=subject, body=body)
        registrations = Registration.objects.filter(
            translation_key=event.translation_key,
            status=Registration.Status.CONFIRMED,
            person__erased_at__isnull=True,
        ).select_related("person")
        message.recipients = sum(
            host_message_email_enqueue(message=message, registration=registration)
            for registration in registrations
        )
        message.save(update_fields=["recipients"])
    return message


# --- Personal data handlers (registered in apps.py) ---------------------------------------------


def registration_export_for_person(person: Person) -> list[dict]:
    return [
        {
            "event": r.event.title,
            "starts_at": r.event.starts_at.isoformat(),
            "registered_at": r.created_at.isoformat(),
            "status": r.status,
            "answers": json.loads(r.answers) if r.answers else {},
            "shares_contact_with_host": r.share_with_host,
            "attended": r.attended,
        }
        for r in Registration.objects.filter(person=person).select_related("event__shared")
    ]


def registration_erase_for_person(person: Person) -> None:
    """Forget the answers; give up places at events to come, so the wait list moves up."""
    Registration.objects.filter(person=person).update(answers="", share_with_host=False)
    upcoming = Registration.objects.filter(
        person=person,
        event__shared__starts_at__gt=timezone.now(),
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
    ).select_related("event")
    for registration in upcoming:
        registration_cancel(registration=registration)
    SeriesRegistration.objects.filter(person=person, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
