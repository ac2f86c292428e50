"""Pages a supporter reaches right after giving personal data are kept by no cache.

Not the browser's (a shared computer's back button or disk), not a proxy's,
not Convoca's own page cache: their address alone says that this browser
signed a pledge, registered or wrote to the organisers.
"""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from convoca.actions.models import Action
from convoca.actions.services import action_create
from convoca.coalition.tests.helpers import working_group_make
from convoca.donations.models import Fundraiser
from convoca.donations.services import fundraiser_save
from convoca.events.models import Campaign, Event
from convoca.events.services import campaign_create, event_create
from convoca.mailings.services import mailing_list_create

pytestmark = pytest.mark.django_db

PAGES = [
    ("actions:action-thanks", {"slug": "pledge"}),
    ("actions:action-embed-thanks", {"slug": "pledge"}),
    ("events:event-registered", {"slug": "webinar"}),
    ("donations:donation-thanks", {"slug": "delegation"}),
    ("inbox:contact-thanks", {}),
    ("mailings:subscription-thanks", {"slug": "weekly"}),
    ("mailings:subscription-embed-thanks", {"slug": "weekly"}),
    ("coalition:affiliation-thanks", {}),
    ("coalition:join-sent", {"slug": "sanctions"}),
    ("people:data-request", {}),
    ("people:person-data", {}),
    # Confirmation links, the preference centre, "see my data", the host's page
    # (here with a link that is not valid: the answer is as private).
    ("actions:signature-confirm", {"token": "not-a-token"}),
    ("mailings:subscription-confirm", {"token": "not-a-token"}),
    ("mailings:preferences", {"token": "not-a-token"}),
    ("people:data-access", {"token": "not-a-token"}),
    ("events:host-manage", {"key": "the webinar's"}),
]


@pytest.fixture
def world(organisation):
    action_create(
        language="en",
        title="Pledge of resistance",
        slug="pledge",
        kind=Action.Kind.PLEDGE,
        organisation=organisation,
        status=Action.Status.OPEN,
        ask_place=Action.Ask.REQUIRED,
    )
    start = timezone.now() + timedelta(days=3)
    event_create(
        language="en",
        title="A webinar",
        slug="webinar",
        organisation=organisation,
        status=Event.Status.PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    today = timezone.localdate()
    campaign_create(
        language="en",
        title="Week of action",
        slug="week",
        organisation=organisation,
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=12),
        status=Campaign.Status.PUBLISHED,
    )
    fundraiser_save(
        fundraiser=Fundraiser(
            slug="delegation",
            organisation=organisation,
            goal=500_000,
            status=Fundraiser.Status.OPEN,
        ),
        texts={"en": {"title": "Send a delegation"}, "es": {"title": "Enviar una delegación"}},
    )
    mailing_list_create(
        organisation=None,
        slug="weekly",
        name={"en": "The Weekly", "es": "El Semanario"},
        description={"en": "Links.", "es": "Enlaces."},
    )
    working_group_make(slug="sanctions", name_en="Sanctions")


def _assert_kept_by_no_cache(response):
    assert "no-store" in response.get("Cache-Control", "")
    assert "max-age=60" not in response.get("Cache-Control", "")
    pages = [key for key in caches["pages"]._cache if ":page:" in key]
    assert pages == [], "the page went into the public page cache"


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_a_page_reached_after_giving_personal_data_is_never_stored(world, name, kwargs):
    if kwargs.get("key"):
        kwargs = {"key": Event.objects.get(slug="webinar").host_key}
    with translation.override("en"):
        url = reverse(name, kwargs=kwargs)

    response = Client().get(url)

    assert response.status_code < 500
    _assert_kept_by_no_cache(response)


def test_the_thank_you_page_after_a_pledge_is_never_stored(world):
    client = Client()
    pledge = Action.objects.get(slug="pledge")

    response = client.post(
        pledge.get_absolute_url() + "sign/",
        {
            "email": "ana@example.org",
            "given_name": "Ana",
            "family_name": "López",
            "country": "MX",
            "city": "Tucson",
            "postal_code": "85701",
        },
        follow=True,
    )

    assert response.redirect_chain
    assert response.status_code == 200
    _assert_kept_by_no_cache(response)
    assert "no-store" in Client().get(response.request["PATH_INFO"])["Cache-Control"]


def test_the_host_form_answered_with_what_the_host_typed_is_never_stored(world):
    with translation.override("en"):
        url = reverse("events:campaign-host", kwargs={"slug": "week"})

    response = Client().post(url, {"email": "ana@example.org", "given_name": "Ana"})

    assert response.status_code == 400
    assert b"ana@example.org" in response.content
    _assert_kept_by_no_cache(response)
