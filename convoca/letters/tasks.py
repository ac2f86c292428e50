"""Background work for letters. Every task may run twice without doing anything twice."""

from crontask import cron
from django.tasks import task

from convoca.letters.services import letter_digests_send


@cron("0 7 * * *")
@task
def letter_digests_send_task() -> int:
    """Every morning (UTC): each decision-maker's digest of the letters waiting for them."""
    return letter_digests_send()
