"""The public pages of actions for /sitemap.xml: the list and every action not in draft."""

from convoca.actions.models import Action
from convoca.core.sitemaps import NamedPageSitemap, TranslationGroupSitemap


class ActionPageSitemap(NamedPageSitemap):
    pages = ("actions:action-list",)


class ActionSitemap(TranslationGroupSitemap):
    """Open and closed actions (a closed one still shows its text and count), each version.

    Not their signer lists: a page of supporters' names is for those who
    look for it on the action's page, not for search engines to index.
    """

    def rows(self):
        return (
            Action.objects.exclude(shared__status=Action.Status.DRAFT)
            .select_related("shared")
            .only("slug", "language", "shared__kind", "updated_at")
            .order_by("-created_at", "pk")
        )
