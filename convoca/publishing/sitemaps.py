"""The public pages of publishing for /sitemap.xml: lists, texts, topics, Weekly issues."""

from convoca.core.sitemaps import NamedPageSitemap, PublicSitemap, TranslationGroupSitemap
from convoca.publishing.models import Article, Topic
from convoca.publishing.selectors import weekly_issue_list_public


class PublishingPageSitemap(NamedPageSitemap):
    pages = ("publishing:article-list", "publishing:weekly-list", "publishing:press-list")


class ArticleSitemap(TranslationGroupSitemap):
    """Published texts whose time has come; a version in one language only is listed alone."""

    def rows(self):
        return (
            Article.objects.published()
            .only("slug", "language", "shared", "updated_at")
            .order_by("-published_at", "pk")
        )


class TopicSitemap(PublicSitemap):
    """Topics with a published text; a topic's page exists in every language."""

    def items(self):
        return Topic.objects.filter(articles__versions__in=Article.objects.published()).distinct()


class WeeklyIssueSitemap(PublicSitemap):
    """Published issues: one issue for every language."""

    def items(self):
        return weekly_issue_list_public()

    def lastmod(self, item):
        return item.updated_at
