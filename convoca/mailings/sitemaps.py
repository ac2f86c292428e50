"""The public pages of mailings for /sitemap.xml: the lists and each public list's form."""

from django.urls import reverse

from convoca.core.sitemaps import NamedPageSitemap, PublicSitemap
from convoca.mailings.selectors import mailing_list_public


class MailingPageSitemap(NamedPageSitemap):
    pages = ("mailings:mailinglist-list",)


class MailingListSitemap(PublicSitemap):
    """Each public list's subscribe page; private lists have none."""

    def items(self):
        return mailing_list_public().order_by("pk")

    def location(self, item) -> str:
        return reverse("mailings:mailinglist-subscribe", kwargs={"slug": item.slug})
