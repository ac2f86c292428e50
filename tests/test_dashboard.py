"""The organisers' first screen in the admin: their organisation's figures, nobody else's."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from convoca.actions.models import Action, Signature
from convoca.actions.services import (
    SignatureData,
    action_create,
    signature_confirm,
    signature_create,
)
from convoca.events.models import Event
from convoca.events.services import RegistrationData, event_create, registration_create
from convoca.inbox.services import ContactData, contact_message_create
from convoca.mailings.services import mailing_create, mailing_list_create, mailing_schedule
from convoca.organisations.models import Membership
from convoca.people.services import PersonData


def _person(email):
    return PersonData(email=email, given_name="Ana", country="MX", language="en")


def _campaign_of(organisation, name: str, signers: int, *, old_signers: int = 0):
    """An open appeal with signatures, an event with registrations, a mailing, a message."""
    action = action_create(
        language="en",
        title=f"{name} appeal",
        slug=f"{organisation.slug}-appeal",
        organisation=organisation,
        status=Action.Status.OPEN,
    )
    for n in range(signers + old_signers):
        result = signature_create(
            action=action, data=SignatureData(person=_person(f"{organisation.slug}{n}@example.org"))
        )
        signature_confirm(signature=result.signature)
        if n >= signers:
            Signature.objects.filter(pk=result.signature.pk).update(
                created_at=timezone.now() - timedelta(days=10)
            )
    start = timezone.now() + timedelta(days=3)
    event = event_create(
        language="en",
        title=f"{name} webinar",
        slug=f"{organisation.slug}-webinar",
        organisation=organisation,
        status=Event.Status.PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="UTC",
        online_url="https://meet.example.org/room",
    )
    for n in range(2):
        registration_create(
            event=event,
            data=RegistrationData(person=_person(f"{organisation.slug}-r{n}@example.org")),
        )
    news = mailing_list_create(
        organisation=organisation,
        slug=f"{organisation.slug}-news",
        name={"en": f"{name} news"},
        description={},
    )
    mailing = mailing_create(
        organisation=organisation,
        lists=[news],
        subject={"en": f"{name} mailing"},
        body_markdown={"en": "Hello"},
    )
    mailing_schedule(mailing=mailing, send_at=timezone.now() + timedelta(days=1))
    contact_message_create(
        data=ContactData(
            name="Bea", email="bea@example.org", subject="general", body="Hi", language="en"
        ),
        organisation=organisation,
    )


@pytest.fixture
def two_organisations(organisation, other_organisation):
    _campaign_of(organisation, "Tucson", signers=3, old_signers=2)
    _campaign_of(other_organisation, "Oaxaca", signers=5)


def dashboard(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.text


def recent_count(page: str, title: str) -> int:
    row = re.search(rf"{title}</a>.*?<td[^>]*data-recent>(\d+)</td>", page, re.S)
    assert row, f"{title} is not on the dashboard"
    return int(row[1])


def test_an_organiser_sees_their_organisations_figures_and_not_the_others(
    two_organisations, organiser
):
    page = dashboard(organiser)
    assert recent_count(page, "Tucson appeal") == 3  # the two older ones are not this week's
    assert "Tucson webinar" in page
    assert re.search(r"Tucson webinar</a>.*?<td[^>]*>2</td>", page, re.S)
    assert "Tucson mailing" in page
    assert "1 message waiting for an answer" in page
    for other in ("Oaxaca appeal", "Oaxaca webinar", "Oaxaca mailing"):
        assert other not in page


def test_a_coordinator_sees_the_whole_coalition(two_organisations, coordinator):
    page = dashboard(coordinator)
    assert recent_count(page, "Tucson appeal") == 3
    assert recent_count(page, "Oaxaca appeal") == 5
    assert "Tucson webinar" in page and "Oaxaca webinar" in page
    assert "Tucson mailing" in page and "Oaxaca mailing" in page
    assert "2 messages waiting for an answer" in page


def test_the_first_screen_offers_the_common_tasks_the_staff_member_may_do(
    organiser, make_staff, organisation
):
    page = dashboard(organiser)
    for link in (
        "/admin/actions/action/add/?kind=appeal",
        "/admin/events/event/add/",
        "/admin/mailings/mailing/add/",
        "/admin/actions/action/",
        "/admin/inbox/contactmessage/",
    ):
        assert f'href="{link}"' in page
    viewer = make_staff("viewer", Membership.Role.VIEWER, organisation)
    assert 'href="/admin/mailings/mailing/add/"' not in dashboard(viewer)


def test_the_dashboard_is_in_spanish(organiser):
    client = Client(headers={"accept-language": "es"})
    client.force_login(organiser)
    page = client.get("/admin/").text
    assert "Firmas de los últimos 7 días" in page
    assert "Nuevo llamamiento" in page
