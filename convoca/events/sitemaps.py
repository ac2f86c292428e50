"""The public pages of events for /sitemap.xml: the list, events, series and campaigns."""

from convoca.core.sitemaps import NamedPageSitemap, TranslationGroupSitemap
from convoca.events.models import Campaign, Event, Series
from convoca.events.selectors import LISTED


class EventPageSitemap(NamedPageSitemap):
    pages = ("events:event-list",)


class EventSitemap(TranslationGroupSitemap):
    """Published events, past ones too, and cancelled ones (their page says so)."""

    def rows(self):
        return (
            Event.objects.filter(shared__status__in=LISTED)
            .only("slug", "language", "shared", "updated_at")
            .order_by("shared__starts_at", "pk")
        )


class SeriesSitemap(TranslationGroupSitemap):
    """Published series (a monthly webinar): each language version."""

    def rows(self):
        return (
            Series.objects.filter(shared__is_published=True)
            .only("slug", "language", "shared_id", "updated_at")
            .order_by("pk")
        )


class CampaignSitemap(TranslationGroupSitemap):
    """Published campaigns (a week of action): each language version."""

    def rows(self):
        return (
            Campaign.objects.filter(shared__status=Campaign.Status.PUBLISHED)
            .only("slug", "language", "shared_id", "updated_at")
            .order_by("pk")
        )
