"""The public pages of donations for /sitemap.xml: the list and each fundraiser."""

from convoca.core.sitemaps import NamedPageSitemap, PublicSitemap
from convoca.donations.models import Fundraiser


class FundraiserPageSitemap(NamedPageSitemap):
    pages = ("donations:fundraiser-list",)


class FundraiserSitemap(PublicSitemap):
    """Open and closed fundraisers of active organisations (as ``fundraiser_get_public``)."""

    def items(self):
        return (
            Fundraiser.objects.filter(organisation__status="active")
            .exclude(status=Fundraiser.Status.DRAFT)
            .only("slug", "updated_at")
            .order_by("-created_at", "pk")
        )

    def lastmod(self, item):
        return item.updated_at
