import pytest
from django.db import connection
from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver
from convoca.inbox.models import ContactMessage
from convoca.people.models import Activity, Person
from convoca.people.selectors import person_get_by_email

pytestmark = pytest.mark.django_db


def test_contact_message_is_stored_and_acknowledged_in_the_senders_language(
    send_contact, smtp_sink
):
    response = send_contact(language="es")

    assert response.status_code == 302
    assert response["Location"] == "/es/contacto/gracias/"
    message = ContactMessage.objects.get()
    assert message.status == ContactMessage.Status.NEW
    assert message.subject == "press"
    assert message.body == "Could someone speak on our radio programme on Friday?"
    assert message.language == "es"
    assert message.person == person_get_by_email("ana@example.org")
    assert message.acknowledged_at is not None
    [sent] = smtp_sink.messages
    assert sent["to"] == ["ana@example.org"]
    assert sent["message"]["Subject"] == "Hemos recibido tu mensaje a Convoca"
    assert Activity.objects.filter(person=message.person, kind=Activity.Kind.WROTE).exists()


def test_message_name_and_text_are_encrypted_in_the_database(send_contact):
    send_contact()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, body FROM inbox_contactmessage")
        [(name, body)] = cursor.fetchall()
    # "<key version>$<base64>": three letters such as "Ana" turn up in base64 by chance.
    assert name.split("$")[0].isdigit() and "Ana López" not in name
    assert body.split("$")[0].isdigit() and "radio programme" not in body


def test_when_email_sending_fails_the_message_is_kept_and_the_visitor_sees_success(
    client, send_contact, broken_mail_server
):
    response = send_contact()

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Message received" in page.text
    message = ContactMessage.objects.get()
    assert message.body == "Could someone speak on our radio programme on Friday?"
    assert message.acknowledged_at is None


def test_a_failed_acknowledgement_is_sent_by_the_retry_once_mail_works(send_contact, smtp_sink):
    smtp_sink.stop()
    send_contact()
    assert smtp_sink.messages == []
    [waiting] = OutboxEmail.objects.all()
    assert (waiting.status, waiting.kind) == ("retrying", "inbox.acknowledgement")

    smtp_sink.start()
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    assert outbox_deliver().sent == 1
    assert outbox_deliver().sent == 0
    assert len(smtp_sink.messages) == 1
    assert ContactMessage.objects.get().acknowledged_at is not None


def test_bad_input_is_explained_in_the_visitors_language_and_the_form_kept_filled(send_contact):
    response = send_contact(language="es", email="ana@", message="")

    assert response.status_code == 400
    page = response.text
    assert "Introduce una dirección de correo válida" in page
    assert "Escribe tu mensaje." in page
    assert 'value="Ana López"' in page
    assert ContactMessage.objects.count() == 0


def test_a_filled_honeypot_stores_nothing(send_contact):
    response = send_contact(website="https://spam.example")
    assert response.status_code == 400
    assert ContactMessage.objects.count() == 0


def test_without_proof_of_work_a_client_is_held_to_the_stricter_limit(send_contact, settings):
    settings.CONVOCA_RATE_LIMITS = {
        **settings.CONVOCA_RATE_LIMITS,
        "contact-without-pow": {"per_client": (2, 3600), "per_email": (5, 3600)},
    }
    assert send_contact(email="a@example.org").status_code == 302
    assert send_contact(email="b@example.org").status_code == 302
    assert send_contact(email="c@example.org").status_code == 429
    assert ContactMessage.objects.count() == 2


def test_the_contact_page_asks_for_a_proof_of_work_and_preselects_a_subject(client):
    page = client.get("/en/contact/?subject=meeting").text
    assert 'name="pow"' in page
    assert 'data-pow-challenge="' in page
    assert '<option value="meeting" selected>' in page


def test_exporting_and_erasing_a_person_covers_their_messages(send_contact):
    from convoca.people.services import person_erase, person_export

    send_contact()
    person = Person.objects.get()
    [exported] = person_export(person=person)["contact_messages"]
    assert exported["message"].startswith("Could someone speak")

    person_erase(person=person)
    message = ContactMessage.objects.get()
    assert (message.name, message.body, message.person) == ("", "", None)
    assert message.erased_at is not None
