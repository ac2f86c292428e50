"""The emails of signing: asking signers to confirm their address."""

import logging

from django.urls import reverse
from django.utils import translation

from convoca.actions.models import Signature
from convoca.actions.services import signature_confirm_token_make
from convoca.core.mail import absolute_url, email_send, mail_error_summary, mailer_session
from convoca.people.services import (
    person_confirmation_email_unclaim,
    person_confirmation_emails_claim,
)

logger = logging.getLogger(__name__)


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
            except Exception as error:
                logger.warning(
                    "confirmation email for signature %s failed: %s",
                    signature.pk,
                    mail_error_summary(error),
                )
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
