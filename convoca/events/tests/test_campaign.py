"""A week of action: hosts offer events, a coordinator approves, the map and the list show them."""

import re
from datetime import timedelta

import icalendar
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.utils import timezone

from convoca.events.models import Event, Registration
from convoca.events.services import campaign_save, event_review
from convoca.events.worldmap import project


def _host_form(**fields):
    day = timezone.localdate() + timedelta(days=7)
    return {
        "given_name": "Rosa",
        "family_name": "Díaz",
        "email": "rosa@example.org",
        "host_group": "Tucson Solidarity Committee",
        "title": "Rally at the federal building",
        "description": "Bring signs. We meet at **the steps**.",
        "date": day.isoformat(),
        "start_time": "17:30",
        "end_time": "19:00",
        "time_zone": "America/Phoenix",
        "venue_name": "Federal building",
        "street_address": "300 W Congress St",
        "city": "Tucson",
        "postal_code": "85701",
        "country": "US",
        "capacity": "0",
        **fields,
    }


def _submit(client, campaign, commit_callbacks, **fields):
    with commit_callbacks(execute=True):
        return client.post(campaign.get_absolute_url() + "host/", _host_form(**fields))


def _host_link(body):
    return re.search(r"https?://[^/\s]+(/en/events/host/\S+/)", body)[1]


def test_a_hosted_event_waits_for_approval_then_appears_on_the_map_and_list(
    campaign, client, django_capture_on_commit_callbacks
):
    response = _submit(client, campaign, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "waits for the coordinators' approval" in response.content.decode()
    event = Event.objects.get()
    assert event.status == Event.Status.PENDING
    assert (
        "Rally at the federal building"
        not in client.get(campaign.get_absolute_url()).content.decode()
    )
    [message] = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert "/events/host/" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        event_review(event=event, approve=True)
    assert "is on the map" in mail.outbox[1].subject
    caches["pages"].clear()  # a public page is cached for a minute
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Rally at the federal building" in page
    assert "1 event in 1 countries" in page
    assert "<h4>Tucson</h4>" in page


def test_tucson_us_lands_in_arizona(campaign, client, django_capture_on_commit_callbacks):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    event = Event.objects.get()
    assert 31 < event.latitude < 37
    assert -115 < event.longitude < -109
    event_review(event=event, approve=True)
    x, y = project(event.latitude, event.longitude)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f'cx="{x}" cy="{y}"' in page


def test_events_near_a_typed_city_are_listed_nearest_first(
    campaign, client, django_capture_on_commit_callbacks
):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    _submit(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        email="li@example.org",
        title="Vigil in Phoenix",
        city="Phoenix",
        postal_code="85003",
    )
    _submit(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        email="jo@example.org",
        title="Meeting in Madrid",
        city="Madrid",
        country="ES",
        time_zone="Europe/Madrid",
    )
    for event in Event.objects.all():
        event_review(event=event, approve=True)
    page = client.get(campaign.get_absolute_url(), {"near": "Tucson, US"}).content.decode()
    near = page.split('id="near-heading"')[1].split("</section>")[0]
    assert "Events near Tucson" in near
    assert near.index("Rally at the federal building") < near.index("Vigil in Phoenix")
    assert "Madrid" not in near
    by_postcode = client.get(campaign.get_absolute_url(), {"near": "85003"}).content.decode()
    assert "Vigil in Phoenix" in by_postcode.split('id="near-heading"')[1].split("</section>")[0]
    unknown = client.get(campaign.get_absolute_url(), {"near": "Xyzzyville"}).content.decode()
    assert "We could not find that place" in unknown


def test_the_campaign_list_filters_by_country(campaign, client, django_capture_on_commit_callbacks):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    _submit(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        email="jo@example.org",
        title="Meeting in Madrid",
        city="Madrid",
        country="ES",
        time_zone="Europe/Madrid",
    )
    for event in Event.objects.all():
        event_review(event=event, approve=True)
    page = client.get(campaign.get_absolute_url(), {"country": "ES"}).content.decode()
    listed = page.split('id="list-heading"')[1]
    assert "Meeting in Madrid" in listed
    assert "Rally at the federal building" not in listed


def test_the_host_manages_the_event_sees_consenting_contacts_and_writes_to_registrants(
    campaign, client, django_capture_on_commit_callbacks, register
):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    event = Event.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        event_review(event=event, approve=True)
    link = _host_link(mail.outbox[0].body)
    register(event, email="ana@example.org", share="on", phone="")
    register(event, email="ben@example.org", given_name="Ben", family_name="Okafor")
    page = client.get(link).content.decode()
    assert "2 registrants" in page
    assert "Ana López" in page and "Ben Okafor" in page
    assert "ana@example.org" in page
    assert "ben@example.org" not in page

    response = client.post(link, {**_host_form(title="Rally at the federal building, 6 PM")})
    assert "Your changes are saved." in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Rally at the federal building, 6 PM"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            link, {"send": "1", "subject": "Bring water", "body": "It will be hot."}
        )
    assert "on its way to 2 registrants" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]
    assert all(m.subject == "Bring water" for m in mail.outbox)


def test_a_wrong_host_key_is_not_found(db, client):
    assert client.get("/en/events/host/not-the-key/").status_code == 404


def test_the_campaign_feed_lists_its_published_events(
    campaign, client, django_capture_on_commit_callbacks
):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    event_review(event=Event.objects.get(), approve=True)
    feed = client.get(campaign.get_absolute_url() + "calendar.ics")
    calendar = icalendar.Calendar.from_ical(feed.content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Rally at the federal building"
    assert "Tucson" in str(vevent["location"])
    assert str(calendar.walk("VTIMEZONE")[0]["TZID"]) == "America/Phoenix"


def test_the_map_is_inline_svg_and_loads_nothing_from_another_host(
    campaign, client, django_capture_on_commit_callbacks
):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    event_review(event=Event.objects.get(), approve=True)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert '<svg class="world-map"' in page
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls
    # Canonical and hreflang links name this site's own full address; nothing else is absolute.
    other_hosts = [
        u
        for u in urls
        if u.startswith(("http://", "https://", "//")) and not u.startswith(settings.SITE_URL)
    ]
    assert other_hosts == []


def test_the_action_shades_the_map_by_country(campaign, client, make_action_signed):
    campaign_save(campaign=campaign, shared={"action": make_action_signed.shared})
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert 'class="c s5"' in page
    assert "Mexico: 3 signatures" in page


def test_a_registration_for_a_hosted_event_counts_in_the_campaign(
    campaign, client, django_capture_on_commit_callbacks, register
):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    event = Event.objects.get()
    event_review(event=event, approve=True)
    register(event)
    assert Registration.objects.get().event == event


def test_a_tile_server_appears_only_when_an_operator_configures_one(
    campaign, client, settings, django_capture_on_commit_callbacks
):
    _submit(client, campaign, django_capture_on_commit_callbacks)
    event_review(event=Event.objects.get(), approve=True)
    assert "tile-map" not in client.get(campaign.get_absolute_url()).content.decode()
    settings.CONVOCA_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    caches["pages"].clear()
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert '"title": "Rally at the federal building \\u00b7 Tucson"' in page
    assert '<svg class="world-map"' in page  # the map without scripts stays


def test_a_hosts_change_to_an_approved_event_is_shown_and_the_coordinators_are_told(
    campaign, client, coordinator, django_capture_on_commit_callbacks
):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    _submit(client, campaign, django_capture_on_commit_callbacks)
    event = Event.objects.get()
    link = _host_link(mail.outbox[0].body)

    # Still pending: the change waits in the approval queue with the rest; nobody is told.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, _host_form(venue_name="Federal courthouse"))
    assert not [m for m in mail.outbox if m.to == ["coordinator@example.org"]]

    event.refresh_from_db()  # as the approval queue loads it
    with django_capture_on_commit_callbacks(execute=True):
        event_review(event=event, approve=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # saving without a change: no email
        client.post(link, _host_form(venue_name="Federal courthouse"))
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            link,
            _host_form(
                venue_name="Federal courthouse",
                title="Buy our product",
                description="Visit spam.example",
            ),
        )

    [notice] = mail.outbox
    assert notice.to == ["coordinator@example.org"]
    assert "Buy our product" in notice.subject
    assert "title, description" in notice.body
    assert f"/admin/events/event/{event.pk}/change/" in notice.body
    event.refresh_from_db()
    assert (event.title, event.status) == ("Buy our product", Event.Status.PUBLISHED)
