"""The emails of letters: one letter to one decision-maker, and a decision-maker's daily digest.

Plain text only (no HTML part): what a supporter typed reaches a target as
the characters they typed. Names and places are on one line
(``core.mail.email_message``); the writer's address appears only if they
ticked the box, and is the Reply-To only if they agreed to replies.
"""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings

from convoca.core.outbox import outbox_email_enqueue, outbox_key
from convoca.core.text import one_line
from convoca.letters.models import LetterDelivery, LetterText, Target


def target_language(target: Target, fallback: str) -> str:
    """The language of the emails to a target: theirs if Convoca speaks it."""
    languages = {code for code, _name in settings.LANGUAGES}
    return target.language if target.language in languages else fallback


def _letter_text(letter) -> LetterText | None:
    return letter.campaign.version_in(letter.language)


def _writer(letter) -> dict:
    person = letter.signature.person
    return {
        "name": person.full_name,
        "locality": letter.locality,
        "email": person.email if letter.show_email else "",
        "text": letter.text,
    }


def letter_email_enqueue(*, delivery: LetterDelivery) -> str:
    """Write one letter to one target to the outbox, once; return its dedupe key."""
    letter, target = delivery.letter, delivery.target
    person = letter.signature.person
    text = _letter_text(letter)
    headers = {}
    if letter.reply_to:
        headers["Reply-To"] = formataddr((one_line(person.full_name), person.email))
    key = outbox_key("letters.letter", delivery.pk)
    outbox_email_enqueue(
        kind="letters.letter",
        to=target.email,
        template="letters/email/letter",
        context={
            "target": target,
            "target_name": str(target),
            "subject": text.subject if text else letter.signature.action.title,
            "fixed_text": text.fixed_text if text else "",
            "writer": _writer(letter),
            "action": letter.signature.action,
            "replies": letter.reply_to,
        },
        language=target_language(target, letter.language),
        headers=headers,
        person_id=person.pk,
        dedupe_key=key,
    )
    return key


def letter_digest_enqueue(*, target: Target, deliveries: list[LetterDelivery], day: str):
    """Write a target's digest of these letters to the outbox; its key, or None if sent today."""
    first = deliveries[0]
    campaign = first.campaign
    text = _letter_text(first.letter)
    language = target_language(target, campaign.action.language)
    key = f"letters.digest:{campaign.pk}:{target.pk}:{day}"
    row = outbox_email_enqueue(
        kind="letters.digest",
        to=target.email,
        template="letters/email/digest",
        context={
            "target": target,
            "target_name": str(target),
            "subject": text.subject if text else campaign.action.title,
            "fixed_text": text.fixed_text if text else "",
            "writers": [_writer(d.letter) for d in deliveries],
            "count": len(deliveries),
            "action": campaign.action,
        },
        language=language,
        dedupe_key=key,
    )
    return None if row is None else key
