"""Every write about actions: signing, confirming, counting, endorsing, activating."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache, partial
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from convoca.actions.models import (
    Action,
    CountryTally,
    Endorsement,
    PledgeActivation,
    Signature,
    SignatureIntake,
    Tally,
)
from convoca.actions.routers import intake_database
from convoca.actions.signals import signature_confirmed
from convoca.coalition.models import Organisation
from convoca.core import crypto
from convoca.core.caching import public_page_scope_changed
from convoca.core.crypto import email_index
from convoca.core.images import image_clean
from convoca.core.links import signed_link_read
from convoca.people.models import Activity, Consent, Person
from convoca.people.selectors import person_get_by_email
from convoca.people.services import (
    PersonData,
    activity_record,
    consent_give,
    person_upsert,
)

logger = logging.getLogger(__name__)

CONFIRM_SALT = "convoca.actions.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 30


class ActionClosed(Exception):
    """The action does not take signatures now."""


@dataclass(frozen=True)
class EndorsementData:
    name: str
    country: str
    website: str = ""
    logo: Any = None


@dataclass(frozen=True)
class SignatureData:
    """What a signing form gives us, already validated."""

    person: PersonData
    organisation_name: str = ""
    role: str = ""
    comment: str = ""
    members_represented: int | None = None
    visibility: str = Signature.Visibility.HIDDEN
    source: str = ""
    #: Organisations the signer agreed may contact them, with the wording shown.
    consents: dict[int, str] = field(default_factory=dict)
    #: The form the signature came through, for the consent records.
    form: str = ""
    endorsement: EndorsementData | None = None


@dataclass(frozen=True)
class SignatureResult:
    signature: Signature
    created: bool


ACTIVITY_KIND = {
    Action.Kind.APPEAL: Activity.Kind.SIGNED,
    Action.Kind.LETTER: Activity.Kind.SIGNED,
    Action.Kind.ENDORSEMENT: Activity.Kind.ENDORSED,
    Action.Kind.PLEDGE: Activity.Kind.PLEDGED,
    Action.Kind.TARGETED: Activity.Kind.SIGNED,
}


def next_goal(count: int) -> int:
    """The next round goal above ``count``: 100, 250, 500, 1,000, 2,500, 5,000, ..."""
    scale = 100
    while True:
        for step in (1, 2.5, 5):
            if int(step * scale) > count:
                return int(step * scale)
        scale *= 10


def signature_create(
    *,
    action: Action,
    data: SignatureData,
    accepted: bool = False,
    confirmations: list[str] | None = None,
) -> SignatureResult:
    """Record a signature on an open action, once per person whatever the language.

    A second submission with the same email returns the first signature,
    unchanged: a double-click, a retried request or a second visit is not
    counted twice, and the visitor sees the same page either way, so the
    form cannot tell anyone whether an address had signed. Consents ticked
    are recorded every time. The confirmation email is written to the outbox
    with it.
    ``accepted``: the form was taken while the action was open (an intake),
    so a close since then does not refuse it. ``confirmations``: a list
    the caller enqueues the emails from (the id is added to it) instead.
    """
    if not (accepted or action.is_open):
        raise ActionClosed(action)
    with transaction.atomic():
        upserted = person_upsert(data=data.person)
        person = upserted.person
        fields = _signature_fields(action, data)
        if upserted.created:
            # A person created a moment ago has signed nothing: no lookup needed.
            signature = Signature.objects.create(
                translation_key=action.translation_key, person=person, **fields
            )
            created = True
        else:
            signature, created = Signature.objects.get_or_create(
                translation_key=action.translation_key, person=person, defaults=fields
            )
        if created:
            activity_record(
                person=person,
                kind=ACTIVITY_KIND[action.kind],
                organisation=action.organisation,
                summary=action.title,
                subject=action,
            )
            if data.endorsement:
                _endorsement_create(signature=signature, data=data.endorsement)
            if action.count_on_submit:
                _tally_add(signature)
        _consents_give(person, data)
        if signature.confirmed_at is None and confirmations is not None:
            confirmations.append(str(signature.pk))
        elif signature.confirmed_at is None:
            from convoca.actions.emails import signature_confirmation_emails_enqueue

            signature_confirmation_emails_enqueue(signature_ids=[str(signature.pk)])
    return SignatureResult(signature=signature, created=created)


def signature_intake_create(*, action: Action, data: SignatureData) -> None:
    """Accept a signing form in one INSERT; the signature is recorded moments later.

    This is what the signing page calls: the visitor is answered as soon as
    the form is safely stored, and ``signature_intake_process`` does the
    rest in the background (see docs/architecture.md). Endorsements, which
    carry an uploaded logo, are recorded at once.
    """
    if not action.is_open:
        raise ActionClosed(action)
    if data.endorsement is not None:
        signature_create(action=action, data=data)
        return
    # Only what was given: the rest is the dataclasses' defaults when read back.
    payload = {
        "person": {k: v for k, v in vars(data.person).items() if v not in _EMPTY},
        **{k: v for k in _INTAKE_FIELDS if (v := getattr(data, k)) not in _EMPTY},
        "consents": {str(k): v for k, v in data.consents.items()},
    }
    _intake_insert(action_id=action.pk, payload=json.dumps(payload))
    _intake_drain_soon()


_EMPTY = ("", None)
_INTAKE_FIELDS = (
    "organisation_name",
    "role",
    "comment",
    "members_represented",
    "visibility",
    "source",
    "form",
)


def _intake_insert(*, action_id: int, payload: str) -> None:
    """``SignatureIntake.objects.create``, as one plain INSERT without the ORM's work.

    The values go through the model fields' own conversions, and the payload
    is encrypted with the associated data its field uses to decrypt it. In
    autocommit this commits at once; inside a transaction, with it.
    """
    meta = SignatureIntake._meta
    pk = uuid.uuid4()
    payload_field = meta.get_field("payload")
    token = crypto.encrypt(
        payload, associated_data=payload_field.associated_data(SimpleNamespace(pk=pk))
    )
    intakes = connections[intake_database()]
    with intakes.cursor() as cursor:
        cursor.execute(
            _intake_sql(intakes.alias),
            [
                pk if intakes.features.has_native_uuid_field else pk.hex,  # as UUIDField
                action_id,
                token,
                intakes.ops.adapt_datetimefield_value(timezone.now()),  # as DateTimeField
            ],
        )


@lru_cache(maxsize=4)
def _intake_sql(alias: str) -> str:
    """The INSERT for the database of this alias."""
    quote = connections[alias].ops.quote_name
    meta = SignatureIntake._meta
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("id", "action", "payload", "created_at")
    )
    # Names from the model, quoted by the backend; the values are parameters.
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)"  # noqa: S608


_drain_asked_at = 0.0


def intake_drain_debounce_reset() -> None:
    global _drain_asked_at
    _drain_asked_at = 0.0


def _intake_drain_soon() -> None:
    """Ask a worker to record the intakes, at most once every few seconds per process."""
    from convoca.actions.tasks import signature_intake_process_task

    global _drain_asked_at
    debounce = settings.CONVOCA_INTAKE_DEBOUNCE_SECONDS
    if debounce:
        now = time.monotonic()
        if now - _drain_asked_at < debounce:
            return  # this process asked a moment ago: no need to ask the cache
        _drain_asked_at = now
        if not cache.add("actions:intake-drain", 1, timeout=debounce):
            return
    transaction.on_commit(signature_intake_process_task.enqueue)


def signature_intake_process(*, batch: int | None = None, limit: int = 5000) -> int:
    """Record pending intakes as people and signatures; return how many were done.

    Intakes are taken ``batch`` at a time, in one transaction, and deleted
    in it: a crash leaves them to be done again, and doing one again
    changes nothing (``signature_create`` is idempotent). In a batch, the
    common case (an address not seen before, once in the batch) is written
    with one INSERT per table for the whole batch; any other intake (a
    known address, the same address twice, or when the bulk write meets a
    person created meanwhile) goes through ``signature_create`` in a
    savepoint of its own. The confirmation emails of a batch are written to
    the outbox in its transaction.
    On SQLite a batch holds the database's one write lock, which the web
    processes' INSERTs wait for: ``batch`` is smaller there by default, so
    each wait is short. Several workers may run at once: on PostgreSQL each
    skips the rows another has locked.
    """
    if batch is None:
        batch = 25 if connection.vendor == "sqlite" else 100
    done = 0
    alias = intake_database()
    together = alias == connection.alias  # intakes beside the signatures (PostgreSQL)
    waiting = SignatureIntake.objects.order_by("created_at")
    if together:
        skip_locked = connection.features.has_select_for_update_skip_locked
        waiting = waiting.select_for_update(skip_locked=skip_locked)
    while done < limit:
        with transaction.atomic():
            intakes = list(waiting[: min(batch, limit - done)])
            if not intakes:
                break
            recorded = _intakes_record(intakes)
            if together:
                _intakes_delete(recorded)
        if not together:
            # After the signatures are committed: a crash in between leaves the
            # intakes to be recorded again, which changes nothing.
            _intakes_delete(recorded)
        done += len(recorded)
        if len(intakes) < batch or not recorded:
            break  # all taken, or only rows that keep failing are left
    return done


def _intakes_delete(intakes: list[SignatureIntake]) -> None:
    SignatureIntake.objects.filter(pk__in=[intake.pk for intake in intakes]).delete()


def _intakes_record(intakes: list[SignatureIntake]) -> list[SignatureIntake]:
    """Record a batch of intakes inside the caller's transaction; return those done.

    The intakes of an action deleted meanwhile are done: there is nothing
    left to sign.
    """
    actions = Action.objects.select_related("organisation").in_bulk(
        {intake.action_id for intake in intakes}
    )
    parsed: list[tuple[SignatureIntake, SignatureData]] = []
    gone = [intake for intake in intakes if intake.action_id not in actions]
    for intake in intakes:
        if intake.action_id not in actions:
            continue
        try:
            payload = json.loads(intake.payload)
            parsed.append(
                (
                    intake,
                    SignatureData(
                        person=PersonData(**payload.pop("person")),
                        consents={int(k): v for k, v in payload.pop("consents").items()},
                        **payload,
                    ),
                )
            )
        except Exception:
            # The row stays for an operator to see (never logged: personal data).
            logger.exception("signature intake %s could not be read", intake.pk)
    confirmations: list[str] = []
    done: list[SignatureIntake] = []
    one_by_one = parsed
    try:
        with transaction.atomic():
            one_by_one = _intakes_record_new_people(parsed, actions, confirmations, done)
    except IntegrityError:
        # Someone created one of these people meanwhile: take them one by one.
        confirmations.clear()
        done.clear()
        one_by_one = parsed
    for intake, data in one_by_one:
        try:
            with transaction.atomic():
                signature_create(
                    action=actions[intake.action_id],
                    data=data,
                    accepted=True,
                    confirmations=confirmations,
                )
        except Exception:
            logger.exception("signature intake %s could not be recorded", intake.pk)
            continue
        done.append(intake)
    _confirmations_enqueue(confirmations)
    return done + gone


def _intakes_record_new_people(
    parsed: list[tuple[SignatureIntake, SignatureData]],
    actions: dict[int, Action],
    confirmations: list[str],
    done: list[SignatureIntake],
) -> list[tuple[SignatureIntake, SignatureData]]:
    """Write the intakes from addresses not known yet in bulk; return the others.

    What ``signature_create`` does for a person it has just created, for
    many at once: the person, the signature, the timeline entry, the
    consents, the count, and the confirmation email to ask for.
    """
    indexes = [email_index(data.person.email) for _intake, data in parsed]
    known = _people_known(indexes)
    seen: set[str] = set()
    fresh, others = [], []
    for (intake, data), index in zip(parsed, indexes, strict=True):
        if index in known or index in seen or data.endorsement is not None:
            others.append((intake, data))
        else:
            seen.add(index)
            fresh.append((intake, data, index))
    if not fresh:
        return others
    people, signatures, activities = [], [], []
    for intake, data, index in fresh:
        action = actions[intake.action_id]
        person = Person(
            email_index=index,
            email=data.person.email.strip(),
            language=data.person.language or settings.LANGUAGE_CODE,
            **{
                name: getattr(data.person, name)
                for name in PersonData.UPDATABLE
                if name != "language"
            },
        )
        people.append(person)
        signatures.append(
            Signature(
                translation_key=action.translation_key,
                person=person,
                **_signature_fields(action, data),
            )
        )
        activities.append(_activity(person, action))
    Person.objects.bulk_create(people)
    Signature.objects.bulk_create(signatures)
    Activity.objects.bulk_create(activities)
    for (intake, data, _index), signature in zip(fresh, signatures, strict=True):
        _consents_give(signature.person, data)
        if actions[intake.action_id].count_on_submit:
            _tally_add(signature)
        confirmations.append(str(signature.pk))
        done.append(intake)
    return others


def _people_known(indexes: list[str]) -> set[str]:
    """Which of these email indexes belong to a person already."""
    return set(
        Person.objects.filter(email_index__in=set(indexes)).values_list("email_index", flat=True)
    )


def _signature_fields(action: Action, data: SignatureData) -> dict:
    return {
        "action": action,
        "organisation_name": data.organisation_name,
        "role": data.role,
        "comment": data.comment,
        "members_represented": data.members_represented,
        "country": data.person.country,
        "visibility": data.visibility,
        "source": data.source,
    }


def _activity(person: Person, action: Action) -> Activity:
    """The timeline entry ``activity_record`` writes for a signature, unsaved."""
    return Activity(
        person=person,
        kind=ACTIVITY_KIND[action.kind],
        organisation=action.organisation,
        summary=action.title[:300],
        subject_type=ContentType.objects.get_for_model(action),
        subject_id=str(action.pk),
    )


def _consents_give(person: Person, data: SignatureData) -> None:
    if not data.consents:
        return
    organisations = Organisation.objects.in_bulk(list(data.consents))
    for organisation_id, wording in data.consents.items():
        if organisation_id in organisations:
            consent_give(
                person=person,
                organisation=organisations[organisation_id],
                purpose=Consent.Purpose.CONTACT,
                wording=wording,
                source=data.form,
            )


def _confirmations_enqueue(signature_ids: list[str]) -> None:
    """Write the confirmation emails of these signatures to the outbox, in this transaction."""
    if signature_ids:
        from convoca.actions.emails import signature_confirmation_emails_enqueue

        signature_confirmation_emails_enqueue(signature_ids=signature_ids)


def _endorsement_create(*, signature: Signature, data: EndorsementData) -> Endorsement:
    endorsement = Endorsement(
        signature=signature, name=data.name, country=data.country, website=data.website
    )
    if data.logo:
        endorsement.logo.save(f"{signature.pk}.png", image_clean(data.logo), save=False)
    endorsement.save()
    return endorsement


def _tally_add(signature: Signature) -> None:
    """Count a signature once: flip ``counted`` and bump the maintained aggregates."""
    if not Signature.objects.filter(pk=signature.pk, counted=False).update(counted=True):
        return
    key = signature.translation_key
    action = signature.action
    tally, _ = Tally.objects.get_or_create(translation_key=key, defaults={"goal": action.goal})
    Tally.objects.filter(pk=key).update(
        count=F("count") + 1,
        members_represented=F("members_represented") + (signature.members_represented or 0),
    )
    CountryTally.objects.get_or_create(translation_key=key, country=signature.country)
    CountryTally.objects.filter(translation_key=key, country=signature.country).update(
        count=F("count") + 1
    )
    tally.refresh_from_db()
    if tally.goal and tally.count >= tally.goal:
        Tally.objects.filter(pk=key, goal=tally.goal).update(goal=next_goal(tally.count))
    signature.counted = True
    # This process's cached action pages show the new count at once; the others
    # within a second (core.caching.public_page_scope).
    transaction.on_commit(partial(public_page_scope_changed, "action", key))


def signature_confirm_token_make(*, signature: Signature) -> str:
    return signing.dumps(str(signature.pk), salt=CONFIRM_SALT)


def signature_confirm_token_read(token: str) -> Signature | None:
    """The signature a confirmation link names; None if the link is not one of ours.

    Raises ``core.links.LinkExpired`` for a genuine link older than 30 days.
    """
    signature_id = signed_link_read(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if signature_id is None:
        return None
    return (
        Signature.objects.select_related("action", "person")
        .filter(pk=signature_id, purged_at__isnull=True, person__erased_at__isnull=True)
        .first()
    )


def signature_confirmation_resend(*, email: str, language: str = "") -> None:
    """Send a fresh confirmation link for this address's newest unconfirmed signature.

    Does nothing for an address with nothing to confirm; the caller answers
    the same either way. Asked for by hand, the link may leave a minute
    after the last one (not a day, as automatic ones).
    """
    person = person_get_by_email(email)
    if person is None:
        return
    newest = (
        Signature.objects.filter(person=person, confirmed_at__isnull=True, purged_at__isnull=True)
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if newest is None:
        return
    from convoca.actions.emails import signature_confirmation_emails_enqueue

    with transaction.atomic():
        signature_confirmation_emails_enqueue(signature_ids=[str(newest)], resend=True)


def signature_confirm(*, signature: Signature) -> None:
    """Confirm the signer's address and count the signature, once."""
    with transaction.atomic():
        updated = Signature.objects.filter(pk=signature.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        if updated:
            person = signature.person
            if person.email_confirmed_at is None:
                Person.objects.filter(pk=person.pk, email_confirmed_at__isnull=True).update(
                    email_confirmed_at=timezone.now()
                )
            _tally_add(signature)
            _news_subscriptions_add(signature)
            # Other apps act on a confirmation in this transaction (letters: delivery).
            signature_confirmed.send(sender=Signature, signature=signature)


def _news_subscriptions_add(signature: Signature) -> None:
    """Put the signer on the news list of each organisation whose box they ticked on this form.

    Runs when the address is confirmed: the confirmation link is the double
    opt-in, so the lists need no second one.
    """
    from convoca.mailings.services import subscription_add_from_consent

    action = signature.action
    forms = [
        f"actions:{slug}"
        for slug in Action.objects.filter(translation_key=action.translation_key).values_list(
            "slug", flat=True
        )
    ]
    person = Person.objects.get(pk=signature.person_id)
    consents = Consent.objects.filter(
        person=person,
        purpose=Consent.Purpose.CONTACT,
        withdrawn_at__isnull=True,
        organisation__isnull=False,
        source__in=forms,
    ).select_related("organisation")
    for organisation in {consent.organisation for consent in consents}:
        subscription_add_from_consent(
            organisation=organisation,
            person=person,
            language=person.language or action.language,
            source=f"actions:{action.slug}",
        )


def endorsement_review(*, endorsement: Endorsement, approve: bool) -> None:
    """Approve an organisation's endorsement (listed publicly) or reject it."""
    endorsement.status = Endorsement.Status.APPROVED if approve else Endorsement.Status.REJECTED
    endorsement.reviewed_at = timezone.now()
    endorsement.save(update_fields=["status", "reviewed_at", "updated_at"])


def signature_purge_unconfirmed(*, now=None) -> int:
    """Remove what unconfirmed signers added, after the retention period; keep the count."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CONVOCA_UNCONFIRMED_RETENTION_DAYS)
    stale = Signature.objects.filter(
        confirmed_at__isnull=True, purged_at__isnull=True, created_at__lt=cutoff
    )
    count = 0
    for signature in stale.iterator():
        _signature_strip(signature)
        count += 1
    return count


def _signature_strip(signature: Signature) -> None:
    signature.organisation_name = signature.role = signature.comment = ""
    signature.visibility = Signature.Visibility.HIDDEN
    signature.featured = False
    signature.purged_at = timezone.now()
    signature.save()
    Endorsement.objects.filter(signature=signature).update(website="")


# --- Personal data handlers (registered in apps.py) ----------------------------------------


def signature_export_for_person(person: Person) -> list[dict]:
    return [
        {
            "action": s.action.title,
            "signed_at": s.created_at.isoformat(),
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            "organisation": s.organisation_name,
            "role": s.role,
            "comment": s.comment,
            "members_represented": s.members_represented,
            "appears_as": s.visibility,
            "source": s.source,
        }
        for s in Signature.objects.filter(person=person).select_related("action")
    ]


def signature_erase_for_person(person: Person) -> None:
    for signature in Signature.objects.filter(person=person):
        _signature_strip(signature)


# --- Pledges -------------------------------------------------------------------------------


def pledge_activate(
    *, action: Action, subjects: dict[str, str], bodies: dict[str, str], user
) -> PledgeActivation:
    """Record that the pledge's trigger happened and email every confirmed pledger.

    The emails are written to the outbox in the same transaction, one per
    pledger (a dedupe key each), so nobody is emailed twice.
    """
    from convoca.actions.emails import pledge_activation_emails_enqueue

    if not action.is_pledge:
        raise ValueError("only a pledge can be activated")
    with transaction.atomic():
        activation = PledgeActivation.objects.create(
            action=action,
            translation_key=action.translation_key,
            subject_en=subjects["en"],
            body_en=bodies["en"],
            subject_es=subjects["es"],
            body_es=bodies["es"],
            activated_by=user,
        )
        activation.recipients = pledge_activation_emails_enqueue(activation=activation)
        activation.save(update_fields=["recipients"])
    return activation
