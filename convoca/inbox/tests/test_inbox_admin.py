from datetime import timedelta

import pytest
from django.utils import timezone

from convoca.inbox.models import ContactMessage, ThreadEntry
from convoca.inbox.services import (
    ContactData,
    contact_message_create,
    contact_message_purge_closed,
    contact_message_status_set,
)
from convoca.organisations.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return contact_message_create(
            data=ContactData(
                name="Bea",
                email="bea@example.org",
                subject="meeting",
                body="How do I join Tuesday's meeting?",
                language="es",
            )
        )


def _change(client, message, django_capture_on_commit_callbacks, **fields):
    data = {"status": message.status, "assignee": "", "reply": "", "note": "", **fields}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/admin/inbox/contactmessage/{message.pk}/change/", data)


def test_a_reply_from_the_admin_is_emailed_and_kept_in_the_thread(
    client, coordinator, message, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.messages.clear()
    client.force_login(coordinator)
    page = client.get(f"/admin/inbox/contactmessage/{message.pk}/change/").text
    assert "How do I join Tuesday&#x27;s meeting?" in page
    assert "bea@example.org" in page

    response = _change(
        client,
        message,
        django_capture_on_commit_callbacks,
        reply="The link is sent on Monday; you are on the list.",
        note="Added her to the webinar list by hand.",
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.ANSWERED
    [sent] = smtp_sink.messages
    assert sent["to"] == ["bea@example.org"]
    assert sent["message"]["Subject"] == "Re: tu mensaje a Convoca"
    body = sent["message"].get_content()
    assert "The link is sent on Monday" in body
    assert "> How do I join Tuesday's meeting?" in body
    assert "by hand" not in body  # the note stays with staff
    reply, note = sorted(message.entries.all(), key=lambda e: e.kind != "reply")
    assert reply.sent_at is not None
    assert note.kind == ThreadEntry.Kind.NOTE and note.sent_at is None
    page = client.get(f"/admin/inbox/contactmessage/{message.pk}/change/").text
    assert "The link is sent on Monday" in page and "Added her to the webinar list" in page


def test_assigning_a_new_message_marks_it_assigned_and_closing_dates_it(
    client, coordinator, organiser, message, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    _change(client, message, django_capture_on_commit_callbacks, assignee=organiser.pk)
    message.refresh_from_db()
    assert (message.status, message.assignee) == (ContactMessage.Status.ASSIGNED, organiser)

    _change(client, message, django_capture_on_commit_callbacks, status="closed",
            assignee=organiser.pk)  # fmt: skip
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.CLOSED
    assert message.closed_at is not None


def test_an_organiser_sees_only_messages_assigned_to_them_or_their_organisation(
    client, coordinator, organiser, make_staff, organisation, message
):
    other = make_staff("other", Membership.Role.ORGANISER, organisation)
    client.force_login(other)
    assert client.get(f"/admin/inbox/contactmessage/{message.pk}/change/").status_code == 404
    assert "Bea" not in client.get("/admin/inbox/contactmessage/").text

    message.assignee = other
    message.save(update_fields=["assignee"])
    assert client.get(f"/admin/inbox/contactmessage/{message.pk}/change/").status_code == 200


def test_staff_find_a_message_by_the_senders_exact_email(client, coordinator, message):
    client.force_login(coordinator)
    assert "Bea" in client.get("/admin/inbox/contactmessage/", {"q": "BEA@example.org"}).text
    assert "Bea" not in client.get("/admin/inbox/contactmessage/", {"q": "x@example.org"}).text


def test_closed_messages_lose_their_personal_data_after_the_retention_period(message, settings):
    settings.CONVOCA_INBOX_RETENTION_DAYS = 30
    contact_message_status_set(message=message, status=ContactMessage.Status.CLOSED)
    ThreadEntry.objects.create(message=message, kind="note", body="Called her back.")
    open_one = contact_message_create(
        data=ContactData(name="Eva", email="eva@example.org", subject="other", body="Hi",
                         language="en")
    )  # fmt: skip

    assert contact_message_purge_closed(now=timezone.now() + timedelta(days=29)) == 0
    assert contact_message_purge_closed(now=timezone.now() + timedelta(days=31)) == 1

    message.refresh_from_db()
    assert (message.name, message.body, message.person) == ("", "", None)
    assert message.erased_at is not None and message.subject == "meeting"
    assert not message.entries.exists()
    open_one.refresh_from_db()
    assert open_one.body == "Hi"


def test_the_assignee_is_emailed_a_link_without_the_senders_data(
    client, coordinator, organiser, message, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.messages.clear()
    client.force_login(coordinator)
    _change(client, message, django_capture_on_commit_callbacks, assignee=organiser.pk)

    [sent] = smtp_sink.messages
    assert sent["to"] == ["organiser@example.org"]
    body = sent["message"].get_content()
    assert f"/admin/inbox/contactmessage/{message.pk}/change/" in body
    assert "Bea" not in body and "Tuesday" not in body


def test_assigning_a_message_to_oneself_sends_no_email(
    client, coordinator, message, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.messages.clear()
    client.force_login(coordinator)
    _change(client, message, django_capture_on_commit_callbacks, assignee=coordinator.pk)
    assert smtp_sink.messages == []


def test_a_viewer_assigned_a_message_reads_it_but_cannot_change_it(
    client, make_staff, organisation, message, django_capture_on_commit_callbacks
):
    viewer = make_staff("viewer", Membership.Role.VIEWER, organisation)
    ContactMessage.objects.filter(pk=message.pk).update(organisation=organisation)
    client.force_login(viewer)
    assert client.get(f"/admin/inbox/contactmessage/{message.pk}/change/").status_code == 200
    _change(client, message, django_capture_on_commit_callbacks, reply="Hello")
    assert not ThreadEntry.objects.exists()


def test_the_nightly_purge_of_unconfirmed_people_keeps_the_sender_of_a_message_still_held(
    message, settings
):
    from convoca.people.services import PersonData, person_purge_unconfirmed, person_upsert

    drive_by = person_upsert(data=PersonData(email="never@example.org")).person
    later = timezone.now() + timedelta(days=settings.CONVOCA_UNCONFIRMED_RETENTION_DAYS + 1)

    assert person_purge_unconfirmed(now=later) == 1  # the other unconfirmed person

    drive_by.refresh_from_db()
    message.refresh_from_db()
    assert drive_by.erased_at is not None
    assert message.person.email == "bea@example.org"
    assert message.body == "How do I join Tuesday's meeting?"
