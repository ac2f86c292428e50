"""Every write to the supporter database goes through these functions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation

from convoca.core.crypto import email_index
from convoca.core.links import signed_link_read
from convoca.organisations.models import Organisation
from convoca.people.models import Activity, Consent, Person, PersonTag, Tag

logger = logging.getLogger(__name__)

DATA_ACCESS_SALT = "convoca.people.data-access"


@dataclass(frozen=True)
class PersonData:
    """What a form tells us about a person. Empty values mean "not given"."""

    email: str
    given_name: str = ""
    family_name: str = ""
    phone: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    language: str = ""

    UPDATABLE = (
        "given_name",
        "family_name",
        "phone",
        "street_address",
        "postal_code",
        "city",
        "country",
        "language",
    )


@dataclass(frozen=True)
class PersonUpsertResult:
    person: Person
    created: bool


def person_build(*, data: PersonData, index: str, confirmed: bool = False) -> Person:
    """A new, unsaved person from what a form or a file says (``index``: the email's)."""
    person = Person(
        email_index=index,
        email=data.email.strip(),
        language=data.language or settings.LANGUAGE_CODE,
        **{name: getattr(data, name) for name in PersonData.UPDATABLE if name != "language"},
    )
    if confirmed:
        person.email_confirmed_at = timezone.now()
    return person


def _person_merge(
    person: Person, data: PersonData, *, confirmed: bool, blanks_only: bool = False
) -> list[str]:
    """Apply the merge rules (see ``person_upsert``) to ``person``; return the fields changed."""
    may_replace = not blanks_only and (confirmed or person.email_confirmed_at is None)
    changed = []
    for name in PersonData.UPDATABLE:
        new = getattr(data, name)
        if new and (not getattr(person, name) or (may_replace and getattr(person, name) != new)):
            setattr(person, name, new)
            changed.append(name)
    if confirmed and person.email_confirmed_at is None:
        person.email_confirmed_at = timezone.now()
        changed.append("email_confirmed_at")
    return changed


def person_upsert(*, data: PersonData, confirmed: bool = False) -> PersonUpsertResult:
    """Find the person with this email, or create them; merge what the form says.

    ``people_upsert`` for one person: see there for the merge rules.
    """
    [result] = people_upsert(data=[data], confirmed=confirmed)
    return result


#: How often a batch is read again when another process created one of its people meanwhile.
UPSERT_ATTEMPTS = 3


def people_upsert(
    *, data: Sequence[PersonData], confirmed: bool = False, blanks_only: bool = False
) -> list[PersonUpsertResult]:
    """Find or create the person of each form, in order; merge what each form says.

    One query finds who is known and one INSERT creates who is not, so a
    batch of a hundred forms costs what one does. Merge rules, so that
    nobody can rewrite someone else's details by typing their email into
    a form:

    - a value given where none is stored is always kept;
    - a stored value is replaced only when the person has not confirmed
      their email yet, or this submission is itself confirmed (``confirmed``:
      it came through a link sent to that address, or from an organiser);
    - an empty value never erases a stored one.

    ``blanks_only``: only fill what is empty, never replace a stored value
    (an import: a file is no word from the person, and a second import of
    the same file must change nothing).

    The same address twice in a batch is one person, merged in order. When
    another process creates one of these people at the same moment, the
    batch is read again (in a savepoint of its own, so the caller's
    transaction goes on) and merges into that person instead.
    """
    indexes = [email_index(item.email) for item in data]
    for attempt in range(UPSERT_ATTEMPTS):
        try:
            with transaction.atomic():
                return _people_upsert(data, indexes, confirmed, blanks_only)
        except IntegrityError:
            if attempt == UPSERT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _people_by_index(indexes: set[str]) -> dict[str, Person]:
    """The known people among these email indexes, locked for the caller's transaction."""
    people = Person.objects.select_for_update().filter(email_index__in=indexes)
    return {person.email_index: person for person in people}


def _people_upsert(
    data: Sequence[PersonData], indexes: list[str], confirmed: bool, blanks_only: bool
) -> list[PersonUpsertResult]:
    known = _people_by_index(set(indexes))
    results, created, created_ids, changed = [], [], set(), {}
    for item, index in zip(data, indexes, strict=True):
        person = known.get(index)
        if person is None:
            person = known[index] = person_build(data=item, index=index, confirmed=confirmed)
            created.append(person)
            created_ids.add(person.pk)
            results.append(PersonUpsertResult(person=person, created=True))
            continue
        fields = _person_merge(person, item, confirmed=confirmed, blanks_only=blanks_only)
        if fields and person.pk not in created_ids:
            changed.setdefault(person.pk, (person, set()))[1].update(fields)
        results.append(PersonUpsertResult(person=person, created=False))
    Person.objects.bulk_create(created)
    for person, fields in changed.values():
        person.save(update_fields=[*sorted(fields), "updated_at"])
    return results


def person_confirm_email(*, person: Person) -> None:
    """Record that the person proved they read this address (clicked a link sent to it)."""
    if person.email_confirmed_at is None:
        person.email_confirmed_at = timezone.now()
        person.save(update_fields=["email_confirmed_at", "updated_at"])


def _subject_keys(subject: models.Model | None) -> dict[str, Any]:
    if subject is None:
        return {"subject_type": None, "subject_id": ""}
    return {
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": str(subject.pk),
    }


def consent_give(
    *,
    person: Person,
    purpose: str,
    wording: str,
    source: str,
    organisation: Organisation | None = None,
    subject: models.Model | None = None,
) -> Consent:
    """Record that the person gave this consent, unless it is already in force.

    ``wording`` is the sentence the person agreed to, in the language they
    read it, and ``source`` the form it came through: together they are the
    evidence a regulator would ask for.
    """
    return consent_give_many(
        people=[person],
        purpose=purpose,
        wording=wording,
        source=source,
        organisation=organisation,
        subject=subject,
    )[0]


def consent_give_many(
    *,
    people: Sequence[Person],
    purpose: str,
    wording: str,
    source: str,
    organisation: Organisation | None = None,
    subject: models.Model | None = None,
) -> list[Consent]:
    """``consent_give`` for several people at once (one read, one INSERT per table).

    Returns each person's consent in force, in the order of ``people``: the
    one they had, or the new one. New grants add a "gave consent" entry to
    the person's timeline.
    """
    keys = {"organisation": organisation, "purpose": purpose, **_subject_keys(subject)}
    wanted = (
        organisation.pk if organisation else None,
        purpose,
        keys["subject_type"].pk if keys["subject_type"] else None,
        keys["subject_id"],
    )
    # Read by person (a few rows each), then matched here: an organisation's
    # consents are many, and SQLite would scan them all for a batch.
    current = {
        consent.person_id: consent
        for consent in Consent.objects.filter(
            person__in=[person.pk for person in people], withdrawn_at__isnull=True
        ).order_by()
        if (consent.organisation_id, consent.purpose, consent.subject_type_id, consent.subject_id)
        == wanted
    }
    new = {}
    for person in people:
        if person.pk not in current and person.pk not in new:
            new[person.pk] = Consent(person=person, **keys, wording=wording, source=source)
    if new:
        Consent.objects.bulk_create(new.values())
        label = Consent.Purpose(purpose).label
        Activity.objects.bulk_create(
            Activity(
                person=consent.person,
                kind=Activity.Kind.CONSENT_GIVEN,
                organisation=organisation,
                summary=str(label),
            )
            for consent in new.values()
        )
    return [current.get(person.pk) or new[person.pk] for person in people]


_marketing_refusals: dict[str, Callable[[Organisation, list[str]], set[str]]] = {}


def marketing_refusal_register(
    key: str, *, refused: Callable[[Organisation, list[str]], set[str]]
) -> None:
    """Called from an app's ``ready()``: name addresses an organisation may not sign up again.

    ``refused(organisation, email_indexes)`` returns those of the indexes
    whose owner said no in that app (unsubscribed from the organisation's
    lists, an address suppressed for bulk mail). An import never gives
    them a consent, whatever its file says.
    """
    _marketing_refusals[key] = refused


def marketing_refused(*, organisation: Organisation, email_indexes: list[str]) -> set[str]:
    """Which of these addresses must not be given a consent to contact by an import.

    Those whose owner withdrew their consent to this organisation (and gave
    none since), and those a registered app refuses.
    """
    if not email_indexes:
        return set()
    from convoca.people.selectors import person_ids_by_email_index

    by_person = {pk: index for index, pk in person_ids_by_email_index(email_indexes).items()}
    in_force, withdrawn_from = set(), set()
    # Read by person, matched here (see ``consent_give_many``).
    for person_id, organisation_id, purpose, withdrawn_at in (
        Consent.objects.filter(person__in=list(by_person))
        .order_by()
        .values_list("person_id", "organisation_id", "purpose", "withdrawn_at")
    ):
        if organisation_id == organisation.pk and purpose == Consent.Purpose.CONTACT:
            (withdrawn_from if withdrawn_at else in_force).add(person_id)
    withdrawn = {by_person[person_id] for person_id in withdrawn_from - in_force}
    for refused in _marketing_refusals.values():
        withdrawn |= refused(organisation, email_indexes)
    return withdrawn


def consent_withdraw(
    *,
    person: Person,
    purpose: str,
    organisation: Organisation | None = None,
    subject: models.Model | None = None,
) -> int:
    """Withdraw a consent in force; return how many grants were withdrawn (0 or 1)."""
    count = Consent.objects.filter(
        person=person,
        organisation=organisation,
        purpose=purpose,
        withdrawn_at__isnull=True,
        **_subject_keys(subject),
    ).update(withdrawn_at=timezone.now())
    if count:
        Activity.objects.create(
            person=person,
            kind=Activity.Kind.CONSENT_WITHDRAWN,
            organisation=organisation,
            summary=str(Consent.Purpose(purpose).label),
        )
    return count


def activity_record(
    *,
    person: Person,
    kind: str,
    organisation: Organisation | None = None,
    summary: str = "",
    subject: models.Model | None = None,
) -> Activity:
    """Add one entry to the person's timeline. ``summary`` must hold no personal data."""
    [activity] = activities_record(
        [
            activity_build(
                person=person,
                kind=kind,
                organisation=organisation,
                summary=summary,
                subject=subject,
            )
        ]
    )
    return activity


def activity_build(
    *,
    person: Person,
    kind: str,
    organisation: Organisation | None = None,
    summary: str = "",
    subject: models.Model | None = None,
) -> Activity:
    """A timeline entry, unsaved, for ``activities_record``."""
    return Activity(
        person=person,
        kind=kind,
        organisation=organisation,
        summary=summary[:300],
        **_subject_keys(subject),
    )


def activities_record(activities: list[Activity]) -> list[Activity]:
    """Add these entries (``activity_build``) to their people's timelines, in one INSERT."""
    return Activity.objects.bulk_create(activities)


def person_save(*, person: Person) -> Person:
    """Save a coordinator's correction to a person's details.

    ``Person.save`` keeps the keyed lookups (email, city, postal code) in
    step with the encrypted values, whatever changed.
    """
    person.save()
    return person


def person_tag(*, person: Person, name: str, organisation: Organisation | None = None) -> Tag:
    """Put the organisation's tag called ``name`` on the person, creating the tag if needed."""
    tag = tag_get_or_create(name=name, organisation=organisation)
    person_tag_add(person=person, tag=tag)
    return tag


def person_tag_add(*, person: Person, tag: Tag) -> PersonTag:
    """Put ``tag`` on the person, once."""
    person_tag, _created = PersonTag.objects.get_or_create(person=person, tag=tag)
    return person_tag


def tag_save(*, tag: Tag) -> Tag:
    """Save a tag (its name, its organisation; a coalition tag has none)."""
    tag.full_clean()
    tag.save()
    return tag


def tag_delete(*, tag: Tag) -> None:
    """Delete a tag; the people who had it lose it."""
    tag.delete()


def tag_get_or_create(*, name: str, organisation: Organisation | None = None) -> Tag:
    """The organisation's tag called ``name`` (a coalition tag without one), made if missing."""
    tag, _ = Tag.objects.get_or_create(organisation=organisation, name=name.strip())
    return tag


def person_untag(*, person_tag: PersonTag) -> None:
    """Take a tag off a person."""
    person_tag.delete()


# --- Personal data across apps --------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataHandler:
    """How one app exports and erases what it holds about a person."""

    label: str
    export: Callable[[Person], Any]
    erase: Callable[[Person], None]


_handlers: dict[str, PersonalDataHandler] = {}


def personal_data_handler_register(
    key: str, *, label: str, export: Callable[[Person], Any], erase: Callable[[Person], None]
) -> None:
    """Called from an app's ``ready()``: include its data in exports and erasures."""
    _handlers[key] = PersonalDataHandler(label=label, export=export, erase=erase)


def outbox_export_for_person(person: Person) -> list[dict[str, Any]]:
    """The emails Convoca wrote to this person: what kind, when, and what became of them."""
    from convoca.core.models import OutboxEmail

    return [
        {
            "kind": row.kind,
            "status": row.status,
            "created_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        }
        for row in OutboxEmail.objects.filter(person_id=str(person.pk)).order_by("created_at")
    ]


def person_export(*, person: Person) -> dict[str, Any]:
    """Everything Convoca holds about one person, as JSON-friendly data."""

    def when(value):
        return value.isoformat() if value else None

    data: dict[str, Any] = {
        "person": {
            "id": str(person.id),
            "email": person.email,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "phone": person.phone,
            "street_address": person.street_address,
            "postal_code": person.postal_code,
            "city": person.city,
            "country": str(person.country.code or ""),
            "language": person.language,
            "email_confirmed_at": when(person.email_confirmed_at),
            "created_at": when(person.created_at),
        },
        "consents": [
            {
                "purpose": c.purpose,
                "organisation": c.organisation.name if c.organisation else None,
                "wording": c.wording,
                "source": c.source,
                "given_at": when(c.given_at),
                "withdrawn_at": when(c.withdrawn_at),
            }
            for c in person.consents.select_related("organisation").order_by("given_at")
        ],
        "activities": [
            {
                "kind": a.kind,
                "organisation": a.organisation.name if a.organisation else None,
                "summary": a.summary,
                "occurred_at": when(a.occurred_at),
            }
            for a in person.activities.select_related("organisation").order_by("occurred_at")
        ],
        "tags": [
            {"tag": pt.tag.name, "added_at": when(pt.added_at)}
            for pt in PersonTag.objects.filter(person=person).select_related("tag")
        ],
    }
    for key, handler in sorted(_handlers.items()):
        data[key] = handler.export(person)
    return data


def person_erase(*, person: Person) -> None:
    """Erase a person's personal data for good, keeping anonymous counts.

    The row stays (signatures, registrations and gifts still count) but
    loses its email, index, names, phone, address, city and postal code,
    its tags, and whatever other apps hold (their registered handlers).
    Country and language stay: alone, they identify nobody. The email can
    sign up again later as a new person.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.erased_at:
            return
        for handler in _handlers.values():
            handler.erase(person)
        PersonTag.objects.filter(person=person).delete()
        for name in Person.PERSONAL_FIELDS:
            setattr(person, name, "")
        person.email_index = None
        person.erased_at = timezone.now()
        person.save()
        Activity.objects.create(person=person, kind=Activity.Kind.ERASED)
    logger.info("person erased", extra={"person_id": str(person.pk)})


_retention_holds: dict[str, Callable[[], models.Q]] = {}


def unconfirmed_retention_hold_register(key: str, *, people: Callable[[], models.Q]) -> None:
    """Called from an app's ``ready()``: keep people it still serves out of the unconfirmed purge.

    ``people()`` is a ``Q`` on ``Person`` for people who never confirm an
    address by design but whose data the app still needs (the sender of an
    open contact message, the contact of an affiliation request under
    review); that app's own retention rule erases them later.
    """
    _retention_holds[key] = people


def person_purge_unconfirmed(*, now=None) -> int:
    """Erase people who never confirmed an address within the retention period."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CONVOCA_UNCONFIRMED_RETENTION_DAYS)
    unconfirmed = Person.objects.filter(
        email_confirmed_at__isnull=True, erased_at__isnull=True, created_at__lt=cutoff
    )
    for held in _retention_holds.values():
        unconfirmed = unconfirmed.exclude(held())
    ids = list(unconfirmed.values_list("pk", flat=True))
    for pk in ids:
        person_erase(person=Person(pk=pk))
    return len(ids)


# --- "See my data" links -----------------------------------------------------------------


def data_access_token_make(*, person: Person) -> str:
    return signing.dumps({"p": str(person.pk)}, salt=DATA_ACCESS_SALT, compress=True)


def data_access_token_read(token: str) -> Person | None:
    """The person a still-valid token was made for, or None if it is not one of ours.

    Raises ``core.links.LinkExpired`` for a genuine link older than its hour.
    """
    payload = signed_link_read(
        token, salt=DATA_ACCESS_SALT, max_age=settings.CONVOCA_DATA_LINK_MAX_AGE
    )
    if not isinstance(payload, dict):
        return None
    return Person.objects.filter(pk=payload.get("p"), erased_at__isnull=True).first()


def data_access_link_request(*, email: str, language: str) -> None:
    """Email a "see my data" link to this address if we hold data for it.

    Nothing tells the requester whether the address is known: the page they
    see is the same, and only the address's owner receives the link.
    """
    from convoca.core.mail import absolute_url
    from convoca.core.outbox import outbox_email_enqueue

    person = Person.objects.filter(email_index=email_index(email), erased_at__isnull=True).first()
    if person is None:
        return
    with translation.override(language):
        link = absolute_url(
            reverse("people:data-access", kwargs={"token": data_access_token_make(person=person)})
        )
    outbox_email_enqueue(
        kind="people.data_access",
        to=person.email,
        template="people/email/data_access",
        context={"person": person, "link": link},
        language=language,
        person_id=person.pk,
    )
