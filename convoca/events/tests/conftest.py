from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from convoca.events.models import Campaign, Event
from convoca.events.services import EVENT_SHARED_WRITABLE, campaign_create, event_create


@pytest.fixture
def make_event(organisation):
    def make(**fields):
        start = fields.pop(
            "starts_at", (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
        )
        defaults = {
            "language": "en",
            "title": "Sanctions kill: a webinar",
            "slug": "sanctions-kill",
            "organisation": organisation,
            "status": Event.Status.PUBLISHED,
            "kind": Event.Kind.ONLINE,
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
            "time_zone": "America/New_York",
            "display_zones": ["America/Los_Angeles"],
            "online_url": "https://meet.example.org/secret-room-42",
        }
        key = fields.pop("translation_key", None)
        if key is not None:
            # Another language of an existing event: it joins that event's times and place.
            texts = {name: value for name, value in {**defaults, **fields}.items()
                     if name not in EVENT_SHARED_WRITABLE}  # fmt: skip
            original = Event.objects.filter(shared_id=key).first()
            return event_create(translation_of=original, **texts)
        return event_create(**{**defaults, **fields})

    return make


@pytest.fixture
def webinar(make_event):
    return make_event()


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    """POST the registration form as a browser without JavaScript would."""

    def post(event, **fields):
        data = {"given_name": "Ana", "family_name": "López", "email": "ana@example.org", **fields}
        with translation.override(event.language):
            url = reverse("events:event-register", kwargs={"slug": event.slug})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


@pytest.fixture
def campaign(organisation):
    today = timezone.localdate()
    return campaign_create(
        language="en",
        title="International week of action",
        slug="week-of-action",
        call="End the blockade. **Rally in your city.**",
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=12),
        organisation=organisation,
        status=Campaign.Status.PUBLISHED,
    )


@pytest.fixture
def make_action_signed(organisation):
    """An action with maintained counts by country, as signing leaves them."""
    from convoca.actions.models import Action, CountryTally
    from convoca.actions.services import action_create

    action = action_create(
        language="en",
        title="Lift the sanctions",
        slug="lift-the-sanctions",
        organisation=organisation,
        status=Action.Status.OPEN,
    )
    CountryTally.objects.create(translation_key=action.translation_key, country="MX", count=3)
    CountryTally.objects.create(translation_key=action.translation_key, country="US", count=1)
    return action
