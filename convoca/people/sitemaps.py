"""The public page of people for /sitemap.xml: asking for one's own data.

Not the pages a personal link opens: they are for one person only.
"""

from convoca.core.sitemaps import NamedPageSitemap


class PeoplePageSitemap(NamedPageSitemap):
    pages = ("people:data-request",)
