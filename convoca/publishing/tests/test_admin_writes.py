"""What an organiser notices after changing publishing content in the admin.

The admin writes through the same services as the demo and the tests, so an
edit there shows on the public site (its cached pages forgotten), in the
feeds and in the sitemap.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from convoca.mailings.models import Mailing, MailingList
from convoca.mailings.services import mailing_list_save
from convoca.publishing.models import Article, Topic, WeeklyIssue
from convoca.publishing.services import article_create, topic_save, weekly_issue_create


def _article_form(organisation, **fields):
    return {
        "kind": "statement",
        "language": "en",
        "translation_of": "",
        "title": "Lift the blockade now",
        "slug": "lift-the-blockade",
        "standfirst": "",
        "body": "Text.",
        "organisation": organisation.pk,
        "byline": "",
        "dateline": "",
        "image_alt": "",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        **fields,
    }


def _an_hour_ago():
    moment = timezone.localtime(timezone.now() - timedelta(hours=1))
    return {
        "published_at_0": moment.date().isoformat(),
        "published_at_1": moment.strftime("%H:%M:%S"),
    }


@pytest.fixture
def draft(organisation):
    return article_create(
        language="en",
        title="Lift the blockade now",
        slug="lift-the-blockade",
        body="Text.",
        organisation=organisation,
    )


def _public(client):
    """The article list, its feed and the sitemap, as a visitor sees them."""
    return [
        client.get(reverse("publishing:article-list")).text,
        client.get(reverse("publishing:article-feed")).text,
        client.get("/sitemap.xml").text,
    ]


def test_an_article_published_in_the_admin_is_on_the_site_its_topic_the_feed_and_sitemap(
    client, organiser, organisation, django_capture_on_commit_callbacks
):
    sanctions = topic_save(topic=Topic(slug="sanctions", name={"en": "Sanctions"}))
    assert not any("lift-the-blockade" in page for page in _public(client))  # now cached
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:publishing_article_add"),
            _article_form(organisation, topics=[sanctions.pk], **_an_hour_ago()),
        )
    assert response.status_code == 302, response.text
    client.logout()
    assert all("lift-the-blockade" in page for page in _public(client))
    topic_page = client.get(reverse("publishing:topic-detail", args=["sanctions"])).text
    assert "Lift the blockade now" in topic_page


def test_the_publish_action_puts_a_draft_on_the_site(
    client, organiser, draft, django_capture_on_commit_callbacks
):
    assert not any("lift-the-blockade" in page for page in _public(client))
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:publishing_article_changelist"),
            {"action": "publish_now", "_selected_action": [draft.pk]},
        )
    assert response.status_code == 302
    client.logout()
    assert all("lift-the-blockade" in page for page in _public(client))


def test_taking_an_article_off_the_site_in_the_admin_removes_it_from_the_cached_pages(
    client, organiser, make_article, django_capture_on_commit_callbacks
):
    article = make_article(slug="old-news", title="Old news")
    assert all("old-news" in page for page in _public(client))
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:publishing_article_changelist"),
            {"action": "return_to_draft", "_selected_action": [article.pk]},
        )
    client.logout()
    assert not any("old-news" in page for page in _public(client))
    assert client.get(article.get_absolute_url()).status_code == 404


def test_an_organiser_cannot_publish_another_organisations_draft(
    client, organiser, other_organisation, django_capture_on_commit_callbacks
):
    theirs = article_create(
        language="en", title="Their draft", slug="their-draft", body="x",
        organisation=other_organisation,
    )  # fmt: skip
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:publishing_article_changelist"),
            {"action": "publish_now", "_selected_action": [theirs.pk]},
        )
    theirs.refresh_from_db()
    assert theirs.status == Article.Status.DRAFT
    change = reverse("admin:publishing_article_change", args=[theirs.pk])
    form = _article_form(theirs.organisation, **_an_hour_ago())
    assert client.post(change, form).status_code == 404


def test_an_issue_marked_published_in_its_form_goes_on_the_web_and_out_by_email_with_its_links(
    client, organiser, organisation, django_capture_on_commit_callbacks
):
    mailing_list_save(
        mailing_list=MailingList(
            organisation=organisation, slug="weekly", purpose=MailingList.Purpose.WEEKLY
        ),
        texts={"en": {"name": "The Weekly"}},
    )
    issue = weekly_issue_create(organisation=organisation, number=3, sections=[{"en": "News"}])
    section = issue.sections.get()
    assert "The Weekly #3" not in client.get("/en/weekly/").text  # now cached
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:publishing_weeklyissue_change", args=[issue.pk]),
            {
                "organisation": organisation.pk,
                "number": 3,
                "date": issue.date.isoformat(),
                "status": "published",
                "publish_at_0": "",
                "publish_at_1": "",
                "intro_en": "",
                "intro_es": "",
                "sections-TOTAL_FORMS": 1,
                "sections-INITIAL_FORMS": 1,
                "sections-0-id": section.pk,
                "sections-0-issue": issue.pk,
                "sections-0-position": 0,
                "sections-0-title_en": "News",
                "sections-0-title_es": "Noticias",
                "links-TOTAL_FORMS": 1,
                "links-INITIAL_FORMS": 0,
                "links-0-section": section.pk,
                "links-0-position": 0,
                "links-0-url": "https://news.example/added-with-publication",
                "links-0-title": "Added with the publication",
                "links-0-source": "",
                "links-0-kind": "article",
                "links-0-language": "en",
                "links-0-note": "",
                "links-0-topic": "",
            },
        )
    assert response.status_code == 302, response.text
    issue.refresh_from_db()
    assert issue.status == WeeklyIssue.Status.PUBLISHED
    assert issue.published_at is not None
    client.logout()
    assert "The Weekly #3" in client.get("/en/weekly/").text
    assert "Added with the publication" in client.get("/en/weekly/3/").text
    mailing = Mailing.objects.get()
    assert "Added with the publication" in mailing.body_markdown["en"]


def test_publish_now_puts_a_text_drafted_for_next_week_on_the_site_today(
    client, organiser, organisation, django_capture_on_commit_callbacks
):
    draft = article_create(
        language="en", title="Lift the blockade now", slug="lift-the-blockade", body="Text.",
        organisation=organisation, published_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:publishing_article_changelist"),
            {"action": "publish_now", "_selected_action": [draft.pk]},
        )
    client.logout()
    assert all("lift-the-blockade" in page for page in _public(client))
