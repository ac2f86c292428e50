"""Atom feeds: articles per language, per topic, and the Weekly."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from convoca.publishing.selectors import (
    article_list_public,
    topic_get,
    weekly_issue_list_public,
    weekly_issue_sections,
)

FEED_SIZE = 30


class ArticleFeed(Feed):
    """The latest published articles in the reader's language (the URL's prefix)."""

    feed_type = Atom1Feed

    # One instance serves every request (and thread): the language is the
    # active one (the URL's prefix), never stored on ``self``.
    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj):
        return _("%(site)s: statements and news") % {"site": settings.SITE_NAME}

    def subtitle(self, obj):
        return _("Statements, news and analysis from %(site)s.") % {"site": settings.SITE_NAME}

    def link(self, obj):
        return reverse("publishing:article-list")

    def feed_url(self, obj):
        return reverse("publishing:article-feed")

    def items(self, obj):
        return article_list_public(language=get_language())[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        return item.byline or item.organisation.name

    def item_categories(self, item):
        return [item.get_kind_display()]


class TopicFeed(ArticleFeed):
    """The latest published articles of one topic, in the reader's language."""

    def get_object(self, request, slug):
        topic = topic_get(slug=slug)
        if topic is None:
            raise Http404
        return topic

    def title(self, obj):
        return _("%(site)s: %(topic)s") % {"site": settings.SITE_NAME, "topic": obj.label()}

    def subtitle(self, obj):
        return obj.description_in() or self.title(obj)

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("publishing:topic-feed", kwargs={"slug": obj.slug})

    def items(self, obj):
        return article_list_public(language=get_language(), topic=obj)[:FEED_SIZE]


class WeeklyFeed(Feed):
    """Every published issue of the Weekly, its links listed in the entry."""

    feed_type = Atom1Feed

    # One instance serves every request (and thread): the language is the
    # active one (the URL's prefix), never stored on ``self``.
    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj):
        return _("The Weekly")

    def subtitle(self, obj):
        return _(
            "Every Friday, the week's most important articles and videos, chosen by %(site)s."
        ) % {"site": settings.SITE_NAME}

    def link(self, obj):
        return reverse("publishing:weekly-list")

    def feed_url(self, obj):
        return reverse("publishing:weekly-feed")

    def items(self, obj):
        return weekly_issue_list_public()[:FEED_SIZE]

    def item_title(self, item):
        return _("The Weekly #%(number)s – %(date)s") % {  # noqa: RUF001
            "number": item.number,
            "date": date_format(item.date, "DATE_FORMAT"),
        }

    def item_description(self, item):
        titles = [
            link.title
            for _section, links in weekly_issue_sections(item, get_language())
            for link in links
        ]
        return " · ".join(titles)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)
