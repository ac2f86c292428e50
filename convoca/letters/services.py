"""Every write about letters: imports, campaigns, supporters' letters, deliveries, digests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags

from convoca.actions.models import Action, Signature
from convoca.actions.services import SignatureData, SignatureResult, signature_create
from convoca.core.caching import public_pages_invalidate
from convoca.core.models import OutboxEmail
from convoca.core.translatable import language_texts_save
from convoca.letters import emails
from convoca.letters.imports import (
    ImportRefused,
    Mapping,
    csv_rows,
    district_clean,
    target_clean,
)
from convoca.letters.models import (
    District,
    Letter,
    LetterCampaign,
    LetterDelivery,
    Target,
    TargetBody,
    TargetCount,
)
from convoca.people.models import Person

__all__ = ["ImportRefused"]

#: The most letters one digest email lists; the rest wait for the next day's.
DIGEST_MAX_LETTERS = 500
#: The longest text a supporter may send (characters).
LETTER_MAX_CHARS = 6000


# --- Imports ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import changed, for the organiser: names, and the rows it could not read."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    #: (line in the file, what is wrong), in the organiser's language.
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.restored)


_TARGET_COMPARED = (
    "name", "office", "district", "region", "party", "email",
    "web_form_url", "phone", "postal_address", "language",
)  # fmt: skip


def targets_import(*, body: TargetBody, data: bytes, mapping: Mapping) -> ImportReport:
    """Bring a body's members in line with a CSV file; report what changed.

    Idempotent: importing the same file again changes nothing. A member is
    found again by ``key``; one missing from the file is kept but marked no
    longer active (letters refer to them), and active again if they come
    back. A row that cannot be read is reported with its line and the rest
    is imported; its member, if known, is left as it was. A new email
    address clears the mark of a refused one. Raises ImportRefused (nothing
    changed) when the file as a whole cannot be read.
    """
    report = ImportReport()
    rows = csv_rows(data, mapping)
    seen: set[str] = set()
    with transaction.atomic():
        existing = {t.key: t for t in Target.objects.select_for_update().filter(body=body)}
        for line, row in rows:
            values = mapping.read(row)
            try:
                clean = target_clean(values)
            except ValidationError as exc:
                report.errors.append((line, " ".join(exc.messages)))
                if values.get("key"):
                    seen.add(values["key"].strip())
                continue
            key = clean.pop("key")
            if key in seen:
                report.errors.append((line, _duplicate_message(key)))
                continue
            seen.add(key)
            target = existing.get(key)
            if target is None:
                target = Target.objects.create(body=body, key=key, **clean)
                existing[key] = target
                report.added.append(str(target))
                continue
            changed = [name for name in _TARGET_COMPARED if getattr(target, name) != clean[name]]
            if "email" in changed:
                target.email_bounced_at = None
                changed.append("email_bounced_at")
            if not target.active:
                target.active = True
                changed.append("active")
                report.restored.append(str(target))
            for name in changed:
                if name in clean:
                    setattr(target, name, clean[name])
            if changed:
                target.save(update_fields=[*changed, "updated_at"])
                if set(changed) - {"active"}:
                    report.updated.append(str(target))
            else:
                report.unchanged += 1
        gone = [t for key, t in existing.items() if key not in seen and t.active]
        if gone and (seen or not rows):
            Target.objects.filter(pk__in=[t.pk for t in gone]).update(
                active=False, updated_at=timezone.now()
            )
            report.removed = [str(t) for t in gone]
    return report


def _duplicate_message(key: str) -> str:
    from django.utils.translation import gettext as _

    return _("the identifier “%(key)s” is already on an earlier line.") % {"key": key}


def districts_import(*, body: TargetBody, data: bytes, mapping: Mapping) -> ImportReport:
    """Make a body's district table what a CSV file says; report rows added and removed.

    Idempotent. Bad rows are reported and the rest imported; a file with no
    usable row is refused rather than emptying the table.
    """
    from django.utils.translation import gettext as _

    report = ImportReport()
    wanted: set[tuple[str, str, str, str]] = set()
    for line, row in csv_rows(data, mapping):
        try:
            wanted.add(district_clean(mapping.read(row)))
        except ValidationError as exc:
            report.errors.append((line, " ".join(exc.messages)))
    if not wanted:
        raise ImportRefused(_("No row of the file could be read; the table was not changed."))
    with transaction.atomic():
        rows = District.objects.select_for_update().filter(body=body)
        have = {
            (str(r.country), r.postal_code, r.region, r.district): r.pk
            for r in rows.only("pk", "country", "postal_code", "region", "district")
        }
        new = wanted - have.keys()
        old = have.keys() - wanted
        District.objects.bulk_create(
            [
                District(body=body, country=c, postal_code=p, region=r, district=d)
                for c, p, r, d in sorted(new)
            ],
            batch_size=1000,
        )
        old_ids = [have[row] for row in old]
        for start in range(0, len(old_ids), 900):
            District.objects.filter(pk__in=old_ids[start : start + 900]).delete()
    report.added = [_district_label(row) for row in sorted(new)]
    report.removed = [_district_label(row) for row in sorted(old)]
    report.unchanged = len(wanted) - len(new)
    return report


def _district_label(row: tuple[str, str, str, str]) -> str:
    country, postal_code, region, district = row
    return f"{country} {postal_code or region or '*'} → {district}"


def target_body_save(*, body: TargetBody) -> TargetBody:
    """Save a body of decision-makers (its name and country)."""
    body.save()
    return body


def target_body_delete(*, body: TargetBody) -> None:
    """Delete a body of decision-makers with no members (they protect it), and its districts."""
    body.delete()
    transaction.on_commit(public_pages_invalidate)


def target_delete(*, target: Target) -> None:
    """Delete a decision-maker no letter was addressed to (deliveries protect them)."""
    target.delete()
    transaction.on_commit(public_pages_invalidate)


def district_save(*, district: District) -> District:
    """Save one row of a body's district table, as an organiser corrected it."""
    district.save()
    return district


def district_delete(*, district: District) -> None:
    """Delete one row of a body's district table."""
    district.delete()


def target_save(*, target: Target) -> Target:
    """Save an organiser's correction to a decision-maker; a new address is tried again."""
    if target.pk:
        before = Target.objects.filter(pk=target.pk).values_list("email", flat=True).first()
        if before is not None and before != target.email:
            target.email_bounced_at = None
    target.save()
    return target


def target_email_refused(address: str, detail: str) -> None:
    """The outbox's permanent-failure handler: mark a decision-maker's refused address.

    Their letters waiting for a digest are not sent; later letters are left
    to the writers (with the web form or phone), until an organiser or a
    re-import gives a new address. Called for every refused address, most
    of them not a decision-maker's.
    """
    targets = list(
        Target.objects.filter(email__iexact=address.strip(), email_bounced_at__isnull=True)
    )
    if not targets:
        return
    now = timezone.now()
    Target.objects.filter(pk__in=[t.pk for t in targets]).update(email_bounced_at=now)
    deliveries = LetterDelivery.objects.filter(target__in=targets)
    deliveries.filter(status=LetterDelivery.Status.WAITING).update(
        status=LetterDelivery.Status.FAILED
    )
    refused_keys = OutboxEmail.objects.filter(
        dedupe_key__in=deliveries.filter(status=LetterDelivery.Status.QUEUED).values("outbox_key"),
        status=OutboxEmail.Status.GIVEN_UP,
    ).values("dedupe_key")
    deliveries.filter(status=LetterDelivery.Status.QUEUED, outbox_key__in=refused_keys).update(
        status=LetterDelivery.Status.FAILED
    )


# --- Campaigns --------------------------------------------------------------------------


def letter_campaign_save(
    *,
    campaign: LetterCampaign,
    bodies: list | None = None,
    pinned_targets: list | None = None,
    texts: dict[str, dict[str, str]] | None = None,
    texts_removed: Iterable[str] = (),
) -> LetterCampaign:
    """Save a campaign, joined to its action's translation group, and its texts.

    ``bodies`` and ``pinned_targets``, when given, replace whom it writes to.
    ``texts`` are the letter by language (``{"es": {"subject": ...,
    "editable_text": ..., "fixed_text": ...}}``), written over the texts in
    those languages; ``texts_removed`` names languages whose text goes.
    Raises ValidationError when the action is not a letter to decision-makers.
    """
    from django.utils.translation import gettext as _

    action = campaign.action
    if action.kind != Action.Kind.TARGETED:
        raise ValidationError(
            _("Choose an action of the kind “letter to decision-makers”."), code="kind"
        )
    campaign.translation_key = action.translation_key
    with transaction.atomic():
        campaign.save()
        if bodies is not None:
            campaign.bodies.set(bodies)
        if pinned_targets is not None:
            campaign.pinned_targets.set(pinned_targets)
        language_texts_save(campaign, texts, texts_removed)
    # The letter's cached pages (results, embed) show whom it goes to and what it says.
    transaction.on_commit(public_pages_invalidate)
    return campaign


def letter_campaign_delete(*, campaign: LetterCampaign) -> None:
    """Delete a letter campaign no one wrote in (letters protect it), and its texts."""
    campaign.delete()
    transaction.on_commit(public_pages_invalidate)


# --- Supporters' letters ----------------------------------------------------------------


@dataclass(frozen=True)
class LetterData:
    """What the letter form adds to a signature, already validated."""

    text: str
    targets: list[Target]
    locality: str = ""
    show_email: bool = False
    reply_to: bool = False


def letter_text_clean(text: str) -> str:
    """A supporter's words as plain text: no markup, no control characters, ``\\n`` lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_tags(text)
    text = "".join(c for c in text if c in "\n\t" or c.isprintable())
    return text.strip()[:LETTER_MAX_CHARS]


def letter_create(
    *, action: Action, signature_data: SignatureData, data: LetterData
) -> tuple[SignatureResult, Letter]:
    """Sign a letter action and keep the supporter's letter with the signature.

    The signature goes through ``actions.services.signature_create`` (one
    per person, consents, the confirmation email). While it is unconfirmed
    a new submission replaces the letter's text and targets, as it replaces
    the person's details; once confirmed (and so delivered) it changes
    nothing. Raises ``ActionClosed``.
    """
    campaign = LetterCampaign.objects.get(translation_key=action.translation_key)
    with transaction.atomic():
        result = signature_create(action=action, data=signature_data)
        signature = result.signature
        letter = Letter.objects.filter(signature=signature).first()
        if letter is None:
            letter = Letter(signature=signature, campaign=campaign)
        elif signature.confirmed_at is not None:
            return result, letter
        letter.language = action.language
        letter.text = letter_text_clean(data.text)
        letter.locality = data.locality
        letter.show_email = data.show_email
        letter.reply_to = data.reply_to
        letter.save()
        letter.targets.set(data.targets)
    return result, letter


def letter_on_signature_confirmed(sender, *, signature: Signature, **kwargs) -> None:
    """``actions.signals.signature_confirmed``: deliver the letter signed, if any."""
    letter = (
        Letter.objects.select_related("campaign", "signature__person", "signature__action")
        .filter(signature_id=signature.pk)
        .first()
    )
    if letter is not None:
        letter_deliver(letter=letter)


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)


def letter_deliver(*, letter: Letter, now: datetime | None = None) -> list[LetterDelivery]:
    """Send a confirmed letter to each of its targets, once per target.

    In the caller's transaction (the confirmation). By email, one message
    each, while the target's daily cap for this campaign allows; else it
    waits for the day's digest (and always, when the campaign sends
    digests). A target without a working email is left to the writer,
    whose page showed its web form, phone and address. Counts the letter
    for each target.
    """
    now = now or timezone.now()
    campaign = letter.campaign
    made = []
    with transaction.atomic():
        done = set(letter.deliveries.values_list("target_id", flat=True))
        for target in letter.targets.order_by("pk"):
            if target.pk in done:
                continue
            delivery = LetterDelivery(letter=letter, target=target, campaign=campaign)
            if not target.reachable_by_email:
                delivery.status = LetterDelivery.Status.BY_WRITER
            elif campaign.delivery == LetterCampaign.Delivery.DIGEST:
                delivery.status = LetterDelivery.Status.WAITING
            elif _under_cap(campaign, target, now):
                delivery.status = LetterDelivery.Status.QUEUED
                delivery.queued_at = now
            else:
                delivery.status = LetterDelivery.Status.WAITING
            delivery.save()
            if delivery.status == LetterDelivery.Status.QUEUED:
                delivery.outbox_key = emails.letter_email_enqueue(delivery=delivery)
                delivery.save(update_fields=["outbox_key"])
            _count(campaign, target)
            made.append(delivery)
    return made


def _under_cap(campaign: LetterCampaign, target: Target, now: datetime) -> bool:
    """Whether one more letter may be emailed alone to ``target`` today (UTC).

    The target's row is locked first, so two confirmations at once cannot
    both take the last place (on SQLite the write lock does the same).
    """
    Target.objects.select_for_update().filter(pk=target.pk).values_list("pk").first()
    today = LetterDelivery.objects.filter(
        campaign=campaign, target=target, in_digest=False, queued_at__gte=_day_start(now)
    ).count()
    return today < campaign.daily_cap


def _count(campaign: LetterCampaign, target: Target) -> None:
    TargetCount.objects.get_or_create(campaign=campaign, target=target)
    TargetCount.objects.filter(campaign=campaign, target=target).update(count=F("count") + 1)


def letter_digests_send(*, now: datetime | None = None) -> int:
    """Email each target the letters waiting for it, one digest per campaign and day.

    Run every day by a scheduled task (and safe to run more often: the
    outbox's dedupe key lets one digest per target, campaign and day
    through; letters that find today's sent wait for tomorrow's). Returns
    the number of digests written.
    """
    now = now or timezone.now()
    day = now.astimezone(UTC).date().isoformat()
    pairs = (
        LetterDelivery.objects.filter(status=LetterDelivery.Status.WAITING)
        .order_by()
        .values_list("campaign_id", "target_id")
        .distinct()
    )
    written = 0
    for campaign_id, target_id in list(pairs):
        with transaction.atomic():
            target = Target.objects.select_for_update().get(pk=target_id)
            waiting = LetterDelivery.objects.filter(
                campaign_id=campaign_id, target=target, status=LetterDelivery.Status.WAITING
            )
            if not target.reachable_by_email:
                waiting.update(
                    status=LetterDelivery.Status.FAILED
                    if target.email_bounced_at
                    else LetterDelivery.Status.BY_WRITER
                )
                continue
            deliveries = list(
                waiting.select_related("letter__signature__person", "campaign__action")
                .filter(letter__purged_at__isnull=True)
                .order_by("created_at")[:DIGEST_MAX_LETTERS]
            )
            if not deliveries:
                continue
            key = emails.letter_digest_enqueue(target=target, deliveries=deliveries, day=day)
            if key is None:
                continue  # today's digest has gone: these wait for tomorrow's
            LetterDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
                status=LetterDelivery.Status.QUEUED, in_digest=True, queued_at=now, outbox_key=key
            )
            written += 1
    return written


# --- Personal data (registered in apps.py) ----------------------------------------------


def letter_export_for_person(person: Person) -> list[dict]:
    letters = Letter.objects.filter(signature__person=person).select_related("signature__action")
    return [
        {
            "action": letter.signature.action.title,
            "written_at": letter.created_at.isoformat(),
            "text": letter.text,
            "signed_from": letter.locality,
            "email_shown": letter.show_email,
            "replies_to_writer": letter.reply_to,
            "to": [
                {"name": str(d.target), "status": d.status}
                for d in letter.deliveries.select_related("target")
            ],
        }
        for letter in letters
    ]


def letter_erase_for_person(person: Person) -> None:
    """Forget a person's letters' words and place; letters not yet sent are not sent."""
    letters = Letter.objects.filter(signature__person=person)
    LetterDelivery.objects.filter(letter__in=letters, status=LetterDelivery.Status.WAITING).delete()
    for letter in letters:
        letter.text = letter.locality = ""
        letter.show_email = letter.reply_to = False
        letter.purged_at = timezone.now()
        letter.save()
