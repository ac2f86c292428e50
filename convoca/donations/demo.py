"""Demo fundraiser: send a delegation; online gifts (one-off, monthly), offline ones, donors.

Online gifts go through the real write path: a pending donation, then the
provider-neutral changes a verified Stripe event would bring, applied by
``webhook_event_apply``. Only the signature check is skipped, since no
Stripe account is involved; receipts are marked sent so the demo prints none.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.donations.emails import RECEIPT
from convoca.donations.models import Fundraiser, OfflineGift
from convoca.donations.providers import Change, ProviderEvent, provider_get
from convoca.donations.services import (
    DonationData,
    donation_create_pending,
    fundraiser_save,
    offline_gift_save,
    webhook_event_apply,
)
from convoca.people.services import PersonData

BODY_EN = """\
In February the Human Rights Council hears the case of the communities displaced
by the dam. Their own voices must be in the room.

We are raising the money to send **a delegation of five**: two community leaders,
a lawyer, an interpreter and a journalist. Every gift pays for something concrete:

- **25 EUR** pays a day of interpretation;
- **150 EUR** pays a night's lodging for the delegation;
- **600 EUR** pays one return flight.

Gifts at rallies and by bank transfer are added to the bar by the organisers.
"""

BODY_ES = """\
En febrero el Consejo de Derechos Humanos examina el caso de las comunidades
desplazadas por la represa. Sus propias voces tienen que estar en la sala.

Reunimos el dinero para enviar **una delegación de cinco personas**: dos líderes
comunitarias, una abogada, un intérprete y un periodista. Cada donación paga algo concreto:

- **25 EUR** pagan un día de interpretación;
- **150 EUR** pagan una noche de alojamiento de la delegación;
- **600 EUR** pagan un vuelo de ida y vuelta.

Las donaciones en las concentraciones y por transferencia las suman las organizadoras.
"""

#: (email, given name, family name, language, amount in cents, monthly, public name or "")
DONORS = [
    ("amaia.etxeberria@example.org", "Amaia", "Etxeberria", "es", 5000, False, "Amaia E."),
    ("tom.brennan@example.org", "Tom", "Brennan", "en", 2500, False, "Tom from Leeds"),
    ("nadia.haddad@example.org", "Nadia", "Haddad", "en", 10000, False, ""),
    ("carlos.mendoza@example.org", "Carlos", "Mendoza", "es", 2500, True, "Carlos M."),
    ("ingrid.larsen@example.org", "Ingrid", "Larsen", "en", 60000, False, "Ingrid Larsen"),
    ("fatou.diallo@example.org", "Fatou", "Diallo", "en", 1000, True, ""),
    ("rosa.quispe@example.org", "Rosa", "Quispe", "es", 1500, False, "Rosa Q."),
    ("mark.jensen@example.org", "Mark", "Jensen", "en", 25000, False, ""),
    ("lucia.perez@example.org", "Lucía", "Pérez", "es", 5000, True, "Lucía, Madrid"),
    ("yusuf.kaya@example.org", "Yusuf", "Kaya", "en", 2000, False, "Yusuf"),
    ("elena.rossi@example.org", "Elena", "Rossi", "en", 15000, False, ""),
    ("diego.farias@example.org", "Diego", "Farías", "es", 3000, False, "Diego F."),
]


def load(context: dict) -> None:
    organisation = context["organisations"][0]
    now = timezone.now()
    fundraiser = Fundraiser(
        slug="send-a-delegation",
        organisation=organisation,
        currency="EUR",
        goal=800_000,
        suggested_amounts=[1000, 2500, 5000, 15000],
        status=Fundraiser.Status.OPEN,
        deadline=now + timedelta(days=45),
    )
    fundraiser_save(
        fundraiser=fundraiser,
        texts={
            "en": {
                "title": "Send a delegation to the Geneva hearings",
                "summary": (
                    "Five people, one week, the voices of the displaced communities in the room."
                ),
                "body": BODY_EN,
                "thank_you": "Thank you. We will write from Geneva.",
            },
            "es": {
                "title": "Enviar una delegación a las audiencias de Ginebra",
                "summary": (
                    "Cinco personas, una semana, las voces de las comunidades desplazadas "
                    "en la sala."
                ),
                "body": BODY_ES,
                "thank_you": "Gracias. Os escribiremos desde Ginebra.",
            },
        },
    )
    provider = provider_get("stripe")
    start = now - timedelta(days=40)
    for i, (email, given, family, language, amount, monthly, public_name) in enumerate(DONORS):
        donation = donation_create_pending(
            fundraiser=fundraiser,
            provider=provider,
            data=DonationData(
                person=PersonData(
                    email=email, given_name=given, family_name=family, language=language
                ),
                amount=amount,
                frequency="monthly" if monthly else "once",
                public_name=public_name,
                listed=bool(public_name),
                listed_wording="Show my name in the list of donors",
                news=i % 2 == 0,
                news_wording=f"{organisation.name} may email me about its campaigns.",
                form="demo",
            ),
        )
        paid_at = start + timedelta(days=3 * i, hours=i)
        months = 2 if monthly and paid_at < now - timedelta(days=31) else 1
        for month in range(months):
            at = paid_at + timedelta(days=30 * month)
            change = Change(
                type="payment_succeeded",
                donation=str(donation.pk),
                reference=f"demo_payment_{i}_{month}",
                payment_intent=f"demo_pi_{i}_{month}",
                customer=f"demo_customer_{i}" if monthly else "",
                subscription=f"demo_subscription_{i}" if monthly else "",
                amount=amount,
            )
            webhook_event_apply(
                provider=provider,
                event=ProviderEvent(
                    id=f"demo_event_{i}_{month}", kind="demo", occurred_at=at, change=change
                ),
            )
    # One refund, as happens: a gift made by mistake, given back in full.
    refund = Change(type="refunded", payment_intent="demo_pi_9_0", amount=2000)
    webhook_event_apply(
        provider=provider,
        event=ProviderEvent(id="demo_event_refund", kind="demo", occurred_at=now, change=refund),
    )
    # The demo's receipts count as sent: nobody is emailed for a made-up gift.
    OutboxEmail.objects.filter(kind=RECEIPT, status=OutboxEmail.Status.WAITING).update(
        status=OutboxEmail.Status.SENT, sent_at=now
    )
    for amount, method, days_ago, donors, note, person in [
        (34_000, "cash", 20, 27, "Collection at the rally outside the consulate", None),
        (100_000, "transfer", 12, 1, "Health workers' union", None),
        (15_000, "cheque", 5, 1, "", ("maria.gomez@example.org", "María", "Gómez")),
    ]:
        gift = OfflineGift(
            fundraiser=fundraiser,
            amount=amount,
            method=method,
            received_on=(now - timedelta(days=days_ago)).astimezone(UTC).date(),
            donors=donors,
            note=note,
        )
        person_data = None
        if person:
            person_data = PersonData(email=person[0], given_name=person[1], family_name=person[2])
        offline_gift_save(gift=gift, user=None, person_data=person_data)
    context["fundraiser"] = fundraiser
