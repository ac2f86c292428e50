"""Demo mailings: two lists with subscribers, a sent mailing with its figures, a scheduled one.

The sent mailing really goes through the sending engine, into files: the
organiser can read every message in ``<data folder>/demo-mail/`` (and
preview it in the admin).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.utils import timezone

from convoca.mailings.models import Delivery, MailingList
from convoca.mailings.sending import mailing_send_batch
from convoca.mailings.services import (
    mailing_create,
    mailing_finish_if_done,
    mailing_list_create,
    mailing_schedule,
    mailing_send_now,
    subscription_add_confirmed,
    subscription_request,
    tracking_event_record,
    unsubscribe_one_click,
)
from convoca.people.services import PersonData, person_upsert

FIRST_NAMES = [
    "Amaru", "Beatriz", "Chidi", "Dolores", "Emeka", "Fátima", "Gustavo", "Hana", "Iker",
    "Julia", "Kwame", "Lucía", "Marta", "Nicolás", "Olga", "Pablo", "Quilla", "Rosa",
    "Samir", "Teresa", "", "Valeria", "Wanjiru", "Ximena", "Yusuf", "Zoe",
]  # fmt: skip
COUNTRIES = ["MX", "US", "CU", "ES", "GB", "AR", "CO", "FR", "KE", "NG", "CL", "PE"]

ALERTS_BODY = {
    "en": """Dear {{ first_name }},

Our monthly webinar is on **Tuesday at 18:00 UTC**: health workers will explain how
the sanctions block the delivery of medicines, and what a humanitarian exemption
would change.

- [Register for the webinar](/en/actions/)
- Share this email with three people who would come

See you on Tuesday,
The coordination team""",
    "es": """Hola, {{ first_name }}:

Nuestro seminario mensual es el **martes a las 18:00 UTC**: personal sanitario
explicará cómo las sanciones bloquean la llegada de medicinas y qué cambiaría con una
exención humanitaria.

- [Inscríbete en el seminario](/es/acciones/)
- Reenvía este correo a tres personas a las que les interese

Nos vemos el martes,
El equipo de coordinación""",
}


def demo_mail_folder():
    return settings.DATA_DIR / "demo-mail"


def load(context: dict) -> None:
    organisation = context["organisations"][0]
    alerts = mailing_list_create(
        organisation=organisation,
        slug="alerts",
        purpose=MailingList.Purpose.NEWS,
        name={
            "en": "Alerts: webinars and mobilisations",
            "es": "Alertas: seminarios y movilizaciones",
        },
        description={
            "en": "One email when a webinar or a mobilisation is announced.",
            "es": "Un correo cuando se anuncia un seminario o una movilización.",
        },
    )
    weekly = mailing_list_create(
        organisation=None,
        slug="weekly",
        purpose=MailingList.Purpose.WEEKLY,
        name={"en": "The Weekly", "es": "El Semanal"},
        description={
            "en": "Every Friday, the week's statements, news and videos in one email.",
            "es": "Cada viernes, las declaraciones, noticias y vídeos de la semana en un correo.",
        },
    )
    people = list(context.get("people", []))
    for n in range(60):
        name = FIRST_NAMES[n % len(FIRST_NAMES)]
        people.append(
            person_upsert(
                data=PersonData(
                    email=f"{(name or 'reader').lower()}.{n}@example.org",
                    given_name=name,
                    country=COUNTRIES[n % len(COUNTRIES)],
                    language="es" if n % 3 else "en",
                ),
                confirmed=True,
            ).person
        )
    for n, person in enumerate(people):
        subscription_add_confirmed(mailing_list=alerts, person=person, source="demo")
        if n % 2 == 0:
            subscription_add_confirmed(mailing_list=weekly, person=person, source="demo")
    # Two who asked and have not confirmed yet: they are not mailed.
    subscription_request(mailing_list=alerts, email="pending.1@example.org", language="es")
    subscription_request(mailing_list=weekly, email="pending.2@example.org", language="en")

    sent = mailing_create(
        organisation=organisation,
        lists=[alerts],
        subject={"en": "Webinar on Tuesday: medicines and sanctions",
                 "es": "Seminario el martes: medicinas y sanciones"},
        body_markdown=ALERTS_BODY,
        first_name_fallback={"en": "friend", "es": "amistad"},
    )  # fmt: skip
    mailing_send_now(mailing=sent)
    folder = demo_mail_folder()
    folder.mkdir(parents=True, exist_ok=True)
    mailing_send_batch(mailing_id=sent.pk, limit=10_000, backend=FileBackend(file_path=folder))
    mailing_finish_if_done(mailing_id=sent.pk)
    # What a provider's webhooks would have reported since.
    deliveries = list(Delivery.objects.filter(mailing=sent).order_by("pk"))
    for n, delivery in enumerate(deliveries):
        event = "bounced" if n in (3, 17) else "complained" if n == 29 else "delivered"
        tracking_event_record(
            event_type=event,
            metadata={"convoca_delivery": str(delivery.pk)},
            description="demo",
        )
    for delivery in deliveries[40:42]:
        unsubscribe_one_click(person_id=str(delivery.person_id), mailing_id=sent.pk)

    scheduled = mailing_create(
        organisation=None,
        lists=[weekly],
        subject={"en": "The Weekly: statements, news and videos",
                 "es": "El Semanal: declaraciones, noticias y vídeos"},
        body_markdown={
            "en": "Dear {{ first_name }},\n\nThe week in five links, with the new statement "
                  "on medicines first.",
            "es": "Hola, {{ first_name }}:\n\nLa semana en cinco enlaces, empezando por la "
                  "nueva declaración sobre las medicinas.",
        },
        first_name_fallback={"en": "friend", "es": "amistad"},
    )  # fmt: skip
    mailing_schedule(mailing=scheduled, send_at=timezone.now() + timedelta(days=3))
    context["mailing_lists"] = [alerts, weekly]
