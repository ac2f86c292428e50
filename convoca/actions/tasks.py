"""Background work for actions. Every task may run twice without doing anything twice."""

from crontask import cron
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from convoca.actions.emails import signature_confirmation_emails_send
from convoca.actions.models import PledgeActivation, PledgeDelivery
from convoca.actions.services import signature_intake_process, signature_purge_unconfirmed
from convoca.core.mail import email_send, mailer_session
from convoca.core.markdown import markdown_to_text


@task
def signature_confirmation_email_task(*, signature_id: str) -> bool:
    """Ask the signer to confirm, at most one such email per address per day."""
    return bool(signature_confirmation_emails_send([signature_id]))


@task
def signature_confirmation_emails_task(*, signature_ids: list[str]) -> int:
    """The confirmation emails of a batch of signatures recorded together; how many left."""
    return signature_confirmation_emails_send(signature_ids)


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
