"""The public pages of the coalition for /sitemap.xml: directory, joining, working groups."""

from convoca.coalition.selectors import working_group_list_public
from convoca.core.sitemaps import NamedPageSitemap, PublicSitemap


class CoalitionPageSitemap(NamedPageSitemap):
    pages = (
        "coalition:organisation-list",
        "coalition:affiliation-create",
        "coalition:working-group-list",
    )


class WorkingGroupSitemap(PublicSitemap):
    """Public working groups; a private group has no page anyone may see."""

    def items(self):
        return working_group_list_public().order_by("pk")

    def lastmod(self, item):
        return item.updated_at
