"""Background work for mailings. Every task may run twice without doing anything twice."""

from crontask import cron
from django.tasks import task

from convoca.mailings.services import mailing_batch_run, mailing_resume_stalled


@task
def mailing_send_batch_task(*, mailing_id: int) -> int:
    """Send one batch of a mailing over one connection; enqueue the next one."""
    return mailing_batch_run(mailing_id=mailing_id).sent


@cron("* * * * *")
@task
def mailing_resume_stalled_task() -> list[int]:
    """Every minute: start scheduled mailings that are due, revive those whose worker died."""
    return mailing_resume_stalled()
