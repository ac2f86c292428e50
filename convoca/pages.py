"""Pages that gather several apps: the home page, robots.txt and /sitemap.xml.

Project-level, beside ``urls.py`` and ``dashboard.py``: core knows no
domain app (an import contract in CI keeps it so), while these pages show
or list what several of them hold. Each app lists its own public pages in
its ``sitemaps.py``; ``SITEMAPS`` gathers them.
"""

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from convoca.actions.selectors import action_figures, action_list_open, signature_total_public
from convoca.actions.sitemaps import ActionPageSitemap, ActionSitemap
from convoca.coalition.selectors import organisation_list_public, working_group_list_public
from convoca.coalition.sitemaps import CoalitionPageSitemap, WorkingGroupSitemap
from convoca.core.caching import public_page
from convoca.core.sitemaps import NamedPageSitemap
from convoca.donations.sitemaps import FundraiserPageSitemap, FundraiserSitemap
from convoca.events.selectors import event_list_upcoming
from convoca.events.sitemaps import CampaignSitemap, EventPageSitemap, EventSitemap, SeriesSitemap
from convoca.inbox.sitemaps import InboxPageSitemap
from convoca.mailings.sitemaps import MailingListSitemap, MailingPageSitemap
from convoca.people.sitemaps import PeoplePageSitemap
from convoca.publishing.selectors import (
    article_list_latest,
    press_coverage_count,
    weekly_issue_latest,
    weekly_issue_sections,
)
from convoca.publishing.sitemaps import (
    ArticleSitemap,
    PublishingPageSitemap,
    TopicSitemap,
    WeeklyIssueSitemap,
)


@public_page
@require_safe
def home(request):
    language = request.LANGUAGE_CODE
    organisations = organisation_list_public()
    actions = [
        {"action": action, "figures": action_figures(action)}
        for action in action_list_open(language=language)[:4]
    ]
    weekly = weekly_issue_latest()
    weekly_links = []
    if weekly is not None:
        weekly_links = [
            link for _t, links in weekly_issue_sections(weekly, language) for link in links
        ]
    return render(
        request,
        "core/home.html",
        {
            "organisations": organisations,
            "country_count": len({o.country for o in organisations if o.country}),
            "working_groups": working_group_list_public(),
            "articles": article_list_latest(language=language),
            "events": event_list_upcoming(language=language)[:4],
            "actions": actions,
            # The coalition's total, not the sum of the few actions listed.
            "signature_count": signature_total_public(),
            "weekly": weekly,
            "weekly_links": weekly_links[:4],
            "press_count": press_coverage_count(),
            "hreflang": _home_in_each_language(),
        },
    )


def _home_in_each_language() -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse("home")
    return urls


class HomeSitemap(NamedPageSitemap):
    pages = ("home",)


#: Every section of /sitemap.xml, in the order they are listed.
SITEMAPS = {
    "home": HomeSitemap,
    "publishing-pages": PublishingPageSitemap,
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "weekly": WeeklyIssueSitemap,
    "actions-pages": ActionPageSitemap,
    "actions": ActionSitemap,
    "events-pages": EventPageSitemap,
    "events": EventSitemap,
    "series": SeriesSitemap,
    "campaigns": CampaignSitemap,
    "donations-pages": FundraiserPageSitemap,
    "fundraisers": FundraiserSitemap,
    "coalition-pages": CoalitionPageSitemap,
    "working-groups": WorkingGroupSitemap,
    "mailings-pages": MailingPageSitemap,
    "mailing-lists": MailingListSitemap,
    "inbox-pages": InboxPageSitemap,
    "people-pages": PeoplePageSitemap,
}


@public_page
@require_safe
def sitemap(request):
    """``/sitemap.xml``: every public page in each language it exists in, with its alternates."""
    return sitemap_view(request, sitemaps=SITEMAPS)


#: Addresses that only their holder should open: a personal link's token or key
#: follows the prefix. Crawlers that obey robots.txt leave them alone (the pages
#: are ``noindex``-worthy anyway: they are personal and never cached).
_PRIVATE_LINKS = [
    ("actions:signature-confirm", ("token",)),
    ("coalition:join-confirm", ("token",)),
    ("coalition:join-review", ("token",)),
    ("coalition:organiser-set-password", ("uidb64", "token")),
    ("donations:donation-manage", ("token",)),
    ("events:registration-detail", ("token",)),
    ("events:series-registration-cancel", ("token",)),
    ("events:host-manage", ("key",)),
    ("mailings:subscription-confirm", ("token",)),
    ("mailings:preferences", ("token",)),
    ("mailings:unsubscribe", ("token",)),
    ("mailings:open", ("token",)),
    ("people:data-access", ("token",)),
    ("people:person-data", ()),
]
_MARKER = "robots-placeholder"


def _private_prefixes() -> list[str]:
    """Each private address in each language, cut where its token starts."""
    prefixes = ["/admin/"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name, arguments in _PRIVATE_LINKS:
                url = reverse(name, kwargs=dict.fromkeys(arguments, _MARKER))
                prefixes.append(url.split(_MARKER, 1)[0])
    return list(dict.fromkeys(prefixes))


@public_page
@require_safe
def robots_txt(request):
    """``/robots.txt``: crawl the public pages, not the admin nor personal links; the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in _private_prefixes()]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
