"""Every write of the publishing app."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

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
    ARTICLE_SHARED_FIELDS,
    Article,
    ArticleShared,
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


_ARTICLE_MANY = ("topics", "related_actions", "related_events")


def article_save(
    *,
    article: Article,
    shared: dict[str, Any] | None = None,
    translation_of: Article | None = None,
    topics: list[Topic] | None = None,
    related_actions: list | None = None,
    related_events: list | None = None,
) -> Article:
    """Save a version's texts and publication, and what every version of it shares, at once.

    The one write of an article, from the admin, the demo and the tests.
    ``article`` carries its texts and its own status and publication time;
    ``shared`` names what changes for every version (``kind``,
    ``organisation``, ``image``, ``topics``...; ``topics``,
    ``related_actions`` and ``related_events`` may also be given on their
    own), lists replacing what the text had. A new ``article`` with
    ``translation_of`` joins that text, keeping its shared values
    (``shared`` is then ignored). A published version with no
    ``published_at`` is published now (without it, it would never turn
    public). A text taken off the site stays off until ``withdrawn`` is
    set False here or a version is published with ``article_publish``:
    fixing a typo in a withdrawn text does not put it back. Cached public
    pages are forgotten on commit.
    """
    shared = dict(shared or {})
    for name, value in (
        ("topics", topics),
        ("related_actions", related_actions),
        ("related_events", related_events),
    ):
        if value is not None:
            shared[name] = value
    unknown = set(shared) - set(ARTICLE_SHARED_FIELDS)
    if unknown:
        raise ValueError(f"not shared by an article's versions: {sorted(unknown)}")
    many = {name: shared.pop(name) for name in _ARTICLE_MANY if name in shared}
    if article.status == Article.Status.PUBLISHED and not article.published_at:
        article.published_at = timezone.now()
    with transaction.atomic():
        if translation_of is not None and translation_of.shared_id != article.shared_id:
            row = ArticleShared.objects.get(pk=translation_of.shared_id)
            many = {}
        elif article.shared_id and ArticleShared.objects.filter(pk=article.shared_id).exists():
            row = ArticleShared.objects.select_for_update().get(pk=article.shared_id)
        else:  # a new text: its row as the caller or the admin form made it, unsaved
            row = article.shared if "shared" in article._state.fields_cache else ArticleShared()
        for name, value in shared.items():
            if translation_of is None:
                setattr(row, name, value)
        row.full_clean()
        row.save()
        for name, value in many.items():
            getattr(row, name).set(value)
        article.shared = row
        article.full_clean()
        article.save()
    pages_changed()
    return article


def article_create(
    *,
    translation_of: Article | None = None,
    translation_key=None,
    topics: list[Topic] | None = None,
    **fields: Any,
) -> Article:
    """Create a language version of an article: a new text, or another language of one.

    ``fields`` are the version's texts and publication (``language``,
    ``title``, ``slug``, ``status``, ``published_at``...) and, for a new
    text, what every version shares (``kind``, ``organisation``,
    ``image``...). Another language of a text is made ``translation_of``
    one of its versions, or with its ``translation_key`` (a text with that
    key is joined, else made with it); it shares that text's kind,
    organisation, topics and photo, and values given for them here are not
    used. See ``article_save``.
    """
    shared = {name: fields.pop(name) for name in list(fields) if name in ARTICLE_SHARED_FIELDS}
    if topics is not None:
        shared["topics"] = topics
    if translation_of is None and translation_key is not None:
        translation_of = Article.objects.filter(shared_id=translation_key).first()
        if translation_of is None:
            fields["shared"] = ArticleShared(id=translation_key)
    return article_save(article=Article(**fields), shared=shared, translation_of=translation_of)


def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish a version now, or schedule it for ``at`` (it turns public at that time).

    Published now, it keeps a publication time it already had in the past
    (a text taken off and put back keeps its date); one in the future is now.
    A text taken off the site is back on it, in every language published.
    """
    now = timezone.now()
    if at is None:
        at = article.published_at if article.published_at and article.published_at <= now else now
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(
            status=Article.Status.PUBLISHED, published_at=at, updated_at=now
        )
        ArticleShared.objects.filter(pk=article.shared_id).update(withdrawn=False, updated_at=now)
    article.refresh_from_db(fields=["status", "published_at", "updated_at"])
    article.shared.refresh_from_db()
    pages_changed()
    return article


def article_unpublish(*, article: Article | ArticleShared) -> None:
    """Take a text off the public site, in every language, until a version is published again."""
    ArticleShared.objects.filter(pk=article.translation_key).update(
        withdrawn=True, updated_at=timezone.now()
    )
    (article.shared if isinstance(article, Article) else article).refresh_from_db()
    pages_changed()


def article_delete(*, article: Article) -> None:
    """Delete one language version of an article; the last one's text goes with it."""
    with transaction.atomic():
        shared_id = article.shared_id
        article.delete()
        if not Article.objects.filter(shared_id=shared_id).exists():
            ArticleShared.objects.filter(pk=shared_id).delete()
    pages_changed()


# --- Topics and images ---------------------------------------------------------------


def topic_save(*, topic: Topic) -> Topic:
    """Save a topic (its names and descriptions in each language); cached pages forget it."""
    topic.full_clean()
    topic.save()
    pages_changed()
    return topic


def topic_delete(*, topic: Topic) -> None:
    """Delete a topic; its articles stay, without it."""
    topic.delete()
    pages_changed()


def image_save(*, image: Image, upload=None) -> Image:
    """Save a photo's title and credit, and with ``upload`` its new file (see ``image_store``)."""
    if upload is not None:
        return image_store(image=image, upload=upload)
    image.save()
    pages_changed()
    return image


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
    Article.objects.filter(shared__image=image).update(image_alt="")
    ArticleShared.objects.filter(image=image).update(image=None)
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


def weekly_issue_save(*, issue: WeeklyIssue) -> WeeklyIssue:
    """Save an issue's number, date, introduction and state, as an organiser set them.

    Marked published, it is published the one way there is
    (``weekly_issue_publish``: on the web and handed to the mailings engine,
    once) when the transaction commits, so that the sections and links saved
    with it are in the email; until then it is kept as scheduled (or a
    draft). Marked scheduled without a time, it is scheduled for the next
    publication day. Cached public pages are forgotten on commit.
    """
    publish = issue.status == WeeklyIssue.Status.PUBLISHED and issue.mailing_handed_over_at is None
    if publish:
        issue.status = (
            WeeklyIssue.Status.SCHEDULED if issue.publish_at else WeeklyIssue.Status.DRAFT
        )
    elif issue.status == WeeklyIssue.Status.SCHEDULED and issue.publish_at is None:
        issue.publish_at = weekly_next_publish_at()
    issue.save()
    if publish:
        transaction.on_commit(partial(weekly_issue_publish, issue=issue))
    pages_changed()
    return issue


def weekly_issue_delete(*, issue: WeeklyIssue) -> None:
    """Delete an issue; its links stay collected, out of any issue."""
    issue.delete()
    pages_changed()


def weekly_section_save(*, section: WeeklySection) -> WeeklySection:
    """Save a section of an issue (its position and ``{language: title}``)."""
    section.save()
    pages_changed()
    return section


def weekly_section_delete(*, section: WeeklySection) -> None:
    """Delete a section of an issue; its links stay in the issue, out of any section."""
    section.delete()
    pages_changed()


def weekly_link_save(*, link: WeeklyLink, organisation=None) -> WeeklyLink:
    """Save a collected link; a link in a section is in that section's issue.

    A link added inside an issue belongs to the issue's organisation unless
    it says otherwise (``organisation`` or the issue's).
    """
    if link.section_id is not None:
        link.issue = link.section.issue
    if not link.organisation_id:
        link.organisation = organisation or (link.issue.organisation if link.issue_id else None)
    link.full_clean()
    link.save()
    if link.issue_id:
        pages_changed()
    return link


def weekly_link_delete(*, link: WeeklyLink) -> None:
    """Delete a collected link (from its issue too)."""
    in_issue = link.issue_id is not None
    link.delete()
    if in_issue:
        pages_changed()


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
    link = WeeklyLink(organisation=organisation, url=url, title=title, section=section, **fields)
    return weekly_link_save(link=link)


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


def press_coverage_save(*, coverage: PressCoverage) -> PressCoverage:
    """Save a piece of coverage; it shows on "In the media" unless ``public`` is False."""
    coverage.full_clean()
    coverage.save()
    pages_changed()
    return coverage


def press_coverage_create(**fields) -> PressCoverage:
    """Log a piece of coverage from its fields: see ``press_coverage_save``."""
    return press_coverage_save(coverage=PressCoverage(**fields))


def press_coverage_delete(*, coverage: PressCoverage) -> None:
    """Delete a piece of coverage from the log (and from "In the media")."""
    coverage.delete()
    pages_changed()
