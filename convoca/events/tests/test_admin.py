"""The organiser side: scoping, the approval queue, attendance, figures, the CSV export."""

import csv
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from convoca.core.models import AuditEntry
from convoca.events.exports import registration_export_csv
from convoca.events.models import Event, Registration
from convoca.events.services import HostedEventData, event_host_submit
from convoca.organisations.models import Membership
from convoca.people.services import PersonData


@pytest.fixture
def registered(webinar, register):
    register(webinar, news="on")
    register(webinar, email="ben@example.org", given_name='=HYPERLINK("http://x")')
    return webinar


def _rows(chunks):
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def test_an_organiser_sees_only_their_organisations_events(
    client, organiser, make_event, other_organisation
):
    make_event()
    other = make_event(slug="other", title="Another group's event", organisation=other_organisation)
    client.force_login(organiser)
    listing = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "Sanctions kill: a webinar" in listing
    assert "Another group&#x27;s event" not in listing and "Another group's event" not in listing
    assert client.get(reverse("admin:events_event_change", args=[other.pk])).status_code == 404


def test_the_export_is_formula_safe_consent_aware_and_audited(registered, organiser):
    rows = _rows(registration_export_csv(event=registered, user=organiser))
    header, ana, ben = rows
    assert header[2] == "email"
    assert ana[2] == "ana@example.org"
    assert ana[header.index("may email news")] == "yes"
    assert ben[header.index("may email news")] == "no"
    assert ben[3].startswith("'=")
    entry = AuditEntry.objects.get()
    assert (entry.verb, entry.count, entry.user) == ("export registrations", 2, organiser)


def test_a_viewer_may_not_export(registered, make_staff, organisation):
    viewer = make_staff("viewer", Membership.Role.VIEWER, organisation)
    with pytest.raises(PermissionDenied):
        registration_export_csv(event=registered, user=viewer)
    assert not AuditEntry.objects.exists()


def test_the_export_downloads_from_the_figures_page(client, registered, organiser):
    client.force_login(organiser)
    figures = client.get(reverse("admin:events_event_figures", args=[registered.pk]))
    assert figures.status_code == 200
    assert 'data-figure="confirmed">2' in figures.content.decode()
    response = client.post(reverse("admin:events_event_export", args=[registered.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert len(_rows(response.streaming_content)) == 3


def test_attendance_is_marked_from_the_registrations_list(client, registered, organiser):
    client.force_login(organiser)
    ids = [str(pk) for pk in Registration.objects.values_list("pk", flat=True)]
    response = client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "mark_attended", "_selected_action": ids[:1]},
    )
    assert response.status_code == 302
    assert Registration.objects.filter(attended=True).count() == 1


def _pending(campaign):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(days=8)
    return event_host_submit(
        campaign=campaign,
        data=HostedEventData(
            host=PersonData(email="rosa@example.org", given_name="Rosa"),
            host_group="Comité Madrid",
            title="Concentración en Sol",
            description="",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            time_zone="Europe/Madrid",
            venue_name="Puerta del Sol",
            street_address="",
            city="Madrid",
            postal_code="",
            country="ES",
        ),
    )


def test_only_a_coordinator_approves_hosted_events_from_the_queue(
    client, campaign, organiser, coordinator
):
    event = _pending(campaign)
    url = reverse("admin:events_pendingevent_changelist")
    client.force_login(organiser)
    page = client.get(url).content.decode()
    assert "Concentración en Sol" in page
    client.post(url, {"action": "approve", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.status == Event.Status.PENDING
    client.force_login(coordinator)
    client.post(url, {"action": "approve", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert "Concentración en Sol" not in client.get(url).content.decode()


def test_campaign_figures_count_events_countries_and_waiting(client, campaign, coordinator):
    _pending(campaign)
    client.force_login(coordinator)
    page = client.get(reverse("admin:events_campaign_figures", args=[campaign.pk])).content
    assert b'data-figure="pending">1' in page
    assert b'data-figure="published">0' in page


def test_an_organiser_adds_an_event_in_the_admin_and_its_place_is_found(client, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:events_event_add"),
        {
            "language": "en",
            "kind": "in_person",
            "title": "Town hall in Oaxaca",
            "slug": "town-hall-oaxaca",
            "organisation": organiser.memberships.get().organisation_id,
            "status": "published",
            "starts_at_0": "2030-05-01",
            "starts_at_1": "18:00",
            "ends_at_0": "2030-05-01",
            "ends_at_1": "20:00",
            "time_zone": "America/Mexico_City",
            "display_zones": "[]",
            "reminder_minutes": "[1440, 60]",
            "city": "Oaxaca",
            "country": "MX",
            "capacity": "0",
            "questions": "[]",
            "speakers-TOTAL_FORMS": "0",
            "speakers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get()
    assert 16 < event.latitude < 18
    assert event.local_start.hour == 18  # typed in the event's own zone
    assert event.starts_at.astimezone(zoneinfo.ZoneInfo("UTC")).hour == 0
    form = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'value="18:00' in form
