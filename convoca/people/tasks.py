"""Background work for the supporter database. Every task is safe to run twice."""

from crontask import cron
from django.tasks import task

from convoca.people.services import person_purge_unconfirmed


@cron("17 3 * * *")
@task
def person_purge_unconfirmed_task() -> int:
    """Every night: erase people who never confirmed their address in time."""
    return person_purge_unconfirmed()
