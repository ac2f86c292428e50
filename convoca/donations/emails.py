"""The emails of donations: the receipt for each payment."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from convoca.core.mail import absolute_url
from convoca.core.outbox import outbox_email_enqueue, outbox_key
from convoca.core.translatable import language_codes, language_pick
from convoca.donations.models import Payment, minor_to_major

RECEIPT = "donations.receipt"


def payment_receipt_email_enqueue(*, payment: Payment) -> bool:
    """Write the receipt for one payment to the outbox, once, in the donor's language.

    Call it in the transaction that records the payment; a second call for
    the same payment writes nothing (the outbox's dedupe key).
    """
    from convoca.donations.services import donation_manage_token_make

    donation = payment.donation
    person = donation.donor.person
    if person.erased_at or not person.email:
        return False
    language = language_pick(language_codes(), donation.language or settings.LANGUAGE_CODE)
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
    row = outbox_email_enqueue(
        kind=RECEIPT,
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
        person_id=person.pk,
        dedupe_key=outbox_key(RECEIPT, payment.pk),
    )
    return row is not None
