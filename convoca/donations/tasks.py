"""Background work for donations. Every task may run twice without doing anything twice."""

from crontask import cron
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation

from convoca.core.mail import absolute_url, email_send
from convoca.donations.models import Payment, minor_to_major
from convoca.donations.services import donation_manage_token_make, webhook_event_purge


@task
def payment_receipt_email_task(*, payment_id: str) -> bool:
    """Email the receipt for one payment, once, in the donor's language.

    The payment row stays locked while the message is handed to the mail
    server: a second run waits, then finds the receipt sent; a failed send
    leaves it unsent for the retry.
    """
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("donation__donor__person", "fundraiser__organisation")
            .filter(pk=payment_id, receipt_sent_at__isnull=True)
            .first()
        )
        if payment is None:
            return False
        sent = _receipt_send(payment)
        payment.receipt_sent_at = timezone.now()
        payment.save(update_fields=["receipt_sent_at"])
    return sent


def _receipt_send(payment: Payment) -> bool:
    donation = payment.donation
    person = donation.donor.person
    if person.erased_at or not person.email:
        return False
    language = donation.language if donation.language in ("en", "es") else "en"
    manage_link = ""
    with translation.override(language):
        if donation.is_monthly:
            manage_link = absolute_url(
                reverse(
                    "donations:donation-manage",
                    kwargs={"token": donation_manage_token_make(donation=donation)},
                )
            )
        fundraiser_link = absolute_url(payment.fundraiser.get_absolute_url())
    email_send(
        to=person.email,
        template="donations/email/receipt",
        context={
            "payment": payment,
            "donation": donation,
            "person": person,
            "fundraiser": payment.fundraiser,
            "organisation": payment.fundraiser.organisation,
            "amount": minor_to_major(payment.amount),
            "currency": donation.currency,
            "manage_link": manage_link,
            "fundraiser_link": fundraiser_link,
        },
        language=language,
    )
    return True


@cron("17 4 * * *")
@task
def webhook_event_purge_task() -> int:
    """Every night: forget provider events long past any retry of them."""
    return webhook_event_purge()
