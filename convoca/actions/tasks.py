"""Background work for actions. Every task may run twice without doing anything twice."""

import logging

from crontask import cron
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation

from convoca.actions.models import PledgeActivation, PledgeDelivery, Signature
from convoca.actions.services import (
    signature_confirm_token_make,
    signature_intake_process,
    signature_purge_unconfirmed,
)
from convoca.core.mail import absolute_url, email_send, mailer_session
from convoca.core.markdown import markdown_to_text
from convoca.people.services import (
    person_confirmation_email_unclaim,
    person_confirmation_emails_claim,
)

logger = logging.getLogger(__name__)


@task
def signature_confirmation_email_task(*, signature_id: str) -> bool:
    """Ask the signer to confirm, at most one such email per address per day."""
    return bool(signature_confirmation_emails_send([signature_id]))


@task
def signature_confirmation_emails_task(*, signature_ids: list[str]) -> int:
    """The confirmation emails of a batch of signatures recorded together; how many left."""
    return signature_confirmation_emails_send(signature_ids)


def signature_confirmation_emails_send(signature_ids: list[str]) -> int:
    """Ask these signers to confirm, at most one such email per address per day.

    One query reads the batch, one transaction claims its addresses, and
    the emails share one connection to the mail server. Running this twice
    sends nothing twice. An email that fails is logged (without the
    address), gives its claim back, and does not stop the others.
    """
    signatures = list(
        Signature.objects.select_related("action", "person").filter(
            pk__in=signature_ids, confirmed_at__isnull=True, person__erased_at__isnull=True
        )
    )
    claimed = person_confirmation_emails_claim(
        person_ids={signature.person_id for signature in signatures}
    )
    sent = 0
    with mailer_session() as mailer:
        for signature in signatures:
            if signature.person_id not in claimed:
                continue
            claimed.discard(signature.person_id)  # one email a person, even if twice here
            try:
                _signature_confirmation_email_send(signature, mailer=mailer)
            except Exception:
                logger.exception("confirmation email for signature %s failed", signature.pk)
                person_confirmation_email_unclaim(person_id=signature.person_id)
                continue
            sent += 1
    return sent


def _signature_confirmation_email_send(signature: Signature, *, mailer) -> None:
    language = signature.person.language
    with translation.override(language):
        link = absolute_url(
            reverse(
                "actions:signature-confirm",
                kwargs={"token": signature_confirm_token_make(signature=signature)},
            )
        )
    email_send(
        mailer=mailer,
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


@task
def pledge_activation_send_task(*, activation_id: int) -> int:
    """Email every pledger of an activation who has not been emailed yet, over one connection."""
    from convoca.events.selectors import event_list_upcoming

    activation = PledgeActivation.objects.get(pk=activation_id)
    # Where a pledger gave their city, the email points them to the nearest
    # event on the ground (a rally the trigger called for, say).
    upcoming = {code: event_list_upcoming(language=code, kind="in_person") for code in ("en", "es")}
    sent = 0
    pending = PledgeDelivery.objects.filter(activation=activation, sent_at__isnull=True)
    with mailer_session() as mailer:
        for delivery_id in list(pending.values_list("pk", flat=True)):
            sent += _pledge_delivery_send(delivery_id, activation, upcoming, mailer=mailer)
    return sent


def _pledge_delivery_send(delivery_id, activation, upcoming, *, mailer) -> int:
    """Send one pledger's email, once: the delivery row is locked, then marked sent."""
    from convoca.events.selectors import event_nearest

    with transaction.atomic():
        delivery = (
            PledgeDelivery.objects.select_for_update()
            .select_related("signature__person")
            .filter(pk=delivery_id, sent_at__isnull=True)
            .first()
        )
        if delivery is None:
            return 0  # another worker sent it
        person = delivery.signature.person
        if person.erased_at is None:
            language = person.language if person.language in ("en", "es") else "en"
            email_send(
                mailer=mailer,
                to=person.email,
                template="actions/email/pledge_activation",
                context={
                    "person": person,
                    "subject": getattr(activation, f"subject_{language}"),
                    "body": markdown_to_text(getattr(activation, f"body_{language}")),
                    "nearest": event_nearest(
                        events=upcoming[language],
                        city=person.city,
                        country=str(person.country or ""),
                    ),
                },
                language=language,
            )
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return 1 if person.erased_at is None else 0


@cron("43 3 * * *")
@task
def signature_purge_unconfirmed_task() -> int:
    """Every night: strip what unconfirmed signers added, once the retention period is over."""
    return signature_purge_unconfirmed()


@cron("* * * * *")
@task
def signature_intake_process_task() -> int:
    """Record the signing forms accepted since the last run (and, every minute, any left)."""
    return signature_intake_process()
