"""Demo publishing: a dozen statements and news items (several in both languages), topics,
a photo, three issues of the Weekly and a press log.

The outlets and addresses of the Weekly links and the press log are invented
(``.example`` domains): the demo needs no network and attributes nothing to a
real newspaper.
"""

import uuid
from datetime import date, timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw

from convoca.publishing.models import Article, PressCoverage, Topic, WeeklyLink, WeeklySection
from convoca.publishing.services import (
    article_create,
    image_create,
    press_coverage_create,
    topic_save,
    weekly_issue_create,
    weekly_issue_publish,
    weekly_issue_schedule,
    weekly_link_create,
    weekly_section_save,
)

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


TOPICS = [
    (
        "sanctions",
        "Sanctions",
        "Sanciones",
        "The human cost of unilateral sanctions.",
        "El costo humano de las sanciones unilaterales.",
    ),
    ("venezuela", "Venezuela", "Venezuela", "", ""),
    ("cuba", "Cuba", "Cuba", "", ""),
    (
        "week-of-action",
        "Week of action",
        "Semana de acción",
        "Rallies, vigils and teach-ins in dozens of cities.",
        "Concentraciones, vigilias y charlas en decenas de ciudades.",
    ),
    ("migration", "Migration", "Migración", "", ""),
    ("peace", "Peace and dialogue", "Paz y diálogo", "", ""),
]

# (days ago, kind, topics, byline/dateline, {language: (slug, title, standfirst, body)})
ARTICLES = [
    (
        9,
        "news",
        ["week-of-action", "sanctions"],
        ("By staff", "Por la redacción", "Tucson, AZ"),
        {
            "en": (
                "week-of-action-report",
                "A week of action in 42 cities: what we saw",
                "From Tucson to Madrid, more than 5,000 people joined rallies, vigils and "
                "teach-ins calling for an end to the sanctions.",
                "The week opened with a vigil outside the federal building in Tucson and closed "
                "with a march of 2,000 people in Mexico City.\n\n## Highlights\n\n"
                "- **Madrid**: dockworkers read the joint statement at the port gates.\n"
                "- **Buenos Aires**: a teach-in with doctors who worked in Caracas hospitals.\n"
                "- **Toronto**: 300 letters delivered to members of parliament.\n\n"
                '> "People came who had never been to a rally before." — a host in Denver\n\n'
                "Thank you to the 61 hosts who organised an event. Photos and reports are in "
                "the Weekly.",
            ),
            "es": (
                "informe-semana-de-accion",
                "Una semana de acción en 42 ciudades: lo que vimos",
                "De Tucson a Madrid, más de 5.000 personas participaron en concentraciones, "
                "vigilias y charlas para exigir el fin de las sanciones.",
                "La semana empezó con una vigilia ante el edificio federal de Tucson y terminó "
                "con una marcha de 2.000 personas en Ciudad de México.\n\n## Lo más destacado\n\n"
                "- **Madrid**: estibadores leyeron la declaración conjunta a las puertas del "
                "puerto.\n- **Buenos Aires**: una charla con médicos que trabajaron en hospitales "
                "de Caracas.\n- **Toronto**: 300 cartas entregadas a diputados.\n\n"
                "> «Vino gente que nunca había ido a una manifestación.» — una anfitriona en "
                "Denver\n\nGracias a las 61 personas que organizaron un evento.",
            ),
        },
    ),
    (
        16,
        "statement",
        ["peace", "venezuela"],
        ("The coordinating committee", "El comité coordinador", "Mexico City"),
        {
            "en": (
                "joint-declaration-americas-meeting",
                "Joint declaration of the Americas solidarity meeting",
                "Forty organisations from fourteen countries agree on a common plan for the "
                "coming year.",
                "Meeting in Mexico City, the undersigned organisations declare:\n\n"
                "1. Our solidarity with the peoples living under unilateral sanctions.\n"
                "2. Our support for dialogue between governments, without threats.\n"
                "3. Our commitment to a second week of action in the spring.\n\n"
                "We invite every organisation that shares these aims to endorse this "
                "declaration.",
            ),
            "es": (
                "declaracion-conjunta-encuentro-americas",
                "Declaración conjunta del encuentro de solidaridad de las Américas",
                "Cuarenta organizaciones de catorce países acuerdan un plan común para el "
                "próximo año.",
                "Reunidas en Ciudad de México, las organizaciones firmantes declaramos:\n\n"
                "1. Nuestra solidaridad con los pueblos que viven bajo sanciones unilaterales.\n"
                "2. Nuestro apoyo al diálogo entre gobiernos, sin amenazas.\n"
                "3. Nuestro compromiso con una segunda semana de acción en primavera.\n\n"
                "Invitamos a toda organización que comparta estos objetivos a suscribir esta "
                "declaración.",
            ),
        },
    ),
    (
        23,
        "analysis",
        ["sanctions"],
        ("By Ana Ruiz", "", "Washington, DC"),
        {
            "en": (
                "secondary-sanctions-medicine",
                "How secondary sanctions reach the medicine supply chain",
                "Banks that fear penalties refuse payments for goods that are legally exempt.",
                "Humanitarian exemptions exist on paper. In practice, a hospital that wants to "
                "buy insulin needs a bank willing to move the money, and few banks take the "
                "risk.\n\n## Over-compliance\n\nCompliance officers decline transactions that "
                "are legal, because the cost of a mistake is a fine in the millions.",
            ),
        },
    ),
    (
        30,
        "news",
        ["cuba", "migration"],
        ("By staff", "Por la redacción", "Miami, FL"),
        {
            "en": (
                "caravan-medical-supplies",
                "Caravan delivers twelve tonnes of medical supplies",
                "Volunteers drove from six cities to bring syringes, gloves and insulin.",
                "The caravan left from Seattle, Chicago and Los Angeles and met in Miami before "
                "the shipment sailed.",
            ),
            "es": (
                "caravana-insumos-medicos",
                "La caravana entrega doce toneladas de insumos médicos",
                "Voluntarios condujeron desde seis ciudades para llevar jeringas, guantes e "
                "insulina.",
                "La caravana salió de Seattle, Chicago y Los Ángeles y se reunió en Miami antes "
                "de que zarpara el cargamento.",
            ),
        },
    ),
    (
        37,
        "announcement",
        ["peace"],
        ("", "", ""),
        {
            "en": (
                "monthly-webinar",
                "Monthly webinar: the last Tuesday of every month",
                "An hour with speakers from the region and time for your questions.",
                "Join us on the last Tuesday of each month at 7 pm Eastern. Interpretation into "
                "Spanish is provided.",
            ),
            "es": (
                "seminario-mensual",
                "Seminario web mensual: el último martes de cada mes",
                "Una hora con ponentes de la región y tiempo para tus preguntas.",
                "Te esperamos el último martes de cada mes a las 19:00 (hora del Este). Hay "
                "interpretación al español.",
            ),
        },
    ),
    (
        44,
        "open_letter",
        ["sanctions"],
        ("Signed by 212 organisations", "", "Washington, DC"),
        {
            "en": (
                "open-letter-to-congress",
                "Open letter to members of Congress",
                "Two hundred organisations ask for hearings on the humanitarian cost of sanctions.",
                "Dear Representative,\n\nWe write to ask you to support hearings on the effect "
                "of sanctions on civilians.\n\nSincerely,\n\nThe undersigned organisations",
            ),
        },
    ),
    (
        51,
        "news",
        ["venezuela"],
        ("", "Por la redacción", "Caracas"),
        {
            "es": (
                "delegacion-regresa-de-caracas",
                "La delegación regresa de Caracas",
                "Doce sindicalistas y médicos visitaron hospitales y cooperativas durante una "
                "semana.",
                "La delegación se reunió con trabajadores de la salud y con cooperativas "
                "agrícolas. Su informe se publicará el mes próximo.",
            ),
        },
    ),
    (
        58,
        "statement",
        ["migration"],
        ("The coordinating committee", "", "Tucson, AZ"),
        {
            "en": (
                "solidarity-with-migrants",
                "Solidarity with migrants at the border",
                "Sanctions push families to leave; walls do not stop them.",
                "We stand with the families who cross deserts and rivers, and with the "
                "volunteers who leave water on the trails.",
            ),
        },
    ),
    (
        65,
        "news",
        ["peace", "week-of-action"],
        ("By staff", "Por la redacción", "Genoa"),
        {
            "en": (
                "dockworkers-refuse",
                "Dockworkers refuse to load a shipment of arms",
                "The port union says its members will not handle cargo bound for a war.",
                "The union's statement was read at a rally of 800 people at the port.",
            ),
            "es": (
                "estibadores-se-niegan",
                "Los estibadores se niegan a cargar un envío de armas",
                "El sindicato del puerto afirma que sus afiliados no manipularán carga destinada "
                "a una guerra.",
                "La declaración del sindicato se leyó en una concentración de 800 personas en el "
                "puerto.",
            ),
        },
    ),
    (
        72,
        "analysis",
        ["sanctions", "cuba"],
        ("", "Por Marta Gil", "La Habana"),
        {
            "es": (
                "remesas-y-bloqueo-financiero",
                "Las remesas y el bloqueo financiero",
                "Cómo las restricciones a las transferencias afectan a las familias.",
                "Las familias que reciben dinero de parientes en el exterior pagan comisiones "
                "cada vez más altas, cuando el dinero llega.",
            ),
        },
    ),
    (
        79,
        "statement",
        ["peace"],
        ("The coordinating committee", "El comité coordinador", ""),
        {
            "en": (
                "attack-on-journalists",
                "We condemn the attack on journalists",
                "Reporters covering the protests were beaten and their cameras seized.",
                "Freedom of the press is not negotiable. We call for an independent investigation.",
            ),
            "es": (
                "ataque-a-periodistas",
                "Condenamos el ataque a periodistas",
                "Reporteros que cubrían las protestas fueron golpeados y sus cámaras confiscadas.",
                "La libertad de prensa no se negocia. Exigimos una investigación independiente.",
            ),
        },
    ),
]

# Three issues of the Weekly: (intro en, intro es, [(section en, es, [links])]).
# A link: (url, title, source, kind, language, note, topic slug).
WEEKLY = [
    (
        "The week of action in pictures, and what the banks are not telling you.",
        "La semana de acción en imágenes, y lo que los bancos no cuentan.",
        [
            (
                "Analysis",
                "Análisis",
                [
                    (
                        "https://dailycourier.example/2026/11/banks-humanitarian-exemptions",
                        "Why humanitarian exemptions fail at the bank counter",
                        "The Daily Courier",
                        "article",
                        "en",
                        "Compliance officers explain over-compliance.",
                        "sanctions",
                    ),
                    (
                        "https://diariodelsur.example/opinion/sanciones-y-salud",
                        "Sanciones y salud pública: diez años de datos",
                        "Diario del Sur",
                        "report",
                        "es",
                        "Un informe con cifras de mortalidad infantil.",
                        "sanctions",
                    ),
                    (
                        "https://monthlyreview-americas.example/issue-88/dialogue",
                        "The case for dialogue",
                        "Review of the Americas",
                        "article",
                        "en",
                        "",
                        "peace",
                    ),
                ],
            ),
            (
                "Videos",
                "Vídeos",
                [
                    (
                        "https://video.example/watch?v=week-of-action-tucson",
                        "Tucson vigil: the opening night",
                        "Coalition channel",
                        "video",
                        "en",
                        "Four minutes, with Spanish subtitles.",
                        "week-of-action",
                    ),
                    (
                        "https://video.example/watch?v=madrid-estibadores",
                        "Estibadores de Madrid leen la declaración",
                        "Canal de la coalición",
                        "video",
                        "es",
                        "",
                        "week-of-action",
                    ),
                ],
            ),
        ],
    ),
    (
        "A caravan, a delegation and a letter to Congress.",
        "Una caravana, una delegación y una carta al Congreso.",
        [
            (
                "News",
                "Noticias",
                [
                    (
                        "https://pacificwire.example/news/caravan-medical-supplies-miami",
                        "Caravan of volunteers reaches Miami with medical aid",
                        "Pacific Wire",
                        "article",
                        "en",
                        "",
                        "cuba",
                    ),
                    (
                        "https://radiocontinente.example/programas/delegacion-caracas",
                        "Entrevista: lo que vio la delegación en Caracas",
                        "Radio Continente",
                        "audio",
                        "es",
                        "Veinte minutos con dos de los médicos.",
                        "venezuela",
                    ),
                ],
            ),
            (
                "Reports",
                "Informes",
                [
                    (
                        "https://rights-observatory.example/reports/2026-sanctions-civilians.pdf",
                        "Sanctions and civilians: the 2026 report",
                        "Rights Observatory",
                        "report",
                        "en",
                        "Sixty pages; the summary is on page 3.",
                        "sanctions",
                    ),
                ],
            ),
        ],
    ),
    (
        "Dockworkers say no, and migrants at the border.",
        "Los estibadores dicen no, y los migrantes en la frontera.",
        [
            (
                "From the coalition",
                "De la coalición",
                [
                    (
                        "https://portworkers.example/statement-genoa",
                        "Port union statement on the arms shipment",
                        "Port Workers Union",
                        "article",
                        "en",
                        "",
                        "peace",
                    ),
                ],
            ),
            (
                "Further reading",
                "Para leer más",
                [
                    (
                        "https://borderjournal.example/2026/10/water-on-the-trails",
                        "Water on the trails: a night with the volunteers",
                        "Border Journal",
                        "article",
                        "en",
                        "",
                        "migration",
                    ),
                    (
                        "https://diariodelsur.example/mundo/remesas-comisiones",
                        "Las comisiones de las remesas se duplican",
                        "Diario del Sur",
                        "article",
                        "es",
                        "",
                        "cuba",
                    ),
                    (
                        "https://revistalatina.example/videos/frontera",
                        "La frontera, contada por quienes la cruzan",
                        "Revista Latina",
                        "video",
                        "es",
                        "",
                        "migration",
                    ),
                ],
            ),
        ],
    ),
]

# (days ago, outlet, medium, country, headline, language, campaign)
PRESS = [
    (
        8,
        "Diario Nacional",
        "newspaper",
        "MX",
        "Una página entera: miles marchan contra las sanciones",
        "es",
        "Week of action",
    ),
    (
        9,
        "Pacific Wire",
        "agency",
        "",
        "Rallies in 42 cities call for end to sanctions",
        "en",
        "Week of action",
    ),
    (
        9,
        "Radio Continente",
        "radio",
        "AR",
        "Entrevista con la coordinación de la semana de acción",
        "es",
        "Week of action",
    ),
    (
        10,
        "Channel 7 Tucson",
        "television",
        "US",
        "Vigil outside the federal building",
        "en",
        "Week of action",
    ),
    (
        12,
        "El Periódico Libre",
        "web",
        "ES",
        "Estibadores leen la declaración en el puerto",
        "es",
        "Week of action",
    ),
    (
        29,
        "The Daily Courier",
        "newspaper",
        "US",
        "Volunteers drive medical aid across the country",
        "en",
        "Medical caravan",
    ),
    (
        31,
        "Noticias del Caribe",
        "television",
        "CU",
        "Llega la caravana de insumos médicos",
        "es",
        "Medical caravan",
    ),
    (
        45,
        "Capitol Report",
        "web",
        "US",
        "Two hundred groups ask Congress for hearings",
        "en",
        "Open letter to Congress",
    ),
]


def _demo_photo() -> SimpleUploadedFile:
    """A generated picture (no camera, no location), big enough for every width."""
    image = PILImage.new("RGB", (1800, 1000), (163, 22, 26))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1800, 120):
        draw.rectangle((i, 640, i + 70, 1000), fill=(240, 230, 220))
        draw.ellipse((i + 5, 560, i + 65, 620), fill=(240, 230, 220))
    draw.rectangle((300, 380, 1500, 520), fill=(255, 255, 255))
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("march.jpg", buffer.getvalue(), content_type="image/jpeg")


def _friday_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def load(context: dict) -> None:
    organisation = context["organisations"][0]
    published = timezone.now() - timedelta(days=2)
    key = uuid.uuid4()
    topics = {
        slug: topic_save(
            topic=Topic(slug=slug, name={"en": en, "es": es}, description={"en": d_en, "es": d_es})
        )
        for slug, en, es, d_en, d_es in TOPICS
    }
    photo = image_create(
        organisation=organisation,
        upload=_demo_photo(),
        title="March against the sanctions",
        credit="Photo: the coalition",
    )
    alt = {
        "en": "Marchers in red and white behind a long banner",
        "es": "Manifestantes de rojo y blanco tras una larga pancarta",
    }
    english = article_create(
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
        image=photo,
        image_alt=alt["en"],
        topics=[topics["sanctions"], topics["venezuela"]],
    )
    # The Spanish version shares the kind, organisation, photo and topics.
    spanish = article_create(
        translation_of=english,
        language="es",
        title="Fin a las sanciones: los alimentos y las medicinas no son armas",
        slug="fin-a-las-sanciones",
        standfirst="Declaración conjunta de las organizaciones de la coalición sobre el costo "
        "humano de las sanciones unilaterales y lo que pedimos a los gobiernos.",
        body=STATEMENT_ES,
        byline="Por el comité coordinador",
        dateline="Tucson, AZ",
        status=Article.Status.PUBLISHED,
        published_at=published,
        image_alt=alt["es"],
    )
    context["statement"] = [english, spanish]
    _load_articles(context, topics)
    _load_weekly(context, topics)
    _load_press(context)


def _load_articles(context: dict, topics: dict) -> None:
    organisations = context["organisations"]
    now = timezone.now()
    for n, (days, kind, topic_slugs, credits, versions) in enumerate(ARTICLES):
        byline_en, byline_es, dateline = credits
        first = None
        for language, (slug, title, standfirst, body) in versions.items():
            # The first version makes the text; the others join it and share the rest.
            shared = (
                {
                    "kind": kind,
                    "organisation": organisations[n % len(organisations)],
                    "topics": [topics[s] for s in topic_slugs],
                }
                if first is None
                else {"translation_of": first}
            )
            version = article_create(
                language=language,
                title=title,
                slug=slug,
                standfirst=standfirst,
                body=body,
                byline=byline_en if language == "en" else byline_es,
                dateline=dateline,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(days=days, hours=n),
                **shared,
            )
            first = first or version
    # A scheduled text, to show that it stays hidden until its time.
    article_create(
        language="en",
        kind=Article.Kind.ANNOUNCEMENT,
        title="Spring week of action: call for hosts",
        slug="spring-week-of-action",
        standfirst="Host a rally, a vigil or a teach-in in your city.",
        body="Registration for hosts opens soon.",
        organisation=organisations[0],
        status=Article.Status.PUBLISHED,
        published_at=now + timedelta(days=3),
    )


def _load_weekly(context: dict, topics: dict) -> None:
    organisation = context["organisations"][0]
    last_friday = _friday_before(timezone.localdate() - timedelta(days=1))
    for n, (intro_en, intro_es, sections) in enumerate(WEEKLY):
        issue = weekly_issue_create(
            organisation=organisation,
            number=n + 1,
            issue_date=last_friday - timedelta(weeks=len(WEEKLY) - 1 - n),
            intro={"en": intro_en, "es": intro_es},
        )
        for position, (title_en, title_es, links) in enumerate(sections):
            section = weekly_section_save(
                section=WeeklySection(
                    issue=issue, position=position, title={"en": title_en, "es": title_es}
                )
            )
            for link_position, (url, title, source, kind, language, note, topic) in enumerate(
                links
            ):
                weekly_link_create(
                    organisation=organisation,
                    url=url,
                    title=title,
                    source=source,
                    kind=kind,
                    language=language,
                    note=note,
                    topic=topics[topic],
                    section=section,
                    position=link_position,
                )
        weekly_issue_publish(issue=issue)
    # Next Friday's issue, being made up: two links collected so far.
    upcoming = weekly_issue_create(
        organisation=organisation, intro={"en": "Coming on Friday.", "es": "El viernes."}
    )
    weekly_issue_schedule(issue=upcoming)
    for url, title in [
        ("https://dailycourier.example/2026/12/new-sanctions-bill", "A new sanctions bill"),
        ("https://diariodelsur.example/mundo/dialogo", "Se reanuda el diálogo"),
    ]:
        weekly_link_create(
            organisation=organisation, url=url, title=title, kind=WeeklyLink.Kind.ARTICLE
        )


def _load_press(context: dict) -> None:
    organisation = context["organisations"][0]
    today = timezone.localdate()
    for days, outlet, medium, country, headline, language, campaign in PRESS:
        press_coverage_create(
            organisation=organisation,
            outlet=outlet,
            medium=PressCoverage.Medium(medium),
            country=country,
            date=today - timedelta(days=days),
            headline=headline,
            language=language,
            campaign=campaign,
        )
