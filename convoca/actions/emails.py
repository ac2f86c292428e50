"""The emails of actions: asking signers to confirm, telling pledgers the time has come."""

from collections.abc import Callable

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone, translation

from convoca.actions.models import Signature
from convoca.actions.services import signature_confirm_token_make
from convoca.core.links import resend_window
from convoca.core.mail import absolute_url, email_message
from convoca.core.markdown import markdown_to_text
from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver_soon, outbox_row


def signature_confirmation_emails_enqueue(
    *, signatures: list[Signature], resend: bool = False
) -> int:
    """Write the confirmation emails of these signatures to the outbox; how many were new.

    Call it in the transaction that records the signatures, with them as
    recorded (their person and action at hand: nothing is read again).
    One email per address per day (UTC), whatever the number of forms: the
    outbox's dedupe key says so, and an email already written is not built
    again, so a batch run twice writes nothing twice.
    ``resend``: a new link the signer asked for by hand, keyed by the
    minute instead (``core.links.resend_window``).
    """
    day = resend_window() if resend else timezone.now().date().isoformat()
    waiting = {}
    for signature in signatures:
        if signature.confirmed_at is None and signature.person.erased_at is None:
            key = f"people.confirmation:{signature.person_id}:{day}"
            waiting.setdefault(key, signature)
    if not waiting:
        return 0
    written = set(
        OutboxEmail.objects.filter(dedupe_key__in=list(waiting)).values_list(
            "dedupe_key", flat=True
        )
    )
    rows = [
        outbox_row(
            kind="actions.confirmation",
            message=_signature_confirmation_email(signature, signature.person.language),
            language=signature.person.language,
            person_id=signature.person_id,
            dedupe_key=key,
        )
        for key, signature in waiting.items()
        if key not in written
    ]
    if rows:
        OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
        outbox_deliver_soon()
    return len(rows)


def _signature_confirmation_email(signature: Signature, language: str):
    with translation.override(language):
        link = absolute_url(
            reverse(
                "actions:signature-confirm",
                kwargs={"token": signature_confirm_token_make(signature=signature)},
            )
        )
    return email_message(
        to=signature.person.email,
        template="actions/email/signature_confirm",
        context={
            "signature": signature,
            "action": signature.action,
            "person": signature.person,
            "link": link,
        },
        language=language,
    )


#: language -> a function (city, country) -> the nearest upcoming event on the ground, or
#: None. Set by the events app (its ``ready()``): actions does not import events.
_nearest_event_finders: list[Callable[[str], Callable[[str, str], object | None]]] = []


def pledge_nearest_event_register(finder: Callable[[str], Callable[[str, str], object | None]]):
    """Let pledge activation emails point each pledger to an event near them.

    ``finder(language)`` is called once per language and activation and
    returns a function of a pledger's city and country.
    """
    _nearest_event_finders[:] = [finder]


def _nearest_event(language: str) -> Callable[[str, str], object | None]:
    if not _nearest_event_finders:
        return lambda city, country: None
    return _nearest_event_finders[0](language)


def pledge_activation_emails_enqueue(*, activation) -> int:
    """Write one email to each confirmed pledger of an activation to the outbox; how many.

    Call it in the transaction that records the activation and its
    message. Each pledger gets the message in their language, else the one
    ``version_in`` picks (the site's language, ...), the whole email in
    that language. Where a pledger gave their city, the email points them
    to the nearest event on the ground (a rally the trigger called for,
    say).
    """
    prefetch_related_objects([activation], "versions")
    chosen = {}  # a pledger's language -> the version they get
    nearest: dict[str, Callable[[str, str], object | None]] = {}
    pledgers = Signature.objects.filter(
        translation_key=activation.translation_key,
        confirmed_at__isnull=False,
        person__erased_at__isnull=True,
    ).select_related("person")
    rows, count = [], 0
    for signature in pledgers.iterator(chunk_size=500):
        person = signature.person
        if person.language not in chosen:
            chosen[person.language] = activation.version_in(
                person.language or settings.LANGUAGE_CODE
            )
        version = chosen[person.language]
        # The whole email in the message's language, also when it is not the pledger's.
        language = version.language
        if language not in nearest:
            nearest[language] = _nearest_event(language)
        message = email_message(
            to=person.email,
            template="actions/email/pledge_activation",
            context={
                "person": person,
                "subject": version.subject,
                "body": markdown_to_text(version.body),
                "nearest": nearest[language](person.city, str(person.country or "")),
            },
            language=language,
        )
        rows.append(
            outbox_row(
                kind="actions.pledge_activation",
                message=message,
                language=language,
                person_id=person.pk,
                dedupe_key=f"actions.pledge:{activation.pk}:{signature.pk}",
            )
        )
        if len(rows) >= 500:
            count += len(OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    count += len(OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True))
    outbox_deliver_soon()
    return count
