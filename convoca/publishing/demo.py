"""A statement in English with its Spanish version, like the ones coalitions publish."""

import uuid
from datetime import timedelta

from django.utils import timezone

from convoca.publishing.models import Article

STATEMENT_EN = """\
We, the undersigned organisations from across the Americas and Europe, call for an
immediate end to the unilateral sanctions that are denying millions of people access
to food, medicine and fuel.

## What sanctions do

Sanctions are presented as a tool against governments. In practice they fall on
families: hospitals without spare parts, farmers without fertiliser, migrants forced
to leave their homes.

> "No economic blockade has ever brought freedom to a people." — a nurse in our delegation

## What we ask

1. Lift the sanctions that block trade in food and medicine.
2. Open dialogue between governments instead of threats.
3. Respect the sovereignty of every nation.

Join us in the week of action, sign the appeal, and share this statement.
"""

STATEMENT_ES = """\
Las organizaciones firmantes, de las Américas y de Europa, exigimos el fin inmediato
de las sanciones unilaterales que niegan a millones de personas el acceso a alimentos,
medicinas y combustible.

## Lo que hacen las sanciones

Las sanciones se presentan como una herramienta contra gobiernos. En la práctica caen
sobre las familias: hospitales sin repuestos, campesinos sin fertilizantes, migrantes
obligados a dejar sus hogares.

> «Ningún bloqueo económico le ha dado jamás la libertad a un pueblo.»
> — una enfermera de nuestra delegación

## Lo que pedimos

1. Levantar las sanciones que bloquean el comercio de alimentos y medicinas.
2. Diálogo entre gobiernos en lugar de amenazas.
3. Respeto a la soberanía de cada nación.

Súmate a la semana de acción, firma el llamamiento y comparte esta declaración.
"""


def load(context: dict) -> None:
    organisation = context["organisations"][0]
    published = timezone.now() - timedelta(days=2)
    key = uuid.uuid4()
    context["statement"] = [
        Article.objects.create(
            translation_key=key,
            language="en",
            kind=Article.Kind.STATEMENT,
            title="End the sanctions: food and medicine are not weapons",
            slug="end-the-sanctions",
            standfirst="A joint statement by the coalition's member organisations on the human "
            "cost of unilateral sanctions, and what we ask of governments.",
            body=STATEMENT_EN,
            byline="By the coordinating committee",
            dateline="Tucson, AZ",
            organisation=organisation,
            status=Article.Status.PUBLISHED,
            published_at=published,
        ),
        Article.objects.create(
            translation_key=key,
            language="es",
            kind=Article.Kind.STATEMENT,
            title="Fin a las sanciones: los alimentos y las medicinas no son armas",
            slug="fin-a-las-sanciones",
            standfirst="Declaración conjunta de las organizaciones de la coalición sobre el costo "
            "humano de las sanciones unilaterales y lo que pedimos a los gobiernos.",
            body=STATEMENT_ES,
            byline="Por el comité coordinador",
            dateline="Tucson, AZ",
            organisation=organisation,
            status=Article.Status.PUBLISHED,
            published_at=published,
        ),
    ]
