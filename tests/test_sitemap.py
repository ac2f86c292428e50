"""/sitemap.xml: every public page, in each language it exists in, with its other versions."""

from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from convoca.actions.models import Action
from convoca.actions.services import action_create
from convoca.coalition.models import WorkingGroup
from convoca.coalition.services import working_group_save
from convoca.core.demo import demo_load
from convoca.donations.models import Fundraiser
from convoca.donations.services import fundraiser_save
from convoca.events.models import Campaign, Event, Series
from convoca.events.services import campaign_create, event_create
from convoca.mailings.models import MailingList
from convoca.mailings.services import mailing_list_create
from convoca.organisations.models import Organisation
from convoca.publishing.models import Article, Topic, WeeklyIssue
from convoca.publishing.services import article_create

SITE = "http://127.0.0.1:8000"  # settings.SITE_URL in the tests, whatever Host is asked
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _sitemap(client) -> dict[str, dict[str, str]]:
    """``{address: {hreflang: address}}`` for every ``<url>`` of /sitemap.xml."""
    response = client.get("/sitemap.xml", HTTP_HOST="testserver")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own sitemap)
    return {
        url.find("s:loc", NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
        }
        for url in root.findall("s:url", NS)
    }


def _each_language(name: str, **kwargs) -> dict[str, str]:
    urls = {}
    for code in ("en", "es"):
        with translation.override(code):
            urls[code] = SITE + reverse(name, kwargs=kwargs)
    return urls


def _versions(rows) -> dict[str, str]:
    return {row.language: SITE + row.get_absolute_url() for row in rows}


def _assert_listed_with_alternates(urls: dict, versions: dict[str, str]) -> None:
    """Each version is listed, and names every version (itself included) as an alternate."""
    for address in versions.values():
        assert address in urls, f"{address} is not in the sitemap"
        assert urls[address] == versions, address


@pytest.fixture
def demo(db):
    demo_load()


def test_every_kind_of_public_page_is_listed_in_both_languages_with_its_alternates(demo, client):
    urls = _sitemap(client)
    for name in (
        "home",
        "publishing:article-list",
        "publishing:weekly-list",
        "publishing:press-list",
        "actions:action-list",
        "events:event-list",
        "donations:fundraiser-list",
        "coalition:organisation-list",
        "coalition:affiliation-create",
        "coalition:working-group-list",
        "mailings:mailinglist-list",
        "inbox:contact-create",
        "people:data-request",
    ):
        versions = _each_language(name)
        assert versions["en"] != versions["es"]
        _assert_listed_with_alternates(urls, versions)

    # Content kept one row per language: the rows of one translation group.
    published = {
        Article: Article.objects.published(),
        Action: Action.objects.filter(shared__status=Action.Status.OPEN),
        Event: Event.objects.filter(shared__status=Event.Status.PUBLISHED),
        Series: Series.objects.filter(shared__is_published=True),
        Campaign: Campaign.objects.filter(shared__status=Campaign.Status.PUBLISHED),
    }
    for model, rows in published.items():
        # Actions', articles', events', series' and campaigns' versions share a row.
        key = (
            "shared_id"
            if model in (Action, Article, Event, Series, Campaign)
            else "translation_key"
        )
        spanish_keys = rows.filter(language="es").values(key)
        english = rows.filter(language="en", **{f"{key}__in": spanish_keys}).first()
        group = model.objects.filter(**{key: english.translation_key})
        assert group.count() == 2, model
        versions = _versions(group)
        assert set(versions) == {"en", "es"}
        _assert_listed_with_alternates(urls, versions)

    # One row for every language, at the same address name.
    topic = Topic.objects.get(slug="sanctions")
    issue = WeeklyIssue.objects.published().first()
    fundraiser = Fundraiser.objects.get(slug="send-a-delegation")
    group = WorkingGroup.objects.filter(is_public=True).first()
    alerts = MailingList.objects.get(slug="alerts")
    _assert_listed_with_alternates(urls, _each_language("publishing:topic-detail", slug=topic.slug))
    _assert_listed_with_alternates(
        urls, _each_language("publishing:weekly-detail", number=issue.number)
    )
    _assert_listed_with_alternates(
        urls, _each_language("donations:fundraiser-detail", slug=fundraiser.slug)
    )
    _assert_listed_with_alternates(
        urls, _each_language("coalition:working-group-detail", slug=group.slug)
    )
    _assert_listed_with_alternates(
        urls, _each_language("mailings:mailinglist-subscribe", slug=alerts.slug)
    )


def test_every_listed_address_is_a_public_page_no_robot_is_kept_from(demo, client):
    urls = _sitemap(client)
    assert len(urls) > 100
    robots = client.get("/robots.txt").text
    disallowed = [
        line.split(": ", 1)[1] for line in robots.splitlines() if line.startswith("Disallow")
    ]
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    for address in urls:
        assert address.startswith(f"{SITE}/en/") or address.startswith(f"{SITE}/es/")
        path = urlsplit(address).path
        assert not any(path.startswith(prefix) for prefix in disallowed), path
        assert client.get(path).status_code == 200, path
    # No thank-you page, host link, personal link or signer list.
    for word in ("thanks", "gracias", "host", "anfitrion", "confirm", "signers", "firmantes"):
        assert not [address for address in urls if word in address], word


def test_drafts_pending_and_private_items_are_not_listed(client, organisation):
    now = timezone.now()
    action_create(
        language="en",
        title="Draft appeal",
        slug="draft-appeal",
        organisation=organisation,
        status=Action.Status.DRAFT,
    )
    article_create(
        language="en",
        kind=Article.Kind.STATEMENT,
        title="Not yet",
        slug="not-yet",
        body="Text.",
        organisation=organisation,
        status=Article.Status.DRAFT,
        published_at=None,
    )
    for status, slug in (
        (Event.Status.DRAFT, "draft-event"),
        (Event.Status.PENDING, "hosted-event"),
    ):
        event_create(
            language="en",
            title="An event",
            slug=slug,
            organisation=organisation,
            status=status,
            kind=Event.Kind.ONLINE,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=1),
            time_zone="UTC",
            online_url="https://meet.example.org/room",
        )
    campaign_create(
        language="en",
        title="Week of action",
        slug="draft-week",
        starts_on=now.date(),
        ends_on=now.date() + timedelta(days=7),
        organisation=organisation,
        status=Campaign.Status.DRAFT,
    )
    fundraiser_save(
        fundraiser=Fundraiser(
            slug="draft-fund",
            organisation=organisation,
            goal=100_000,
            currency="EUR",
            status=Fundraiser.Status.DRAFT,
        ),
        texts={"en": {"title": "Draft fund"}, "es": {"title": "Fondo en borrador"}},
    )
    working_group_save(
        group=WorkingGroup(organisation=organisation, slug="security", is_public=False),
        texts={"en": {"name": "Security"}},
    )
    mailing_list_create(
        organisation=organisation,
        slug="organisers",
        name={"en": "Organisers"},
        description={},
        is_public=False,
    )
    suspended = Organisation.objects.create(
        name="Suspended", slug="suspended", status=Organisation.Status.SUSPENDED
    )
    fundraiser_save(
        fundraiser=Fundraiser(
            slug="suspended-fund",
            organisation=suspended,
            goal=100_000,
            currency="EUR",
            status=Fundraiser.Status.OPEN,
        ),
        texts={"en": {"title": "Their fund"}, "es": {"title": "Su fondo"}},
    )

    addresses = "\n".join(_sitemap(client))
    assert f"{SITE}/en/donate/" in addresses  # the lists themselves are there
    assert f"{SITE}/en/working-groups/" in addresses
    for slug in (
        "draft-appeal",
        "not-yet",
        "draft-event",
        "hosted-event",
        "draft-week",
        "draft-fund",
        "suspended-fund",
        "security",
        "organisers",
    ):
        assert f"/{slug}/" not in addresses, slug


def test_a_page_in_one_language_only_has_no_alternate_in_the_other(client, organisation):
    article_create(
        language="en",
        kind=Article.Kind.STATEMENT,
        title="Only in English",
        slug="only-in-english",
        body="Text.",
        organisation=organisation,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    start = timezone.now() + timedelta(days=2)
    spanish_event = event_create(
        language="es",
        title="Charla en Madrid",
        slug="charla-madrid",
        organisation=organisation,
        status=Event.Status.PUBLISHED,
        kind=Event.Kind.ONLINE,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Europe/Madrid",
        online_url="https://meet.example.org/room",
    )
    urls = _sitemap(client)
    english = f"{SITE}/en/articles/only-in-english/"
    assert urls[english] == {"en": english}
    assert not [address for address in urls if "only-in-english" in address and address != english]
    spanish = SITE + spanish_event.get_absolute_url()
    assert urls[spanish] == {"es": spanish}
    assert f"{SITE}/en/events/charla-madrid/" not in urls


def test_the_sitemap_is_a_cached_public_page(client, settings, organisation):
    settings.CONVOCA_PAGE_CACHE_SECONDS = 60
    first = client.get("/sitemap.xml")
    assert first.status_code == 200
    assert "max-age=60" in first["Cache-Control"]
