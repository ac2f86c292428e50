"""Every write of the publishing app."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from convoca.core.caching import public_pages_invalidate
from convoca.publishing.fetch import FetchFailed, FetchRefused, link_metadata_fetch
from convoca.publishing.images import image_renditions
from convoca.publishing.models import (
    Article,
    Image,
    PressCoverage,
    Topic,
    WeeklyIssue,
    WeeklyLink,
    WeeklySection,
)


def pages_changed() -> None:
    """Forget cached public pages once the current transaction commits."""
    transaction.on_commit(public_pages_invalidate)


# --- Articles ------------------------------------------------------------------------


def article_create(*, topics: list[Topic] | None = None, **fields) -> Article:
    """Save a new article version (a draft unless ``status`` says otherwise).

    ``translation_key`` joins it to the versions of the same text in other
    languages. A published article with no ``published_at`` is published now.
    """
    if fields.get("status") == Article.Status.PUBLISHED and not fields.get("published_at"):
        fields["published_at"] = timezone.now()
    article = Article(**fields)
    article.full_clean()
    article.save()
    if topics:
        article.topics.set(topics)
    pages_changed()
    return article


def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish an article now, or schedule it for ``at`` (it turns public at that time)."""
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    pages_changed()
    return article


def image_store(*, image: Image, upload) -> Image:
    """Re-encode ``upload`` at a few widths without metadata and save them as ``image``.

    Raises ``images.ImageInvalid`` for a file that is not a readable photo;
    nothing of the upload itself is ever written.
    """
    renditions = image_renditions(upload)
    image.width, image.height = renditions.width, renditions.height
    image.widths = sorted(renditions.files)
    image.save()
    for width, data in renditions.files.items():
        path = image.path(width)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(data))
    pages_changed()
    return image


def image_delete(*, image: Image) -> None:
    """Delete a photo and every stored width of it (articles showing it lose their image).

    The files go too: a deleted protest photo must not stay reachable at its address.
    """
    paths = [image.path(width) for width in image.widths]
    Article.objects.filter(image=image).update(image=None, image_alt="")
    image.delete()
    for path in paths:
        transaction.on_commit(lambda path=path: default_storage.delete(path))
    pages_changed()


def image_create(*, organisation, upload, title: str, credit: str = "") -> Image:
    """Upload a photo: see ``image_store``."""
    return image_store(
        image=Image(organisation=organisation, title=title, credit=credit), upload=upload
    )


# --- The Weekly ----------------------------------------------------------------------


def weekly_next_publish_at(*, after: datetime | None = None) -> datetime:
    """The next default publication time: Friday (``WEEKLY_WEEKDAY``) at ``WEEKLY_HOUR``."""
    now = timezone.localtime(after or timezone.now())
    days = (settings.CONVOCA_WEEKLY_WEEKDAY - now.weekday()) % 7
    day = now.date() + timedelta(days=days)
    candidate = timezone.make_aware(datetime.combine(day, time(settings.CONVOCA_WEEKLY_HOUR)))
    if candidate <= now:
        candidate = timezone.make_aware(
            datetime.combine(day + timedelta(days=7), time(settings.CONVOCA_WEEKLY_HOUR))
        )
    return candidate


def weekly_issue_create(
    *,
    organisation,
    number: int | None = None,
    issue_date: date | None = None,
    intro: dict | None = None,
    sections: list[dict] | None = None,
) -> WeeklyIssue:
    """Start the next issue (numbered after the last one), dated for its default Friday.

    ``sections`` are ``{language: title}`` labels, in order.
    """
    with transaction.atomic():
        if number is None:
            number = (WeeklyIssue.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        publish_at = weekly_next_publish_at()
        issue = WeeklyIssue.objects.create(
            organisation=organisation,
            number=number,
            date=issue_date or timezone.localdate(publish_at),
            intro=intro or {},
        )
        for position, title in enumerate(sections or []):
            WeeklySection.objects.create(issue=issue, position=position, title=title)
    return issue


def weekly_link_create(
    *,
    organisation,
    url: str,
    title: str = "",
    fetch: bool = False,
    section: WeeklySection | None = None,
    **fields,
) -> WeeklyLink:
    """Collect a link for the Weekly; with ``fetch`` and no title, read the title from the page.

    Raises ``fetch.FetchRefused`` / ``fetch.FetchFailed`` when the title was
    to be fetched and could not be.
    """
    if fetch and not title:
        metadata = link_metadata_fetch(
            url,
            timeout=settings.CONVOCA_LINK_FETCH_TIMEOUT,
            max_bytes=settings.CONVOCA_LINK_FETCH_MAX_BYTES,
        )
        title = metadata.title
        fields.setdefault("source", metadata.site_name)
        fields.setdefault("note", metadata.description[:300])
    if section is not None:
        fields["issue"] = section.issue
    link = WeeklyLink(organisation=organisation, url=url, title=title, section=section, **fields)
    link.full_clean()
    link.save()
    if link.issue_id:
        pages_changed()
    return link


def link_metadata_prefill(url: str, *, raise_errors: bool = False) -> dict:
    """Title, outlet and note for a pasted address, or ``{}`` when the page cannot be had.

    With ``raise_errors``, FetchRefused / FetchFailed say why instead.
    """
    try:
        metadata = link_metadata_fetch(
            url,
            timeout=settings.CONVOCA_LINK_FETCH_TIMEOUT,
            max_bytes=settings.CONVOCA_LINK_FETCH_MAX_BYTES,
        )
    except (FetchRefused, FetchFailed):
        if raise_errors:
            raise
        return {}
    return {"title": metadata.title, "source": metadata.site_name, "note": metadata.description}


def weekly_issue_schedule(*, issue: WeeklyIssue, publish_at: datetime | None = None) -> WeeklyIssue:
    """Schedule an issue for ``publish_at`` (by default the next Friday morning)."""
    issue.status = WeeklyIssue.Status.SCHEDULED
    issue.publish_at = publish_at or weekly_next_publish_at()
    issue.save(update_fields=["status", "publish_at", "updated_at"])
    return issue


def weekly_issue_publish(*, issue: WeeklyIssue) -> WeeklyIssue:
    """Publish an issue on the web and hand it to the mailings engine, once.

    Idempotent: a second call (a retried task, two schedulers) finds the
    issue published and handed over and does nothing more.
    """
    from convoca.mailings.models import MailingList
    from convoca.mailings.selectors import mailing_list_for
    from convoca.mailings.services import mailing_create, mailing_send_now
    from convoca.publishing.emails import weekly_issue_email_markdown

    with transaction.atomic():
        issue = WeeklyIssue.objects.select_for_update().get(pk=issue.pk)
        now = timezone.now()
        if issue.status != WeeklyIssue.Status.PUBLISHED:
            issue.status = WeeklyIssue.Status.PUBLISHED
            issue.published_at = now
            issue.publish_at = issue.publish_at or now
        if issue.mailing_handed_over_at is None:
            subject, body_markdown = {}, {}
            for code, _name in settings.LANGUAGES:
                subject[code], body_markdown[code] = weekly_issue_email_markdown(issue, code)
            # Inside this transaction and under this row lock, so the mailing is
            # created exactly once with the issue's publication.
            weekly_list = mailing_list_for(
                organisation=issue.organisation, purpose=MailingList.Purpose.WEEKLY
            )
            if weekly_list is not None:
                mailing = mailing_create(
                    organisation=issue.organisation,
                    lists=[weekly_list],
                    subject=subject,
                    body_markdown=body_markdown,
                )
                mailing_send_now(mailing=mailing)
            issue.mailing_handed_over_at = now
        issue.save()
    pages_changed()
    return issue


def weekly_issue_publish_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled issue whose time has come; return how many."""
    now = now or timezone.now()
    due = WeeklyIssue.objects.filter(status=WeeklyIssue.Status.SCHEDULED, publish_at__lte=now)
    count = 0
    for issue in due:
        weekly_issue_publish(issue=issue)
        count += 1
    return count


# --- Press coverage ------------------------------------------------------------------


def press_coverage_create(**fields) -> PressCoverage:
    """Log a piece of coverage; it shows on "In the media" unless ``public`` is False."""
    coverage = PressCoverage(**fields)
    coverage.full_clean()
    coverage.save()
    pages_changed()
    return coverage
