"""Background work for mailings. Every task may run twice without doing anything twice."""

from crontask import cron
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from convoca.core.mail import absolute_url, email_send
from convoca.mailings.services import (
    confirmation_email_claim,
    mailing_batch_run,
    mailing_resume_stalled,
    subscription_confirm_token_make,
    subscription_list_waiting,
)
from convoca.people.models import Person


@task
def subscription_confirmation_email_task(*, person_id: str, language: str) -> bool:
    """Ask the person to confirm their subscriptions, at most one such email a day."""
    person = Person.objects.filter(pk=person_id, erased_at__isnull=True).first()
    if person is None:
        return False
    waiting = subscription_list_waiting(person=person)
    if not waiting or not confirmation_email_claim(person=person):
        return False
    with translation.override(language):
        link = absolute_url(
            reverse(
                "mailings:subscription-confirm",
                kwargs={"token": subscription_confirm_token_make(person=person)},
            )
        )
        lists = [s.mailing_list.label for s in waiting]
    email_send(
        to=person.email,
        template="mailings/email/subscription_confirm",
        context={"person": person, "lists": lists, "link": link},
        language=language,
    )
    return True


@task
def mailing_send_batch_task(*, mailing_id: int) -> int:
    """Send one batch of a mailing over one connection; enqueue the next one."""
    return mailing_batch_run(mailing_id=mailing_id).sent


@cron("* * * * *")
@task
def mailing_resume_stalled_task() -> list[int]:
    """Every minute: start scheduled mailings that are due, revive those whose worker died."""
    return mailing_resume_stalled()
