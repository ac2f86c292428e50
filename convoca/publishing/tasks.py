"""Background work of the publishing app."""

from crontask import cron
from django.tasks import task

from convoca.publishing.services import weekly_issue_publish_due


@cron("*/5 * * * *")
@task
def weekly_issue_publish_due_task() -> int:
    """Every five minutes: publish the Weekly issues whose time has come (Friday by default)."""
    return weekly_issue_publish_due()
