"""The public page of the inbox for /sitemap.xml: the contact form."""

from convoca.core.sitemaps import NamedPageSitemap


class InboxPageSitemap(NamedPageSitemap):
    pages = ("inbox:contact-create",)
