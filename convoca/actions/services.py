"""Every write about actions: signing, confirming, counting, endorsing, activating."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from convoca.actions.models import (
    ACTION_SHARED_FIELDS,
    Action,
    ActionShared,
    CountryTally,
    Endorsement,
    PledgeActivation,
    PledgeQuestion,
    Signature,
    SignatureIntake,
    Tally,
)
from convoca.actions.routers import intake_database
from convoca.actions.signals import signature_confirmed
from convoca.core import sealing
from convoca.core.audit import audit_record
from convoca.core.caching import public_page_scope_changed, public_pages_invalidate
from convoca.core.images import image_clean
from convoca.core.links import signed_link_read
from convoca.core.translatable import language_texts_save
from convoca.organisations.models import Organisation
from convoca.people.models import Activity, Consent, Person
from convoca.people.selectors import person_get_by_email
from convoca.people.services import (
    PersonData,
    PersonUpsertResult,
    activities_record,
    activity_build,
    consent_give_many,
    people_upsert,
)

logger = logging.getLogger(__name__)

CONFIRM_SALT = "convoca.actions.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 30


class ActionClosed(Exception):
    """The action does not take signatures now."""


class PledgeKeyMissing(Exception):
    """A pledge asks a sensitive question, and its organisation has no public key to seal it."""


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
    #: Answers to a pledge's questions by question id, the sensitive ones
    #: already sealed (``pledge_answers_seal``): nothing here is ever plain.
    answers: dict[str, str] = field(default_factory=dict)


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


def action_create(
    *, translation_of: Action | None = None, co_sponsors=None, **fields: Any
) -> Action:
    """Create a language version of an action: a new action, or another language of one.

    ``fields`` are the version's texts (``language``, ``title``, ``slug``...)
    and, for a new action, what every version shares (``organisation``,
    ``status``, ``goal``...). A version made ``translation_of`` another joins
    that action: it shares its status, dates, goal and count, and giving
    any of those here is an error.
    """
    shared_fields = {
        name: fields.pop(name) for name in list(fields) if name in ACTION_SHARED_FIELDS
    }
    with transaction.atomic():
        if translation_of is not None:
            if shared_fields or co_sponsors is not None:
                raise ValueError(
                    f"{sorted(shared_fields)} belong to the action, not to one of its versions"
                )
            shared = translation_of.shared
        else:
            shared = ActionShared.objects.create(**shared_fields)
            if co_sponsors is not None:
                shared.co_sponsors.set(co_sponsors)
        action = Action.objects.create(shared=shared, **fields)
    _action_changed()
    return action


def action_save(
    *,
    action: Action,
    shared: dict[str, Any] | None = None,
    translation_of: Action | None = None,
) -> Action:
    """Save a version's texts and what every version of it shares, in one transaction.

    ``action`` carries its texts as the caller set them; ``shared`` names
    what changes for every version (``status``, ``goal``, ``co_sponsors``...).
    A new ``action`` with ``translation_of`` joins that action, keeping its
    shared values (``shared`` is then ignored). A changed goal is the count's
    current goal at once, in every language.
    """
    shared = dict(shared or {})
    co_sponsors = shared.pop("co_sponsors", None)
    unknown = set(shared) - set(ACTION_SHARED_FIELDS)
    if unknown:
        raise ValueError(f"not shared by an action's versions: {sorted(unknown)}")
    with transaction.atomic():
        if translation_of is not None and translation_of.shared_id != action.shared_id:
            action.shared = ActionShared.objects.get(pk=translation_of.shared_id)
        else:
            row = (
                ActionShared.objects.select_for_update().get(pk=action.shared_id)
                if action.shared_id and ActionShared.objects.filter(pk=action.shared_id).exists()
                else ActionShared()
            )
            goal_before = row.goal if row.pk and not row._state.adding else None
            for name, value in shared.items():
                setattr(row, name, value)
            row.save()
            if co_sponsors is not None:
                row.co_sponsors.set(co_sponsors)
            if goal_before is not None and row.goal != goal_before:
                Tally.objects.filter(pk=row.pk).update(goal=row.goal)
            action.shared = row
        action.save()
    _action_changed()
    return action


def action_close(*, action: Action | ActionShared) -> None:
    """Stop every language version of an action taking signatures."""
    _action_status_set(action=action, status=ActionShared.Status.CLOSED)


def action_reopen(*, action: Action | ActionShared) -> None:
    """Take signatures again, in every language version of an action."""
    _action_status_set(action=action, status=ActionShared.Status.OPEN)


def action_goal_set(*, action: Action | ActionShared, goal: int) -> None:
    """Set the goal of every language version of an action; the count aims at it at once."""
    key = action.translation_key
    with transaction.atomic():
        ActionShared.objects.filter(pk=key).update(goal=goal, updated_at=timezone.now())
        Tally.objects.filter(pk=key).update(goal=goal)
    _action_refresh(action)
    _action_changed()


def _action_status_set(*, action: Action | ActionShared, status: str) -> None:
    ActionShared.objects.filter(pk=action.translation_key).update(
        status=status, updated_at=timezone.now()
    )
    _action_refresh(action)
    _action_changed()


def _action_refresh(action: Action | ActionShared) -> None:
    if isinstance(action, Action):
        action.shared.refresh_from_db()
    else:
        action.refresh_from_db()


def _action_changed() -> None:
    """Public pages and this process's signing cache show the change once it commits."""
    from convoca.actions.selectors import action_signing_cache_clear

    transaction.on_commit(public_pages_invalidate)
    transaction.on_commit(action_signing_cache_clear)


def signature_create(
    *,
    action: Action,
    data: SignatureData,
    accepted: bool = False,
    confirmed_elsewhere: bool = False,
) -> SignatureResult:
    """Record a signature on an open action: ``signatures_create`` for one form."""
    [result] = signatures_create(
        forms=[(action, data)], accepted=accepted, confirmed_elsewhere=confirmed_elsewhere
    )
    return result


def signatures_create(
    *,
    forms: list[tuple[Action, SignatureData]],
    accepted: bool = False,
    confirmed_elsewhere: bool = False,
) -> list[SignatureResult]:
    """Record signatures, once per person and action whatever the language; one per form.

    The one way a signature is recorded, whether one form arrives (an
    organiser, the API, an endorsement) or a batch (the intake): a batch
    finds and creates its people, signatures and timeline entries in one
    query each. A second submission with the same email returns the first
    signature, unchanged: a double-click, a retried request or a second
    visit is not counted twice, and the visitor sees the same page either
    way, so the form cannot tell anyone whether an address had signed.
    Consents ticked are recorded every time. The confirmation emails are
    written to the outbox in the same transaction.
    ``accepted``: the forms were taken while their actions were open (the
    intake), so a close since then does not refuse them.
    ``confirmed_elsewhere``: another system already confirmed these signers'
    addresses (an API client says so): no email is written, and each
    signature is confirmed and counted at once (``signature_confirm``).
    """
    if not accepted:
        for action, _data in forms:
            if not action.is_open:
                raise ActionClosed(action)
    with transaction.atomic():
        people = people_upsert(data=[data.person for _action, data in forms])
        signed = _signatures_existing(forms, people)
        results, created = [], []
        for (action, data), upserted in zip(forms, people, strict=True):
            key = (action.translation_key, upserted.person.pk)
            signature = signed.get(key)
            is_new = signature is None
            if is_new:
                signature = signed[key] = Signature(
                    translation_key=action.translation_key,
                    person=upserted.person,
                    counted=action.count_on_submit,  # counted below, in this transaction
                    **_signature_fields(action, data),
                )
                created.append((signature, action, data))
            results.append(SignatureResult(signature=signature, created=is_new))
        Signature.objects.bulk_create([signature for signature, _a, _d in created])
        activities_record(
            [
                activity_build(
                    person=signature.person,
                    kind=ACTIVITY_KIND[action.kind],
                    organisation=action.organisation,
                    summary=action.title,
                    subject=action,
                )
                for signature, action, _data in created
            ]
        )
        for signature, _action, data in created:
            if data.endorsement:
                _endorsement_create(signature=signature, data=data.endorsement)
        _tallies_add([signature for signature, action, _d in created if action.count_on_submit])
        _consents_give(
            [
                (upserted.person, data)
                for (_action, data), upserted in zip(forms, people, strict=True)
            ]
        )
        waiting = [result.signature for result in results if result.signature.confirmed_at is None]
        if confirmed_elsewhere:
            for signature in waiting:
                signature_confirm(signature=signature)
        else:
            from convoca.actions.emails import signature_confirmation_emails_enqueue

            signature_confirmation_emails_enqueue(signatures=waiting)
    return results


def _signatures_existing(
    forms: list[tuple[Action, SignatureData]], people: list[PersonUpsertResult]
) -> dict[tuple[str, Any], Signature]:
    """The signatures the known people of these forms already gave, by (action key, person)."""
    known = {upserted.person.pk: upserted.person for upserted in people if not upserted.created}
    if not known:
        return {}  # people created a moment ago have signed nothing
    signatures = Signature.objects.select_related("action").filter(
        person__in=list(known), translation_key__in={action.translation_key for action, _d in forms}
    )
    existing = {}
    for signature in signatures:
        signature.person = known[signature.person_id]
        existing[(signature.translation_key, signature.person_id)] = signature
    return existing


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
    "answers",
    "organisation_name",
    "role",
    "comment",
    "members_represented",
    "visibility",
    "source",
    "form",
)


def _intake_insert(*, action_id: int, payload: str) -> None:
    """Store a form to be recorded; in autocommit this commits at once."""
    SignatureIntake.objects.create(action_id=action_id, payload=payload)


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


def signature_intake_process(*, batch: int = 100, limit: int = 5000) -> int:
    """Record pending intakes through ``signatures_create``; return how many were done.

    Intakes are taken ``batch`` at a time, in one transaction, and deleted
    in it: a crash leaves them to be done again, and doing one again
    changes nothing (``signatures_create`` is idempotent). A batch is
    recorded in one call; if that fails (a form no longer valid), its forms
    are recorded one by one, so one bad form holds up no other.
    On SQLite a batch holds the database's one write lock (about 70 ms for
    100 forms); the web processes' INSERTs go to the intake file and do not
    wait for it. A batch of 25 cost a third more per form (measured,
    docs/benchmarks.md). Several workers may run at once: on PostgreSQL
    each skips the rows another has locked.
    """
    done = 0
    alias = intake_database()
    together = alias == connection.alias  # intakes beside the signatures (PostgreSQL)
    while done < limit:
        with transaction.atomic():
            if together:
                waiting = SignatureIntake.objects.order_by("created_at").select_for_update(
                    skip_locked=connection.features.has_select_for_update_skip_locked
                )
                intakes = list(waiting[: min(batch, limit - done)])
            else:
                intakes = _intakes_claim(min(batch, limit - done))
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


#: How long a worker's claim on intakes holds before another worker may take them (it died).
INTAKE_CLAIM_LEASE = timedelta(minutes=5)


def _intakes_claim(size: int) -> list[SignatureIntake]:
    """Take up to ``size`` waiting intakes for this worker alone, where rows cannot be locked.

    One conditional UPDATE marks them (SQLite runs it under the file's write
    lock, for a moment), so two workers never record the same forms; a
    claim older than the lease is taken over.
    """
    claim, now = uuid.uuid4(), timezone.now()
    free = Q(claim__isnull=True) | Q(claimed_at__lt=now - INTAKE_CLAIM_LEASE)
    ids = list(
        SignatureIntake.objects.filter(free)
        .order_by("created_at")
        .values_list("pk", flat=True)[:size]
    )
    if ids:
        SignatureIntake.objects.filter(free, pk__in=ids).update(claim=claim, claimed_at=now)
    return list(SignatureIntake.objects.filter(claim=claim).order_by("created_at"))


def _intakes_delete(intakes: list[SignatureIntake]) -> None:
    SignatureIntake.objects.filter(pk__in=[intake.pk for intake in intakes]).delete()


def _intakes_record(intakes: list[SignatureIntake]) -> list[SignatureIntake]:
    """Record a batch of intakes inside the caller's transaction; return those done.

    The intakes of an action deleted meanwhile are done: there is nothing
    left to sign. An intake that cannot be read or recorded stays for an
    operator to see (never logged: personal data).
    """
    actions = Action.objects.select_related("shared__organisation").in_bulk(
        {intake.action_id for intake in intakes}
    )
    gone = [intake for intake in intakes if intake.action_id not in actions]
    parsed: list[tuple[SignatureIntake, SignatureData]] = []
    for intake in intakes:
        if intake.action_id in actions:
            try:
                parsed.append((intake, _intake_data(intake)))
            except Exception:
                logger.exception("signature intake %s could not be read", intake.pk)
    try:
        with transaction.atomic():
            signatures_create(
                forms=[(actions[intake.action_id], data) for intake, data in parsed],
                accepted=True,
            )
        return [intake for intake, _data in parsed] + gone
    except Exception:
        logger.warning("a batch of signature intakes failed: recording them one by one")
    done = []
    for intake, data in parsed:
        try:
            with transaction.atomic():
                signature_create(action=actions[intake.action_id], data=data, accepted=True)
        except Exception:
            logger.exception("signature intake %s could not be recorded", intake.pk)
            continue
        done.append(intake)
    return done + gone


def _intake_data(intake: SignatureIntake) -> SignatureData:
    """The form an intake holds, as ``signature_intake_create`` wrote it."""
    payload = json.loads(intake.payload)
    return SignatureData(
        person=PersonData(**payload.pop("person")),
        consents={int(k): v for k, v in payload.pop("consents").items()},
        **payload,
    )


def _signature_fields(action: Action, data: SignatureData) -> dict:
    if data.answers:
        _answers_check(action, data.answers)
    return {
        "answers": json.dumps(data.answers, ensure_ascii=False) if data.answers else "",
        "action": action,
        "organisation_name": data.organisation_name,
        "role": data.role,
        "comment": data.comment,
        "members_represented": data.members_represented,
        "country": data.person.country,
        "visibility": data.visibility,
        "source": data.source,
    }


def _answers_check(action: Action, answers: dict[str, str]) -> None:
    """Refuse a plain answer to a sensitive question: it must never be stored."""
    sensitive = {
        str(pk)
        for pk in PledgeQuestion.objects.filter(
            action__shared_id=action.shared_id, sensitive=True
        ).values_list("pk", flat=True)
    }
    if any(key in sensitive and not sealing.is_sealed(v) for key, v in answers.items()):
        raise ValueError("an answer to a sensitive question was not sealed")


def _consents_give(given: list[tuple[Person, SignatureData]]) -> None:
    """Record the boxes ticked on these forms: one read and one INSERT per organisation and
    wording, whatever the number of forms (``consent_give_many``)."""
    groups: dict[tuple[int, str, str], list[Person]] = {}
    for person, data in given:
        for organisation_id, wording in data.consents.items():
            groups.setdefault((organisation_id, wording, data.form), []).append(person)
    if not groups:
        return
    organisations = Organisation.objects.in_bulk({key[0] for key in groups})
    for (organisation_id, wording, form), people in groups.items():
        if organisation_id in organisations:
            consent_give_many(
                people=people,
                organisation=organisations[organisation_id],
                purpose=Consent.Purpose.CONTACT,
                wording=wording,
                source=form,
            )


def _endorsement_create(*, signature: Signature, data: EndorsementData) -> Endorsement:
    endorsement = Endorsement(
        signature=signature, name=data.name, country=data.country, website=data.website
    )
    if data.logo:
        endorsement.logo.save(f"{signature.pk}.png", image_clean(data.logo), save=False)
    endorsement.save()
    return endorsement


def _tally_add(signature: Signature) -> None:
    """Count a confirmed signature once: flip ``counted``, then bump the aggregates."""
    if Signature.objects.filter(pk=signature.pk, counted=False).update(counted=True):
        signature.counted = True
        _tallies_add([signature])


def _tallies_add(signatures: list[Signature]) -> None:
    """Add signatures the caller has just marked ``counted`` to the maintained aggregates.

    One UPDATE per action and one per country, whatever the number of signatures.
    """
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    countries: Counter = Counter()
    actions = {}
    for signature in signatures:
        key = signature.translation_key
        totals[key][0] += 1
        totals[key][1] += signature.members_represented or 0
        countries[(key, signature.country)] += 1
        actions[key] = signature.action
    for key, (count, members) in totals.items():
        tally, _ = Tally.objects.get_or_create(
            translation_key=key, defaults={"goal": actions[key].goal}
        )
        Tally.objects.filter(pk=key).update(
            count=F("count") + count, members_represented=F("members_represented") + members
        )
        tally.refresh_from_db()
        if tally.goal and tally.count >= tally.goal:
            Tally.objects.filter(pk=key, goal=tally.goal).update(goal=next_goal(tally.count))
        # This process's cached action pages show the new count at once; the others
        # within a second (core.caching.public_page_scope).
        transaction.on_commit(partial(public_page_scope_changed, "action", key))
    for (key, country), count in countries.items():
        CountryTally.objects.get_or_create(translation_key=key, country=country)
        CountryTally.objects.filter(translation_key=key, country=country).update(
            count=F("count") + count
        )


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
        Signature.objects.select_related("action", "person")
        .filter(person=person, confirmed_at__isnull=True, purged_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if newest is None:
        return
    from convoca.actions.emails import signature_confirmation_emails_enqueue

    with transaction.atomic():
        signature_confirmation_emails_enqueue(signatures=[newest], resend=True)


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
        for slug in Action.objects.filter(shared_id=action.shared_id).values_list("slug", flat=True)
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
    signature.organisation_name = signature.role = signature.comment = signature.answers = ""
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
            # Sealed answers stay sealed: only the organisation can open them.
            "answers": _answers_labelled(s),
        }
        for s in Signature.objects.filter(person=person).select_related("action")
    ]


def _answers_labelled(signature: Signature) -> dict[str, str]:
    answers = json.loads(signature.answers) if signature.answers else {}
    if not answers:
        return {}
    texts = {
        str(pk): text
        for pk, text in PledgeQuestion.objects.filter(pk__in=list(answers)).values_list(
            "pk", "text"
        )
    }
    return {texts.get(key, key): value for key, value in answers.items()}


def signature_erase_for_person(person: Person) -> None:
    for signature in Signature.objects.filter(person=person):
        _signature_strip(signature)


# --- Pledges -------------------------------------------------------------------------------


def pledge_answers_seal(*, action: Action, answers: dict[str, str]) -> dict[str, str]:
    """Seal the answers to the pledge's sensitive questions; return every answer, keyed by id.

    Called as the form arrives, before anything is stored or queued: the
    plain answer lives only in this request's memory. Raises
    :class:`PledgeKeyMissing` when a sensitive question is answered and the
    organisation has no public key (it removed it after opening the pledge).
    """
    if not answers:
        return {}
    questions = {
        str(q.pk): q for q in PledgeQuestion.objects.filter(action=action, pk__in=list(answers))
    }
    # Read afresh: the signing path's action is remembered for a few seconds,
    # and an organisation that replaced its key wants no answer sealed to the old one.
    public_key = (
        Organisation.objects.filter(pk=action.organisation_id)
        .values_list("pledge_public_key", flat=True)
        .first()
    )
    sealed = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None or not value:
            continue
        if question.sensitive:
            if not public_key:
                raise PledgeKeyMissing(action)
            value = sealing.seal(value, public_key=public_key)
        sealed[key] = value
    return sealed


def pledge_questions_publish_check(*, action: Action, sensitive: bool) -> None:
    """Refuse to open a pledge with sensitive questions while its organisation has no public key.

    Raises ``ValidationError`` with the message organisers see.
    """
    if (
        sensitive
        and action.is_pledge
        and action.status == Action.Status.OPEN
        and not (action.organisation_id and action.organisation.pledge_public_key)
    ):
        raise ValidationError(
            gettext(
                "This pledge asks sensitive questions, so it can open only once your "
                "organisation has a public key for pledge answers. Make one on your own "
                "computer with “convoca pledgekey new” and paste the public key into your "
                "organisation's page (Sealed pledge answers), or keep the pledge as a draft."
            ),
            code="pledge_key_missing",
        )


def pledge_activate(*, action: Action, texts: dict[str, dict[str, str]], user) -> PledgeActivation:
    """Record that the pledge's trigger happened and email every confirmed pledger.

    ``texts`` is the message by language (``{"en": {"subject": ..., "body":
    ...}}``), at least one; each pledger gets theirs, else the one
    ``PledgeActivation.version_in`` picks (the site's language, ...). The
    emails are written to the outbox in the same transaction, one per
    pledger (a dedupe key each), so nobody is emailed twice. The audit
    trail records who activated it and how many pledgers it reached.
    """
    from convoca.actions.emails import pledge_activation_emails_enqueue

    if not action.is_pledge:
        raise ValueError("only a pledge can be activated")
    if not texts:
        raise ValueError("a pledge activation needs its message in at least one language")
    with transaction.atomic():
        activation = PledgeActivation.objects.create(
            action=action, translation_key=action.translation_key, activated_by=user
        )
        language_texts_save(activation, texts)
        activation.recipients = pledge_activation_emails_enqueue(activation=activation)
        activation.save(update_fields=["recipients"])
        audit_record(
            user=user,
            verb="activate pledge",
            target=action.title,
            count=activation.recipients,
            organisation=action.organisation_id,
        )
    return activation
