"""Background work for the supporter database. Every task is safe to run twice."""

from crontask import cron
from django.tasks import task

from convoca.people.imports import person_import_analyse, person_import_run
from convoca.people.services import person_purge_unconfirmed


@cron("17 3 * * *")
@task
def person_purge_unconfirmed_task() -> int:
    """Every night: erase people who never confirmed their address in time."""
    return person_purge_unconfirmed()


@task
def person_import_analyse_task(import_id: str) -> None:
    """Count what importing an uploaded file would do, for the organiser's preview."""
    person_import_analyse(import_id=import_id)


@task
def person_import_run_task(import_id: str) -> None:
    """Import a confirmed file; a second run continues after the last batch written."""
    person_import_run(import_id=import_id)
