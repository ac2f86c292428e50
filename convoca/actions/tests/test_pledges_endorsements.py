import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from convoca.actions.models import Action, Endorsement, Signature
from convoca.actions.selectors import action_figures
from convoca.actions.services import signature_purge_unconfirmed
from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver
from convoca.people.services import person_erase


def _confirm(client, *addresses):
    """Open the confirmation link in each of these people's mailboxes."""
    for message in list(mail.outbox):
        if message.to[0] in addresses:
            client.post(re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1))


@pytest.fixture
def pledge(make_action):
    return make_action(
        kind=Action.Kind.PLEDGE,
        slug="pledge-of-resistance",
        title="Pledge of Resistance",
        ask_place="optional",
        trigger="If the blockade is tightened.",
    )


def test_activating_a_pledge_emails_each_confirmed_pledger_once_in_their_language(
    client, coordinator, pledge, make_action, sign, commit
):
    spanish = make_action(
        kind=Action.Kind.PLEDGE,
        language="es",
        slug="compromiso",
        translation_key=pledge.translation_key,
    )
    commit(sign, pledge, email="ana@example.org", city="Tucson", postal_code="85701")
    commit(sign, spanish, email="bea@example.org", given_name="Bea")
    commit(sign, pledge, email="unconfirmed@example.org")
    _confirm(client, "ana@example.org", "bea@example.org")
    mail.outbox.clear()

    client.force_login(coordinator)
    url = reverse("admin:actions_action_activate", args=[pledge.pk])
    refused = client.post(
        url,
        {
            "subject_en": "Act now",
            "body_en": "Go to the rally.",
            "subject_es": "Actúa ya",
            "body_es": "Ve a la concentración.",
        },
    )
    assert refused.status_code == 200 and mail.outbox == []  # the box was not ticked
    commit(
        client.post,
        url,
        {
            "subject_en": "Act now",
            "body_en": "Go to the **rally**.",
            "subject_es": "Actúa ya",
            "body_es": "Ve a la concentración.",
            "confirm": "on",
        },
    )

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"ana@example.org", "bea@example.org"}
    assert by_address["ana@example.org"].subject == "Act now"
    assert "Go to the rally." in by_address["ana@example.org"].body.replace("**", "")
    assert by_address["bea@example.org"].subject == "Actúa ya"
    pledge_emails = OutboxEmail.objects.filter(kind="actions.pledge_activation")
    assert list(pledge_emails.values_list("status", flat=True)) == ["sent", "sent"]

    # A worker that runs again sends nothing more.
    assert outbox_deliver().sent == 0
    assert len(mail.outbox) == 2


def test_endorsements_are_listed_only_once_approved(client, coordinator, make_action, sign, commit):
    call = make_action(kind=Action.Kind.ENDORSEMENT, slug="call", count_on_submit=True)
    commit(
        sign,
        call,
        email="unions@example.org",
        endorser_name="Teachers' Union of Peru",
        endorser_country="PE",
        endorser_website="https://example.org/sutep",
    )
    commit(
        sign, call, email="spam@example.org", endorser_name="Dubious Corp", endorser_country="US"
    )
    page = client.get("/en/actions/call/").text
    assert "Teachers" not in page

    client.force_login(coordinator)
    approved = Endorsement.objects.get(name__startswith="Teachers")
    client.post(
        reverse("admin:actions_endorsement_changelist"),
        {"action": "approve", "_selected_action": [str(approved.pk)]},
    )
    client.logout()

    from django.core.cache import caches

    caches["pages"].clear()
    page = client.get("/en/actions/call/").text
    assert "Teachers&#x27; Union of Peru" in page
    assert "Dubious Corp" not in page
    assert "Endorsed by 1 organisation in 1 countries" in page
    assert "unions@example.org" not in page


def test_unconfirmed_signatures_lose_what_the_signer_added_but_stay_counted(
    make_action, sign, commit, settings
):
    action = make_action(count_on_submit=True, ask_organisation="optional")
    commit(sign, action, organisation_name="Sindicato", visibility="full")
    Signature.objects.update(created_at=timezone.now() - timedelta(days=40))
    settings.CONVOCA_UNCONFIRMED_RETENTION_DAYS = 30

    assert signature_purge_unconfirmed() == 1

    signature = Signature.objects.get()
    assert signature.organisation_name == ""
    assert signature.visibility == Signature.Visibility.HIDDEN
    assert action_figures(action).count == 1


def test_erasing_a_signer_keeps_the_count_and_hides_them(client, make_action, sign, commit):
    action = make_action(count_on_submit=True, ask_role="optional")
    commit(sign, action, given_name="Visible", role="Nurse", visibility="full")
    person = Signature.objects.get().person

    person_erase(person=person)

    assert action_figures(action).count == 1
    assert "Visible" not in client.get("/en/actions/lift-the-sanctions/").text
    assert Signature.objects.get().role == ""


def test_bot_filling_the_honeypot_is_refused_and_nothing_stored(appeal, sign):
    response = sign(appeal, website="http://spam.example")
    assert response.status_code == 400
    assert Signature.objects.count() == 0


def test_a_client_without_proof_of_work_is_held_to_the_stricter_limit(
    appeal, sign, commit, settings
):
    settings.CONVOCA_RATE_LIMITS = {
        "sign": {"per_client": (100, 3600), "per_email": (5, 3600)},
        "sign-without-pow": {"per_client": (2, 3600), "per_email": (5, 3600)},
    }
    statuses = [commit(sign, appeal, email=f"p{n}@example.org").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert Signature.objects.count() == 2


def test_an_activated_pledge_points_each_pledger_to_the_nearest_event_to_their_city(
    client, coordinator, pledge, sign, commit, organisation
):
    from convoca.actions.services import pledge_activate
    from convoca.events.models import Event
    from convoca.events.services import event_create, event_place_locate, event_save

    def rally(slug, title, city, country):
        start = timezone.now() + timedelta(days=2)
        event = event_create(
            language="en",
            slug=slug,
            title=title,
            organisation=organisation,
            status=Event.Status.PUBLISHED,
            kind=Event.Kind.IN_PERSON,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            time_zone="America/Phoenix",
            city=city,
            country=country,
        )
        assert event_place_locate(event=event)
        return event_save(
            event=event, shared={"latitude": event.latitude, "longitude": event.longitude}
        )

    rally("phoenix-rally", "Rally at the Capitol", "Phoenix", "US")
    rally("madrid-rally", "Concentración en Sol", "Madrid", "ES")
    commit(sign, pledge, email="ana@example.org", city="Tucson", country="US")
    commit(sign, pledge, email="cleo@example.org", given_name="Cleo")  # no city given
    _confirm(client, "ana@example.org", "cleo@example.org")
    mail.outbox.clear()

    commit(
        pledge_activate,
        action=pledge,
        texts={
            "en": {"subject": "Act now", "body": "The trigger happened."},
            "es": {"subject": "Actúa ya", "body": "Ocurrió."},
        },
        user=coordinator,
    )

    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "The nearest event to you (" in by_address["ana@example.org"]
    assert "Rally at the Capitol" in by_address["ana@example.org"]
    assert "/en/events/phoenix-rally/" in by_address["ana@example.org"]
    assert "Concentración en Sol" not in by_address["ana@example.org"]
    assert "nearest event" not in by_address["cleo@example.org"]
