"""The unconfirmed purge waits for a confirmation email still on its way."""

from collections import Counter
from datetime import timedelta

from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver, outbox_message_enqueue
from convoca.people.models import Person
from convoca.people.services import PersonData, person_purge_unconfirmed, person_upsert

Status = OutboxEmail.Status


def _recipients(sink):
    return Counter(address for m in sink.messages for address in m["to"])


def _enqueue(to, *, kind="test.hello", person_id=""):
    return outbox_message_enqueue(
        kind=kind,
        message=EmailMessage(subject="Hello", body=f"Dear {to},", to=[to]),
        person_id=person_id,
    )


def _make_due():
    OutboxEmail.objects.update(next_attempt_at=timezone.now())


def test_the_purge_keeps_someone_whose_confirmation_email_is_still_on_its_way(db, smtp_sink):
    django_settings_days = django_settings.CONVOCA_UNCONFIRMED_RETENTION_DAYS
    waiting = person_upsert(data=PersonData(email="wait@example.org")).person
    gone = person_upsert(data=PersonData(email="gone@example.org")).person
    for person in (waiting, gone):
        _enqueue(person.email, kind="actions.confirmation", person_id=person.pk)
    Person.objects.update(created_at=timezone.now() - timedelta(days=django_settings_days + 1))
    smtp_sink.deferred.add("wait@example.org")
    outbox_deliver()  # one sent, one retrying

    assert person_purge_unconfirmed() == 1
    assert Person.objects.get(pk=waiting.pk).erased_at is None
    assert Person.objects.get(pk=gone.pk).erased_at is not None
    # Erasure removed what the outbox held about them.
    assert OutboxEmail.objects.get(person_id=str(gone.pk)).to == ""

    smtp_sink.deferred.clear()
    _make_due()
    outbox_deliver()
    assert person_purge_unconfirmed() == 1
    assert Person.objects.get(pk=waiting.pk).erased_at is not None
