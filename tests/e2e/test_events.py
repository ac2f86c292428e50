"""Events in a real browser: the map, registering, the .ics, reminders, hosting, approval."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from convoca.events.models import Campaign, Event
from convoca.events.places import place_find
from convoca.events.services import campaign_create, event_create, reminders_due
from convoca.organisations.models import Membership, Organisation
from convoca.organisations.services import staff_member_create

pytestmark = pytest.mark.e2e


@pytest.fixture
def organisation(transactional_db):
    return Organisation.objects.create(
        name="Solidarity Network Tucson",
        slug="snt",
        country="US",
        status=Organisation.Status.ACTIVE,
    )


@pytest.fixture
def campaign(organisation):
    today = timezone.localdate()
    campaign = campaign_create(
        language="en",
        title="International week of action",
        slug="week-of-action",
        call="Rally in your city.",
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=12),
        organisation=organisation,
        status=Campaign.Status.PUBLISHED,
    )
    for city, country, zone in [
        ("Tucson", "US", "America/Phoenix"),
        ("Madrid", "ES", "Europe/Madrid"),
    ]:
        place = place_find(city, country)
        start = (timezone.now() + timedelta(days=6)).replace(second=0, microsecond=0)
        event_create(
            language="en",
            kind=Event.Kind.IN_PERSON,
            title=f"Rally in {city}",
            slug=f"rally-{city.lower()}",
            organisation=organisation,
            host_group=f"{city} Solidarity",
            status=Event.Status.PUBLISHED,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            time_zone=zone,
            venue_name="Main square",
            city=city,
            country=country,
            latitude=place.latitude,
            longitude=place.longitude,
            campaign=campaign,
        )
    return campaign


@pytest.fixture
def strict_without_pow(settings):
    """Registering only passes with the proof of work the browser solves."""
    settings.CONVOCA_RATE_LIMITS = {
        **settings.CONVOCA_RATE_LIMITS,
        "event-register-without-pow": {"per_client": (0, 3600), "per_email": (0, 3600)},
        "event-host-without-pow": {"per_client": (0, 3600), "per_email": (0, 3600)},
    }


def _foreign(requests, live_server):
    return [url for url in requests if not url.startswith((live_server.url, "data:"))]


def test_a_visitor_finds_a_rally_near_them_registers_and_gets_the_ics_and_a_reminder(
    new_context, campaign, live_server, strict_without_pow
):
    page = new_context().new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(campaign.get_absolute_url())
    expect(page.get_by_text("2 events in 2 countries")).to_be_visible()
    expect(page.locator("svg.world-map circle.dot")).to_have_count(2)
    page.get_by_label("Your city or postal code").fill("Tucson, US")
    page.get_by_role("button", name="Show events").click()
    near = page.locator("section.near")
    expect(near.get_by_role("heading", name="Events near Tucson")).to_be_visible()
    expect(near.get_by_text("Rally in Madrid")).to_have_count(0)
    near.get_by_role("link", name="Rally in Tucson").click()

    expect(page.get_by_role("heading", name="Rally in Tucson")).to_be_visible()
    page.locator("input[name=given_name]").fill("Ana")
    page.locator("input[name=email]").fill("ana@example.org")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert _foreign(requests, live_server) == []

    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("rally-tucson.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Rally in Tucson"
    assert str(calendar.walk("VTIMEZONE")[0]["TZID"]) == "America/Phoenix"
    event = Event.objects.get(slug="rally-tucson")
    assert vevent.decoded("dtstart") == event.starts_at

    # Written to the outbox once, and sent at once (the tests' task backend runs it).
    assert reminders_due(now=event.starts_at - timedelta(hours=23)) == 1
    assert reminders_due(now=event.starts_at - timedelta(hours=22)) == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[-1].subject == "Tomorrow: Rally in Tucson"


def test_a_host_submits_an_event_that_a_coordinator_approves(
    new_context, campaign, live_server, strict_without_pow
):
    staff_member_create(
        username="coordinator",
        email="coordinator@example.org",
        password="a-long-test-password",
        role=Membership.Role.COORDINATOR,
    )
    host = new_context().new_page()
    requests = []
    host.on("request", lambda request: requests.append(request.url))
    host.goto(campaign.get_absolute_url())
    host.get_by_role("link", name="Host an event").click()
    day = timezone.localdate() + timedelta(days=7)
    host.locator("input[name=given_name]").fill("Rosa")
    host.locator("input[name=email]").fill("rosa@example.org")
    host.get_by_label("Title of your event").fill("Vigil in Phoenix")
    host.get_by_label("Description").fill("Candles at the Capitol.")
    host.get_by_label("Date").fill(day.isoformat())
    host.get_by_label("Starts at").fill("18:00")
    host.get_by_label("Ends at").fill("19:30")
    host.get_by_label("Time zone").select_option("America/Phoenix")
    host.get_by_label("City").fill("Phoenix")
    host.locator("select[name=country]").select_option("US")
    host.get_by_role("button", name="Send my event").click()
    expect(host.get_by_role("heading", name="Thank you for hosting")).to_be_visible()
    assert _foreign(requests, live_server) == []
    event = Event.objects.get(title="Vigil in Phoenix")
    assert event.status == Event.Status.PENDING

    coordinator = new_context().new_page()
    coordinator.goto("/admin/login/")
    coordinator.locator("input[name=username]").fill("coordinator")
    coordinator.locator("input[name=password]").fill("a-long-test-password")
    coordinator.locator("[type=submit]").click()
    coordinator.goto("/admin/events/pendingevent/")
    coordinator.locator(f"input.action-select[value='{event.pk}']").check()
    coordinator.locator("select[name=action]").select_option("approve")
    coordinator.locator("button[name=index], button[type=submit][title]").first.click()
    expect(coordinator.get_by_text("1 event approved.")).to_be_visible()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    # The host's private link works without an account.
    link = re.search(r"https?://[^/\s]+(/en/events/host/\S+/)", mail.outbox[0].body)[1]
    host.goto(link)
    expect(host.get_by_text("Status: Published")).to_be_visible()
    host.get_by_label("Subject").fill("Bring candles")
    host.get_by_label("Message").fill("See you at six.")
    host.get_by_role("button", name="Send to all registrants").click()
    expect(host.get_by_role("status")).to_have_text("Your message is on its way to 0 registrants.")

    from django.core.cache import caches

    caches["pages"].clear()
    visitor = new_context().new_page()
    visitor.goto(campaign.get_absolute_url() + "?near=Tucson")
    expect(visitor.locator("section.near").get_by_text("Vigil in Phoenix")).to_be_visible()


def test_a_webinar_join_link_reaches_only_registrants(new_context, organisation, live_server):
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    webinar = event_create(
        language="en",
        title="Monthly webinar",
        slug="monthly-webinar",
        organisation=organisation,
        status=Event.Status.PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="America/New_York",
        display_zones=["America/Los_Angeles"],
        online_url="https://meet.example.org/secret-room",
    )
    visitor = new_context(timezone_id="Europe/Madrid").new_page()
    visitor.goto(webinar.get_absolute_url())
    expect(visitor.get_by_text("In your time zone:")).to_be_visible()
    assert "secret-room" not in visitor.content()
    visitor.locator("input[name=given_name]").fill("Ana")
    visitor.locator("input[name=email]").fill("ana@example.org")
    visitor.get_by_role("button", name="Register").click()
    expect(visitor.get_by_role("heading", name="Check your email")).to_be_visible()
    assert "secret-room" not in visitor.content()

    [message] = mail.outbox
    assert "https://meet.example.org/secret-room" in message.body
    own_page = re.search(r"https?://[^/\s]+(/en/events/registration/\S+/)", message.body)[1]
    registrant = new_context().new_page()
    registrant.goto(own_page)
    expect(
        registrant.get_by_role("link", name="https://meet.example.org/secret-room")
    ).to_be_visible()
    registrant.get_by_role("button", name="Cancel my registration").click()
    expect(registrant.get_by_role("status")).to_have_text("Your registration is cancelled.")
    expect(
        registrant.get_by_role("link", name="https://meet.example.org/secret-room")
    ).to_have_count(0)


def test_an_operators_tile_server_gives_a_zoomable_map(
    new_context, campaign, live_server, settings
):
    # The operator's own tile server; here the live server itself stands in for it.
    settings.CONVOCA_MAP_TILE_URL = "/static/core/icon.svg?z={z}&x={x}&y={y}"
    page = new_context().new_page()
    page.goto(campaign.get_absolute_url())
    tiles = page.locator(".tile-map")
    expect(tiles).to_be_visible()
    expect(tiles.locator("a.marker")).to_have_count(2)
    expect(tiles.locator("img").first).to_have_attribute("src", re.compile(r"z=2&x=\d&y=\d"))
    tiles.get_by_role("button", name="Zoom in").click()
    expect(tiles.locator("img").first).to_have_attribute("src", re.compile(r"z=3&"))
    expect(page.locator("svg.world-map")).to_be_visible()
