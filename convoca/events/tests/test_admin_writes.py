"""What an organiser notices after changing events, series and campaigns in the admin.

The admin writes through the same services as the demo and the tests: what
all language versions share changes in each, and the public pages show it.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from convoca.events.models import Event, Registration, Series
from convoca.events.services import campaign_create, series_create, series_save


def _event_form(event, **fields):
    local_start = event.local_start
    local_end = local_start + (event.ends_at - event.starts_at)
    return {
        "language": event.language,
        "translation_of": "",
        "kind": event.kind,
        "title": event.title,
        "slug": event.slug,
        "summary": "",
        "description": "",
        "organisation": event.organisation_id,
        "host_group": "",
        "status": event.status,
        "starts_at_0": local_start.date().isoformat(),
        "starts_at_1": local_start.strftime("%H:%M"),
        "ends_at_0": local_end.date().isoformat(),
        "ends_at_1": local_end.strftime("%H:%M"),
        "time_zone": event.time_zone,
        "display_zones": "[]",
        "reminder_minutes": "[1440, 60]",
        "online_url": event.online_url,
        "capacity": event.capacity,
        "questions": "[]",
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        **fields,
    }


def test_changing_a_shared_field_in_the_admin_changes_the_other_language_version(
    client, organiser, make_event
):
    english = make_event(capacity=40)
    spanish = make_event(
        language="es",
        title="Las sanciones matan: un seminario",
        slug="las-sanciones-matan",
        translation_key=english.translation_key,
        capacity=40,
    )
    client.force_login(organiser)
    response = client.post(
        reverse("admin:events_event_change", args=[english.pk]),
        _event_form(
            english,
            capacity="25",
            online_url="https://meet.example.org/new-room",
            **{
                "speakers-TOTAL_FORMS": "1",
                "speakers-0-position": "0",
                "speakers-0-name": "Ana Esperanza",
                "speakers-0-role": "Economist",
                "speakers-0-bio": "",
            },
        ),
    )
    assert response.status_code == 302, response.text
    spanish.refresh_from_db()
    assert spanish.capacity == 25
    assert spanish.online_url == "https://meet.example.org/new-room"
    assert spanish.title == "Las sanciones matan: un seminario"  # its own text stays
    client.logout()
    assert "Ana Esperanza" in client.get(english.get_absolute_url()).text


def test_an_event_published_in_the_admin_is_in_the_sitemap_at_once(
    client, organiser, make_event, django_capture_on_commit_callbacks
):
    draft = make_event(status=Event.Status.DRAFT, slug="teach-in")
    assert "teach-in" not in client.get("/sitemap.xml").text  # now cached
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:events_event_change", args=[draft.pk]),
            _event_form(draft, status="published"),
        )
    assert response.status_code == 302, response.text
    client.logout()
    assert "teach-in" in client.get("/sitemap.xml").text
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_an_organiser_of_another_organisation_cannot_change_an_event(
    client, make_staff, other_organisation, make_event
):
    from convoca.organisations.models import Membership

    event = make_event(capacity=40)
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    response = client.post(
        reverse("admin:events_event_change", args=[event.pk]), _event_form(event, capacity="1")
    )
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.capacity == 40


def test_new_dates_and_endorsers_of_a_campaign_show_in_its_other_language(
    client, organiser, organisation, other_organisation, campaign
):
    spanish = campaign_create(
        language="es",
        translation_of=campaign,
        title="Semana internacional de acción",
        slug="semana-de-accion",
    )
    new_end = campaign.ends_on + timedelta(days=3)
    client.force_login(organiser)
    response = client.post(
        reverse("admin:events_campaign_change", args=[campaign.pk]),
        {
            "language": "en",
            "translation_of": "",
            "title": campaign.title,
            "slug": campaign.slug,
            "summary": "",
            "call": campaign.call,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": new_end.isoformat(),
            "organisation": organisation.pk,
            "endorsers": [other_organisation.pk],
            "action": "",
            "status": "published",
            "accepts_hosts": "on",
        },
    )
    assert response.status_code == 302, response.text
    spanish.refresh_from_db()
    assert spanish.ends_on == new_end
    assert list(spanish.endorsers.all()) == [other_organisation]
    assert spanish.title == "Semana internacional de acción"


def test_a_series_added_in_the_admin_has_its_sessions_on_its_page(client, organiser, organisation):
    first = timezone.localdate() + timedelta(days=2)
    client.force_login(organiser)
    response = client.post(
        reverse("admin:events_series_add"),
        {
            "language": "en",
            "translation_of": "",
            "title": "Monthly solidarity webinar",
            "slug": "monthly-webinar",
            "description": "",
            "organisation": organisation.pk,
            "rule": "FREQ=MONTHLY",
            "first_start_0": first.isoformat(),
            "first_start_1": "20:00",
            "duration_minutes": "60",
            "time_zone": "America/New_York",
            "display_zones": "[]",
            "online_url": "https://meet.example.org/monthly",
            "capacity": "0",
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.text
    series = Series.objects.get()
    assert series.occurrences.count() >= 12
    client.logout()
    page = client.get(series.get_absolute_url())
    assert page.status_code == 200
    assert series.occurrences.order_by("shared__starts_at").first().get_absolute_url() in page.text


def test_a_series_time_changed_in_one_language_changes_in_the_other(
    client, organiser, organisation
):
    first = timezone.now() + timedelta(days=2)
    english = series_create(
        language="en", title="Webinar", slug="webinar", organisation=organisation,
        rule="FREQ=MONTHLY", first_start=first, time_zone="UTC", is_published=True,
    )  # fmt: skip
    spanish = series_create(
        language="es", title="Seminario", slug="seminario", translation_of=english
    )  # fmt: skip
    series_save(series=english, shared={"duration_minutes": 90, "capacity": 300})
    spanish.refresh_from_db()
    assert (spanish.duration_minutes, spanish.capacity) == (90, 300)


def test_attendance_ticked_on_a_registrations_page_is_recorded(
    client, organiser, webinar, register
):
    register(webinar)
    registration = Registration.objects.get()
    client.force_login(organiser)
    response = client.post(
        reverse("admin:events_registration_change", args=[registration.pk]), {"attended": "true"}
    )
    assert response.status_code == 302, response.text
    registration.refresh_from_db()
    assert registration.attended is True


def test_an_event_deleted_in_the_admin_leaves_the_sitemap_at_once(
    client, organiser, make_event, django_capture_on_commit_callbacks
):
    event = make_event(slug="cancelled-teach-in")
    assert "cancelled-teach-in" in client.get("/sitemap.xml").text  # now cached
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"}
        )
    assert response.status_code == 302, response.text
    client.logout()
    assert "cancelled-teach-in" not in client.get("/sitemap.xml").text
    assert client.get(event.get_absolute_url()).status_code == 404
