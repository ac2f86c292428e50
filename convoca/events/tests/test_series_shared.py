"""A series' versions share one row: publishing or changing it does it in every language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from convoca.events.models import Event, Series, SeriesShared
from convoca.events.services import series_create, series_publish, series_save
from convoca.organisations.models import Membership


@pytest.fixture
def webinar(organisation):
    return series_create(
        language="en", title="Solidarity webinar", slug="solidarity-webinar",
        organisation=organisation, rule="FREQ=MONTHLY", time_zone="America/New_York",
        first_start=timezone.now() + timedelta(days=2), capacity=100, is_published=True,
        before=timezone.now() + timedelta(days=70),
    )  # fmt: skip


@pytest.fixture
def spanish(webinar):
    return series_create(
        language="es", title="Webinario solidario", slug="webinario-solidario",
        translation_of=webinar, before=timezone.now() + timedelta(days=70),
    )  # fmt: skip


def test_withdrawing_the_english_version_withdraws_the_spanish_page_too(
    client, webinar, spanish, commit
):
    assert client.get(spanish.get_absolute_url()).status_code == 200
    commit(series_publish, series=webinar, published=False)
    assert client.get(webinar.get_absolute_url()).status_code == 404
    assert client.get(spanish.get_absolute_url()).status_code == 404
    commit(series_publish, series=spanish.shared, published=True)
    assert client.get(webinar.get_absolute_url()).status_code == 200
    assert Series.objects.get(pk=spanish.pk).is_published


def test_both_versions_have_the_same_sessions_and_share_one_row(webinar, spanish):
    assert SeriesShared.objects.count() == 1
    english_starts = list(webinar.occurrences.values_list("shared__starts_at", flat=True))
    spanish_starts = list(spanish.occurrences.values_list("shared__starts_at", flat=True))
    assert english_starts and sorted(english_starts) == sorted(spanish_starts)
    assert spanish.occurrences.filter(language="es").count() == len(spanish_starts)


def test_new_capacity_and_time_zone_are_every_versions_at_once(webinar, spanish):
    series_save(series=spanish, shared={"capacity": 250, "time_zone": "Europe/Madrid"})
    english = Series.objects.get(pk=webinar.pk)
    assert (english.capacity, english.time_zone) == (250, "Europe/Madrid")
    assert english.title == "Solidarity webinar"


def test_a_version_cannot_change_what_all_versions_share_behind_their_back(webinar):
    with pytest.raises(AttributeError):
        webinar.capacity = 5
    with pytest.raises(ValueError, match="belong to the series"):
        series_create(translation_of=webinar, language="es", slug="x", title="X", capacity=1)
    with pytest.raises(ValueError, match="not shared"):
        series_save(series=webinar, shared={"title": "Not shared"})


def _form_data(client, url):
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("translation_of", "first_start")
    }
    first = form.initial["first_start"]
    data.update(
        {
            "first_start_0": first.date().isoformat(),
            "first_start_1": first.strftime("%H:%M"),
            "display_zones": "[]",
        }
    )
    return data


def test_unpublishing_and_changing_capacity_in_one_versions_form_does_it_in_every_version(
    client, organiser, webinar, spanish, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    change = reverse("admin:events_series_change", args=[spanish.pk])
    data = _form_data(client, change)
    data.update({"capacity": 40, "duration_minutes": 90})
    data.pop("is_published")  # an unticked box
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    english = Series.objects.get(pk=webinar.pk)
    assert (english.capacity, english.duration_minutes, english.is_published) == (40, 90, False)
    assert Series.objects.get(pk=spanish.pk).title == "Webinario solidario"
    # The first start is shown and kept as the wall-clock time it was.
    assert english.first_start == webinar.first_start.replace(second=0, microsecond=0)
    client.logout()
    assert client.get(english.get_absolute_url()).status_code == 404


def test_a_version_added_in_the_admin_joins_the_series_and_keeps_its_settings(
    client, organiser, webinar, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    data = _form_data(client, reverse("admin:events_series_change", args=[webinar.pk]))
    data.update(
        {
            "language": "es",
            "translation_of": webinar.pk,
            "title": "Webinario solidario",
            "slug": "webinario-solidario",
            "capacity": 7,  # the series' own value stands
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:events_series_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    spanish = Series.objects.get(language="es")
    assert spanish.shared_id == webinar.shared_id
    assert spanish.capacity == 100
    assert spanish.occurrences.count() == webinar.occurrences.count()


def test_another_organisations_organiser_cannot_see_or_change_the_series(
    client, make_staff, other_organisation, webinar
):
    client.force_login(make_staff("other", Membership.Role.ORGANISER, other_organisation))
    change = reverse("admin:events_series_change", args=[webinar.pk])
    assert client.get(change).status_code == 404
    assert client.post(change, {"capacity": 1}).status_code == 404
    assert Series.objects.get(pk=webinar.pk).capacity == 100
    assert Event.objects.filter(shared__series=webinar.shared).exists()
