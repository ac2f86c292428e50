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
from convoca.core.mail import absolute_url, email_send
from convoca.core.markdown import markdown_to_text
from convoca.people.services import person_confirmation_email_claim

logger = logging.getLogger(__name__)


@task
def signature_confirmation_email_task(*, signature_id: str) -> bool:
    """Ask the signer to confirm, at most one such email per address per day."""
    signature = (
        Signature.objects.select_related("action", "person")
        .filter(pk=signature_id, confirmed_at__isnull=True, person__erased_at__isnull=True)
        .first()
    )
    if signature is None or not person_confirmation_email_claim(person=signature.person):
        return False
    language = signature.person.language
    with translation.override(language):
        link = absolute_url(
            reverse(
                "actions:signature-confirm",
                kwargs={"token": signature_confirm_token_make(signature=signature)},
            )
        )
    email_send(
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
    return True


@task
def signature_confirmation_emails_task(*, signature_ids: list[str]) -> int:
    """The confirmation emails of a batch of signatures recorded together; how many left.

    Each is sent as ``signature_confirmation_email_task`` sends it, at most
    one per address per day, so running this twice sends nothing twice. One
    that fails does not stop the others.
    """
    sent = 0
    for signature_id in signature_ids:
        try:
            sent += signature_confirmation_email_task.call(signature_id=signature_id)
        except Exception:
            logger.exception("confirmation email for signature %s failed", signature_id)
    return sent


@task
def pledge_activation_send_task(*, activation_id: int) -> int:
    """Email every pledger of an activation who has not been emailed yet."""
    from convoca.events.selectors import event_list_upcoming, event_nearest

    activation = PledgeActivation.objects.get(pk=activation_id)
    # Where a pledger gave their city, the email points them to the nearest
    # event on the ground (a rally the trigger called for, say).
    upcoming = {code: event_list_upcoming(language=code, kind="in_person") for code in ("en", "es")}
    sent = 0
    pending = PledgeDelivery.objects.filter(activation=activation, sent_at__isnull=True)
    for delivery_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            delivery = (
                PledgeDelivery.objects.select_for_update()
                .select_related("signature__person")
                .filter(pk=delivery_id, sent_at__isnull=True)
                .first()
            )
            if delivery is None:
                continue  # another worker sent it
            person = delivery.signature.person
            if person.erased_at is None:
                language = person.language if person.language in ("en", "es") else "en"
                email_send(
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
                sent += 1
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
    return sent


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
