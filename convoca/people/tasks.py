"""Background work for the supporter database. Every task is safe to run twice."""

from crontask import cron
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from convoca.core.mail import absolute_url, email_send
from convoca.people.models import Person
from convoca.people.services import data_access_token_make, person_purge_unconfirmed


@task
def data_access_link_email_task(*, person_id: str, language: str) -> None:
    """Send the "see my data" link. Sending twice gives two valid links, nothing worse."""
    person = Person.objects.filter(pk=person_id, erased_at__isnull=True).first()
    if person is None:
        return
    with translation.override(language):
        link = absolute_url(
            reverse("people:data-access", kwargs={"token": data_access_token_make(person=person)})
        )
    email_send(
        to=person.email,
        template="people/email/data_access",
        context={"person": person, "link": link},
        language=language,
    )


@cron("17 3 * * *")
@task
def person_purge_unconfirmed_task() -> int:
    """Every night: erase people who never confirmed their address in time."""
    return person_purge_unconfirmed()
