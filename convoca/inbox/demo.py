"""Demo contact messages: new, assigned, answered and closed, in both languages."""

from django.contrib.auth import get_user_model

from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_key
from convoca.inbox.models import REPLY, ContactMessage, ThreadEntry
from convoca.inbox.services import (
    ContactData,
    contact_message_assign,
    contact_message_create,
    contact_message_note_add,
    contact_message_status_set,
)

MESSAGES = [
    (
        "Marta Ruiz",
        "marta.ruiz@example.org",
        "press",
        "es",
        "Soy periodista de una radio comunitaria. ¿Alguien podría hablar con nosotros sobre "
        "la semana de acción?",
    ),
    (
        "Kwame Mensah",
        "kwame.mensah@example.org",
        "meeting",
        "en",
        "How do I join the monthly webinar? I could not find the link.",
    ),
    (
        "Ingrid Olsen",
        "ingrid.olsen@example.org",
        "general",
        "en",
        "Our union branch would like to invite a speaker in the spring.",
    ),
    (
        "Pablo Núñez",
        "pablo.nunez@example.org",
        "other",
        "es",
        "Gracias por el último Semanal, lo compartimos en nuestra asamblea.",
    ),
]


def load(context: dict) -> None:
    messages = [
        contact_message_create(
            data=ContactData(name=name, email=email, subject=subject, body=body, language=language)
        )
        for name, email, subject, language, body in MESSAGES
    ]
    User = get_user_model()
    organiser = User.objects.get(username="organiser")
    coordinator = User.objects.get(username="coordinator")
    contact_message_assign(message=messages[0], assignee=organiser)
    contact_message_note_add(
        message=messages[0], author=coordinator, body="Maybe the media working group can answer."
    )
    # Answered earlier: the reply is in the thread as sent (the demo sends no real email).
    reply = ThreadEntry.objects.create(
        message=messages[1],
        kind=ThreadEntry.Kind.REPLY,
        author=coordinator,
        body="The link goes out on the Monday before each webinar; you are now on the list.",
    )
    OutboxEmail.objects.create(
        kind=REPLY,
        status=OutboxEmail.Status.SENT,
        dedupe_key=outbox_key(REPLY, reply.pk),
        sent_at=messages[1].created_at,
    )
    contact_message_status_set(message=messages[1], status=ContactMessage.Status.ANSWERED)
    contact_message_status_set(message=messages[3], status=ContactMessage.Status.CLOSED)
