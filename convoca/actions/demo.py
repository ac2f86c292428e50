"""Demo actions, in English and Spanish, with the names a real campaign gathers.

An appeal signed by 1,500 people from 65 countries (ten union leaders among
them), an endorsement call answered by 40 organisations, an open letter from
trade unionists and a Pledge of Resistance with 60 pledgers.

Signing through ``signature_create`` one by one would take seconds and queue
a confirmation email per signer, so the rows are built here in bulk: people
with their blind index (their fields are encrypted on insert, as always),
confirmed and counted signatures, the consents and timeline entries the
forms would have left, and the maintained tallies computed in one pass. The
times are spread over the weeks each action has been open. Everything comes
from ``random.Random(2026)``, so every demo is the same.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone, translation

from convoca.actions.forms import SignatureForm
from convoca.actions.models import Action, CountryTally, Endorsement, Signature, Tally
from convoca.actions.services import ACTIVITY_KIND, action_create, next_goal
from convoca.core.crypto import email_index
from convoca.people.models import Activity, Consent, Person

SEED = 2026
APPEAL_SIGNATURES = 1500  # confirmed, including the demo supporters and the union leaders
APPEAL_UNCONFIRMED = 24  # signed, never clicked the link: not counted, not shown
LETTER_SIGNERS = 110  # besides the union leaders
PLEDGERS = {"US": 36, "MX": 8, "CA": 6, "ES": 5, "GB": 5}

# --- The actions --------------------------------------------------------------------------

APPEAL = {
    "en": {
        "title": "Solidarity appeal: stop the blockade, let medicine through",
        "slug": "stop-the-blockade",
        "summary": "Hospitals are running out of insulin, antibiotics and parts for dialysis "
        "machines because shipments are blocked. Add your name to ask governments to let "
        "medicine through, now.",
        "body": """\
For more than a year, ships carrying medicine, food and fuel have been turned back or left
waiting at sea while banks refuse the payments that would release them. Those who pay the
price are not governments: they are children waiting for surgery, patients on dialysis and
families who can no longer find insulin at any price.

## What is happening

- Hospitals report shortages of more than 300 essential medicines.
- Payments for humanitarian goods stay frozen for months, even when the law exempts them.
- Shipping companies refuse cargo for fear of penalties, so the exemptions exist on paper only.

## What we ask

We, people of conscience from every continent, ask our governments to:

1. **Let medicine, food and fuel through**, without conditions and without delay.
2. **Make humanitarian exemptions real** by guaranteeing the payments and the shipping they
   depend on.
3. **Choose dialogue over punishment**: no people should go hungry to put pressure on its
   government.

Whatever we think of any government, the collective punishment of a people is wrong.
Add your name, and ask three friends to add theirs.
""",
        "thank_you": "Thank you for adding your name. **One more thing:** an appeal grows "
        "when people share it. Send it to three friends, your union branch or your "
        "congregation.",
        "share_text": "I signed: stop the blockade, let medicine through. Add your name.",
    },
    "es": {
        "title": "Llamamiento solidario: fin al bloqueo, que pasen las medicinas",
        "slug": "fin-al-bloqueo",
        "summary": "Los hospitales se quedan sin insulina, antibióticos y repuestos para las "
        "máquinas de diálisis porque los envíos están bloqueados. Suma tu nombre para pedir "
        "a los gobiernos que dejen pasar las medicinas, ya.",
        "body": """\
Desde hace más de un año, los barcos que llevan medicinas, alimentos y combustible son
devueltos o quedan esperando en alta mar mientras los bancos rechazan los pagos que los
liberarían. Quienes pagan el precio no son los gobiernos: son niñas y niños que esperan una
operación, pacientes en diálisis y familias que ya no encuentran insulina a ningún precio.

## Qué está pasando

- Los hospitales informan de la falta de más de 300 medicamentos esenciales.
- Los pagos de bienes humanitarios quedan congelados durante meses, aunque la ley los exime.
- Las navieras rechazan la carga por miedo a las multas: las exenciones solo existen en el
  papel.

## Qué pedimos

Nosotras y nosotros, personas de conciencia de todos los continentes, pedimos a nuestros
gobiernos:

1. **Que dejen pasar las medicinas, los alimentos y el combustible**, sin condiciones y sin
   demora.
2. **Que las exenciones humanitarias sean reales**, garantizando los pagos y el transporte de
   los que dependen.
3. **Que elijan el diálogo y no el castigo**: ningún pueblo debe pasar hambre para presionar a
   su gobierno.

Pensemos lo que pensemos de cualquier gobierno, el castigo colectivo de un pueblo es injusto.
Suma tu nombre y pide a tres personas que sumen el suyo.
""",
        "thank_you": "Gracias por sumar tu nombre. **Una cosa más:** un llamamiento crece "
        "cuando se comparte. Envíalo a tres personas, a tu sindicato o a tu comunidad.",
        "share_text": "Firmé: fin al bloqueo, que pasen las medicinas. Suma tu nombre.",
    },
}

ENDORSEMENT = {
    "en": {
        "title": "Endorse the joint statement: food and medicine are not weapons",
        "slug": "endorse-the-joint-statement",
        "summary": "Unions, faith communities, student groups and associations: add your "
        "organisation to the statement against the sanctions that block food and medicine.",
        "body": """\
The coalition's joint statement calls for an end to the unilateral sanctions that deny
millions of people food, medicine and fuel, for dialogue instead of threats, and for respect
for the sovereignty of every nation.

## Who can endorse

Any organisation that agrees with the statement: trade unions and their branches, faith
communities, student and neighbourhood groups, professional associations, cultural
collectives.

## What happens next

The coordinating committee checks each endorsement before it is listed, usually within two
days. The statement will be delivered with the list of endorsing organisations during the
week of action.
""",
        "thank_you": "Thank you. The coordinating committee will check your organisation's "
        "endorsement and list it within a few days.",
        "share_text": "Our organisation endorses the statement: food and medicine are not "
        "weapons. Does yours?",
    },
    "es": {
        "title": "Adhiere a la declaración conjunta: los alimentos y las medicinas no son armas",
        "slug": "adhesion-declaracion-conjunta",
        "summary": "Sindicatos, comunidades de fe, agrupaciones estudiantiles y asociaciones: "
        "sumen su organización a la declaración contra las sanciones que bloquean alimentos "
        "y medicinas.",
        "body": """\
La declaración conjunta de la coalición exige el fin de las sanciones unilaterales que niegan
a millones de personas alimentos, medicinas y combustible, el diálogo en lugar de las
amenazas y el respeto a la soberanía de cada nación.

## Quién puede adherir

Toda organización que esté de acuerdo con la declaración: sindicatos y sus seccionales,
comunidades de fe, agrupaciones estudiantiles y barriales, colegios profesionales,
colectivos culturales.

## Qué pasa después

El comité coordinador revisa cada adhesión antes de publicarla, por lo general en dos días.
La declaración se entregará con la lista de organizaciones adherentes durante la semana de
acción.
""",
        "thank_you": "Gracias. El comité coordinador revisará la adhesión de su organización y "
        "la publicará en unos días.",
        "share_text": "Nuestra organización adhiere a la declaración: los alimentos y las "
        "medicinas no son armas. ¿Y la tuya?",
    },
}

LETTER = {
    "en": {
        "title": "Open letter from trade unionists: lift the blockade on medicine",
        "slug": "open-letter-trade-unionists",
        "summary": "Union leaders and members from the Americas, Europe and Africa write to the "
        "governments that keep the blockade in place.",
        "body": """\
*To the heads of government who maintain the blockade*

We write as trade unionists: nurses and dock workers, teachers and miners, railway and
postal workers. Our unions disagree on many things. We agree on this one.

Workers in the blockaded country cannot buy the medicine their children need, and the
workers who would load, ship and deliver it are told they may not. Nurses ration insulin.
Dock workers watch ships turn back with cargo that was already paid for.

No worker anywhere gains from this. We ask you to:

1. lift every measure that stops food, medicine and fuel from reaching the population;
2. guarantee that humanitarian payments and shipments go through, in practice and not only
   on paper;
3. open talks, with the labour movement at the table.

Solidarity is not a slogan for us. It is how our unions were built.
""",
        "thank_you": "Thank you for signing. Ask your branch, local or federation to sign "
        "too: every union that adds its name adds its members.",
        "share_text": "Trade unionists say: lift the blockade on medicine. Read and sign the "
        "open letter.",
    },
    "es": {
        "title": "Carta abierta de sindicalistas: levanten el bloqueo a las medicinas",
        "slug": "carta-abierta-sindicalistas",
        "summary": "Dirigentes y afiliados de sindicatos de las Américas, Europa y África "
        "escriben a los gobiernos que mantienen el bloqueo.",
        "body": """\
*A las jefas y los jefes de gobierno que mantienen el bloqueo*

Escribimos como sindicalistas: enfermeras y portuarios, docentes y mineros, ferroviarios y
trabajadores de correos. Nuestros sindicatos discrepan en muchas cosas. En esta estamos de
acuerdo.

Las trabajadoras y los trabajadores del país bloqueado no pueden comprar las medicinas que
necesitan sus hijos, y a quienes las cargarían, transportarían y entregarían se les prohíbe
hacerlo. Las enfermeras racionan la insulina. Los portuarios ven volver barcos con una carga
que ya estaba pagada.

Ningún trabajador, en ningún lugar, gana con esto. Les pedimos:

1. levantar toda medida que impida que los alimentos, las medicinas y el combustible lleguen
   a la población;
2. garantizar que los pagos y los envíos humanitarios pasen, en la práctica y no solo en el
   papel;
3. abrir negociaciones, con el movimiento obrero en la mesa.

Para nosotros la solidaridad no es una consigna. Es como se construyeron nuestros sindicatos.
""",
        "thank_you": "Gracias por firmar. Pide a tu seccional, sindicato o federación que firme "
        "también: cada sindicato que se suma suma a sus afiliados.",
        "share_text": "Sindicalistas exigen: levanten el bloqueo a las medicinas. Lee y firma "
        "la carta abierta.",
    },
}

PLEDGE = {
    "en": {
        "title": "Pledge of Resistance",
        "slug": "pledge-of-resistance",
        "summary": "Commit now to act nonviolently, within 48 hours, if the blockade turns "
        "into the use of force.",
        "body": """\
A pledge is a promise made in advance, so that when the moment comes nobody has to wonder
whether others will show up.

## I pledge that

- I will join a **public, nonviolent protest** in my city within 48 hours of the call;
- I will **contact my representatives** the same day, by phone or in person;
- I will **bring at least one other person** with me.

Pledgers are never listed publicly. The organisers will write to you only if the trigger
below happens, and once more afterwards to say what we achieved together.
""",
        "trigger": "If ships carrying food or medicine are stopped by force, if a naval "
        "blockade is declared, or if military action is launched against the country, the "
        "coordinating committee will activate the pledge and tell you where and when to meet.",
        "thank_you": "Thank you for taking the pledge. Keep this in mind: if the trigger "
        "happens, you will get one email with the place and the time.",
        "share_text": "I took the Pledge of Resistance: if force is used, I will act within "
        "48 hours. Will you?",
    },
    "es": {
        "title": "Compromiso de Resistencia",
        "slug": "compromiso-de-resistencia",
        "summary": "Comprométete hoy a actuar de forma no violenta, en 48 horas, si el bloqueo "
        "se convierte en uso de la fuerza.",
        "body": """\
Un compromiso es una promesa hecha de antemano, para que cuando llegue el momento nadie
tenga que preguntarse si las demás personas vendrán.

## Me comprometo a

- sumarme a una **protesta pública y no violenta** en mi ciudad en las 48 horas siguientes
  a la convocatoria;
- **llamar o visitar a mis representantes** ese mismo día;
- **traer al menos a una persona más**.

Las personas comprometidas nunca aparecen en público. Las organizadoras te escribirán solo si
ocurre el hecho que se describe abajo, y una vez más después para contar lo que logramos.
""",
        "trigger": "Si los barcos que llevan alimentos o medicinas son detenidos por la fuerza, "
        "si se declara un bloqueo naval o si se emprende una acción militar contra el país, el "
        "comité coordinador activará el compromiso y te dirá dónde y cuándo encontrarnos.",
        "thank_you": "Gracias por asumir el compromiso. Tenlo presente: si ocurre el hecho, "
        "recibirás un solo correo con el lugar y la hora.",
        "share_text": "Asumí el Compromiso de Resistencia: si se usa la fuerza, actuaré en 48 "
        "horas. ¿Y tú?",
    },
}

# --- The people ---------------------------------------------------------------------------

#: Given names and family names by naming tradition; each country draws from one.
NAMES = {
    "es": (
        "Ana María Lucía Carmen Sofía Valentina Camila Isabel Elena Rosa Gabriela Daniela "
        "Marisol Adriana Paula Teresa José Juan Carlos Luis Miguel Jorge Pedro Diego Andrés "
        "Javier Fernando Alejandro Ernesto Raúl Manuel Óscar Sergio Héctor",
        "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres "
        "Flores Rivera Gómez Díaz Morales Ortiz Castro Vargas Romero Medina Rojas Herrera "
        "Aguilar Mendoza Silva Guerrero Núñez Suárez Cabrera Fuentes Ibáñez Peña Acosta",
    ),
    "en": (
        "James Mary John Patricia Robert Jennifer Michael Linda David Susan Sarah Thomas "
        "Karen Daniel Emily Mark Rachel Kevin Grace Paul Laura Brian Megan Sean Aisha Marcus "
        "Fiona Owen Hannah Ruth",
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Moore Jackson "
        "Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright Scott "
        "Green Baker Adams Nelson O'Brien Murphy Campbell Kelly Okafor Patel Nguyen",
    ),
    "pt": (
        "João Maria Ana Francisca Antônio Paulo Lucas Mariana Beatriz Rafael Gabriel Juliana "
        "Fernanda Tiago Larissa Helena",
        "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa "
        "Ribeiro Martins Carvalho Almeida Barbosa",
    ),
    "fr": (
        "Marie Jean Pierre Sophie Camille Lucas Léa Nicolas Julie Antoine Chloé Mathieu "
        "Claire Hugo Amélie Étienne",
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefebvre Michel Fontaine Girard",
    ),
    "de": (
        "Anna Lukas Lena Jonas Sarah Felix Julia Maximilian Hannah Paul Katharina Tobias",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter",
    ),
    "it": (
        "Giulia Marco Francesca Luca Chiara Alessandro Sara Matteo Elena Davide",
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo",
    ),
    "north": (
        "Erik Ingrid Lars Astrid Sven Maja Anders Sanne Pieter Femke Johan Liv Aino Freya",
        "Andersson Johansson Larsen Hansen Nielsen Jensen de-Vries Jansen Peeters Virtanen "
        "Berg Lindqvist",
    ),
    "ar": (
        "Ahmed Fatima Omar Layla Youssef Mariam Karim Nour Hassan Salma Ali Rania",
        "Haddad Khalil Nasser Saleh Mansour Hamdan Aziz Darwish Khoury Bakri Farah Sabbagh",
    ),
    "africa": (
        "Sipho Thandiwe Kwame Ama Chinedu Ngozi Amina Tendai Wanjiru Kofi Nomsa Baraka "
        "Zanele Kagiso",
        "Dlamini Nkosi Mensah Okonkwo Adeyemi Mwangi Otieno Banda Boateng Moyo Osei Kamau "
        "Ndlovu Shikongo",
    ),
    "senegal": ("Fatou Moussa Awa Cheikh Aminata Ousmane", "Diallo Ndiaye Sow Fall Diop Ba"),
    "greek": ("Nikos Maria Giorgos Eleni Dimitris Katerina", "Papadopoulos Georgiou Nikolaou"),
    "india": ("Priya Arjun Ananya Rahul Kavita Vikram", "Sharma Iyer Singh Gupta Nair Das"),
    "philippines": ("Maria Jose Liza Paolo Rowena Carlo", "Santos Reyes Cruz Bautista Dela-Cruz"),
    "japan": ("Hiroshi Yuki Kenji Aiko Takumi Emi", "Tanaka Sato Suzuki Watanabe Ito"),
    "korea": ("Min-jun Ji-woo Seo-yeon Hyun-woo", "Kim Park Lee Choi Jung"),
    "vietnam": ("Linh Minh Thao Duc Hoa", "Nguyen Tran Pham Le Hoang"),
}

#: Country code: (weight, naming tradition). The weights give the realistic skew of a
#: campaign run from the United States and Latin America; every country has at least one.
COUNTRIES = {
    "US": (255, "en"), "MX": (165, "es"), "AR": (115, "es"), "ES": (105, "es"),
    "GB": (90, "en"), "CA": (80, "en"), "BR": (68, "pt"), "VE": (58, "es"), "CU": (52, "es"),
    "CO": (52, "es"), "CL": (34, "es"), "FR": (26, "fr"), "PE": (24, "es"), "IT": (22, "it"),
    "DE": (22, "de"), "BO": (19, "es"), "EC": (19, "es"), "UY": (17, "es"), "ZA": (15, "africa"),
    "IE": (15, "en"), "PT": (13, "pt"), "AU": (13, "en"), "NI": (12, "es"), "PR": (11, "es"),
    "GT": (10, "es"), "HN": (10, "es"), "SV": (10, "es"), "DO": (10, "es"), "GR": (8, "greek"),
    "NL": (8, "north"), "PA": (8, "es"), "SE": (8, "north"), "BE": (7, "fr"), "IN": (7, "india"),
    "PS": (6, "ar"), "NO": (6, "north"), "NZ": (6, "en"), "PH": (6, "philippines"),
    "CH": (6, "de"), "NG": (5, "africa"), "DK": (5, "north"), "JP": (5, "japan"),
    "AT": (5, "de"), "CR": (4, "es"), "LB": (4, "ar"), "KE": (4, "africa"), "GH": (4, "africa"),
    "JM": (4, "en"), "VN": (4, "vietnam"), "KR": (4, "korea"), "PY": (4, "es"), "FI": (3, "north"),
    "HT": (3, "fr"), "TT": (3, "en"), "DZ": (3, "ar"), "MA": (3, "ar"), "TN": (3, "ar"),
    "AO": (3, "pt"), "MZ": (3, "pt"), "SN": (3, "senegal"), "EG": (3, "ar"), "NA": (2, "africa"),
    "BB": (2, "en"), "IS": (1, "north"), "BZ": (1, "en"),
}  # fmt: skip

#: Where the pledgers live (the pledge asks for city and postal code).
PLACES = {
    "US": [
        ("Tucson", "85705"), ("Phoenix", "85004"), ("Oakland", "94612"), ("Chicago", "60647"),
        ("New York", "10027"), ("Minneapolis", "55406"), ("Philadelphia", "19143"),
        ("Los Angeles", "90033"), ("Seattle", "98118"), ("Boston", "02130"),
        ("Albuquerque", "87102"), ("San Antonio", "78207"),
    ],
    "MX": [
        ("Ciudad de México", "06700"), ("Guadalajara", "44100"), ("Monterrey", "64000"),
        ("Oaxaca de Juárez", "68000"),
    ],
    "CA": [("Toronto", "M6H 1A1"), ("Montréal", "H2J 2L4"), ("Vancouver", "V5L 3X9")],
    "ES": [("Madrid", "28012"), ("Barcelona", "08001"), ("Sevilla", "41003")],
    "GB": [("London", "E8 1DY"), ("Glasgow", "G41 1AA"), ("Manchester", "M14 5TP")],
}  # fmt: skip

#: The featured signers: (given, family, country, language, role, organisation, members).
UNION_LEADERS = [
    ("Rosa", "Villanueva", "MX", "es", "Secretaria General",
     "Sindicato Nacional de Trabajadores de la Salud (ejemplo)", 1_200_000),
    ("Margaret", "O'Connell", "GB", "en", "General Secretary",
     "Transport and General Workers' Federation (example)", 950_000),
    ("Carlos", "Benítez", "AR", "es", "Secretario General",
     "Confederación de Trabajadores Estatales (ejemplo)", 780_000),
    ("Denise", "Washington", "US", "en", "President",
     "Amalgamated Teachers' Union (example)", 640_000),
    ("João", "Ferreira", "BR", "es", "Presidente",
     "Federação Nacional dos Metalúrgicos (exemplo)", 520_000),
    ("Étienne", "Moreau", "FR", "en", "Secrétaire général",
     "Fédération des Cheminots (exemple)", 410_000),
    ("Thabo", "Mokoena", "ZA", "en", "General Secretary",
     "National Union of Mineworkers (example)", 300_000),
    ("Marie-Claude", "Tremblay", "CA", "en", "National President",
     "Canadian Federation of Public Service Workers (example)", 240_000),
    ("Ernesto", "Llanes", "CU", "es", "Secretario General",
     "Sindicato Nacional de Trabajadores Agropecuarios (ejemplo)", 160_000),
    ("Nikos", "Papadakis", "GR", "en", "President",
     "Federation of Dock and Port Workers (example)", 95_000),
]  # fmt: skip

#: Organisations answering the endorsement call: (name, country, address on example.org).
#: The two with an empty address are demo organisations, contacted through demo supporters.
ENDORSERS = [
    ("Bay Area Labor for Peace", "US", "balp"),
    ("Chicago Teachers for Global Justice", "US", "ctgj"),
    ("Interfaith Committee for the Americas", "US", "ica"),
    ("New York Nurses' Solidarity Brigade", "US", "nynsb"),
    ("Students for a Humane Foreign Policy", "US", "shfp"),
    ("Veterans Against the Blockade", "US", "vab"),
    ("Sindicato Independiente de Trabajadores Universitarios", "MX", "situ"),
    ("Colectivo Tierra y Libertad", "MX", "tyl"),
    ("Red de Médicos por la Paz", "MX", "rmp"),
    ("Asamblea Popular por la Solidaridad", "MX", "aps"),
    ("Central de Trabajadores de la Salud de Rosario", "AR", "ctsr"),
    ("Movimiento Barrial Sur", "AR", "mbs"),
    ("Cátedra Libre de Solidaridad Internacional", "AR", "clsi"),
    ("Asociación Amistad entre los Pueblos", "ES", ""),
    ("Plataforma Andaluza por la Paz", "ES", "pap"),
    ("Colectivo de Enfermería Solidaria", "ES", "ces"),
    ("Sheffield Trades Council for Peace", "GB", "stcp"),
    ("Scottish Medical Aid Network", "GB", "sman"),
    ("London Latin America Forum", "GB", "llaf"),
    ("Montréal Solidarity Collective", "CA", "msc"),
    ("Vancouver Labour Peace Committee", "CA", "vlpc"),
    ("Ontario Health Workers for Solidarity", "CA", "ohws"),
    ("Movimento Solidariedade dos Povos", "BR", "msp"),
    ("Associação Médicos pela Paz", "BR", "amp"),
    ("Coletivo Terra Viva", "BR", "ctv"),
    ("Red de Comunas del Zulia", "VE", "rcz"),
    ("Colectivo Cultural Caribe Sur", "VE", "cccs"),
    ("Asociación de Pediatras de Camagüey", "CU", "apc"),
    ("Cooperativa Agropecuaria La Esperanza", "CU", "cale"),
    ("Corporación Mujeres por la Paz del Cauca", "CO", "mpc"),
    ("Colectivo de Abogados por la Paz", "CO", "cap"),
    ("Coordinadora de Pobladores de Valparaíso", "CL", "cpv"),
    ("Agrupación de Médicos Solidarios", "CL", "ams"),
    ("Collectif Solidarité Amériques", "FR", "csa"),
    ("Association Médecins pour la Paix", "FR", "mpp"),
    ("Comitato Pace e Solidarietà di Bologna", "IT", "cpsb"),
    ("Associazione Medici Senza Blocchi", "IT", "amsb"),
    ("Workers' Solidarity Forum", "ZA", ""),
    ("Cape Town Health Activists Network", "ZA", "cthan"),
    ("Dublin Solidarity Committee", "IE", "dsc"),
]
#: Received in the last days, not yet checked by the coordinating committee.
ENDORSERS_PENDING = {
    "Students for a Humane Foreign Policy",
    "Colectivo Tierra y Libertad",
    "Associação Médicos pela Paz",
    "London Latin America Forum",
}
ENDORSER_ROLES = {
    "en": ["Coordinator", "Secretary", "Chair", "International officer", "Spokesperson"],
    "es": ["Coordinadora", "Secretario", "Presidenta", "Responsable internacional", "Vocero"],
}

#: What the letter's other signers typed as organisation and role, by language.
LETTER_SECTORS = {
    "en": ["Teachers", "Nurses", "Transit Workers", "Postal Workers", "Dock Workers",
           "Public Service", "Hotel and Restaurant", "Steelworkers", "Electrical Workers",
           "Railway Workers"],
    "es": ["Docentes", "Enfermería", "Transporte", "Correos", "Portuarios", "Estatales",
           "Gastronómicos", "Metalúrgicos", "Electricistas", "Ferroviarios"],
}  # fmt: skip
LETTER_ROLES = {
    "en": ["Shop steward", "Branch secretary", "Local president", "Organiser",
           "Executive board member", "Delegate", "Member"],
    "es": ["Delegada", "Secretario de la seccional", "Secretaria general de la seccional",
           "Organizador", "Integrante de la comisión directiva", "Delegado", "Afiliada"],
}  # fmt: skip

COMMENTS = {
    "en": [
        "My mother is a nurse. No hospital should have to ration insulin.",
        "Signed for my whole family.",
        "Medicine is not a weapon.",
        "Our congregation will discuss this on Sunday.",
    ],
    "es": [
        "Mi madre es enfermera. Ningún hospital debería racionar la insulina.",
        "Firmo por toda mi familia.",
        "Las medicinas no son un arma.",
        "Lo llevamos a la asamblea del barrio.",
    ],
}


def load(context: dict) -> None:
    _DemoActions(context).load()


class _DemoActions:
    def __init__(self, context: dict):
        self.context = context
        self.rng = random.Random(SEED)  # noqa: S311 (demo content, not security)
        self.now = timezone.now().replace(microsecond=0)
        self.latest = self.now - timedelta(minutes=5)
        self.owner = context["organisations"][0]
        self.serial = 0
        self.people: list[Person] = []  # made here
        self.first_seen: dict[uuid.UUID, datetime] = {}
        self.signatures: list[Signature] = []
        self.endorsements: list[Endorsement] = []
        self.consents: list[Consent] = []
        self.activities: list[Activity] = []
        self.action_type = ContentType.objects.get_for_model(Action)

    # -- Building rows in memory --------------------------------------------------------

    def action(self, texts, *, kind, days_open, goal, co_sponsors, **fields) -> dict[str, Action]:
        versions: dict[str, Action] = {}
        for language, text in texts.items():
            first = next(iter(versions.values()), None)
            shared = (
                {}
                if first
                else {
                    "kind": kind,
                    "organisation": self.owner,
                    "status": Action.Status.OPEN,
                    "starts_at": self.now - timedelta(days=days_open),
                    "goal": goal,
                    "co_sponsors": co_sponsors,
                    **fields,
                }
            )
            versions[language] = action_create(
                translation_of=first, language=language, **text, **shared
            )
        return versions

    def person(self, given, family, country, language, **fields) -> Person:
        self.serial += 1
        email = f"{_ascii(given)}.{_ascii(family)}.{self.serial}@example.org"
        person = Person(
            email_index=email_index(email),
            email=email,
            given_name=given,
            family_name=family,
            country=country,
            language=language,
            **fields,
        )
        self.people.append(person)
        return person

    def random_person(self, country: str) -> Person:
        tradition = COUNTRIES[country][1]
        language = "es" if tradition == "es" else "en"
        if country == "US" and self.rng.random() < 0.22:  # Latino signers in the US
            tradition = "es"
            language = "es" if self.rng.random() < 0.6 else "en"
        elif country in ("BR", "PT") and self.rng.random() < 0.3:
            language = "es"
        elif self.rng.random() < 0.06:
            language = "en" if language == "es" else "es"
        given, family = NAMES[tradition]
        return self.person(
            self.rng.choice(given.split()),
            self.rng.choice(family.split()).replace("-", " "),
            country,
            language,
        )

    def when(self, days_open: float) -> datetime:
        """A signing time: a rush in the first days after launch, then a steady trickle."""
        if self.rng.random() < 0.55:
            days = min(self.rng.expovariate(1 / 2.5), days_open)
        else:
            days = self.rng.uniform(0, days_open)
        launch = self.now - timedelta(days=days_open)
        return min(launch + timedelta(days=days), self.now - timedelta(minutes=30))

    def sign(self, versions, person, at, *, confirmed=True, **fields) -> Signature:
        action = versions.get(person.language) or versions["en"]
        confirmed_at = None
        if confirmed:
            confirmed_at = min(at + timedelta(minutes=self.rng.randint(1, 240)), self.latest)
        signature = Signature(
            action=action,
            translation_key=action.translation_key,
            person=person,
            country=person.country,
            confirmed_at=confirmed_at,
            counted=confirmed,
            source=self.rng.choice(["", "", "", "newsletter", "facebook", "whatsapp"]),
            **fields,
        )
        signature.demo_time = at
        self.signatures.append(signature)
        if confirmed_at and (
            person.email_confirmed_at is None or confirmed_at < person.email_confirmed_at
        ):
            person.email_confirmed_at = confirmed_at
        if person.pk not in self.first_seen or at < self.first_seen[person.pk]:
            self.first_seen[person.pk] = at
        self.activity(
            person,
            ACTIVITY_KIND[action.kind],
            at,
            summary=action.title,
            subject_type=self.action_type,
            subject_id=str(action.pk),
        )
        return signature

    def consent(self, person, organisation, action, at) -> None:
        with translation.override(person.language):
            wording = SignatureForm.consent_wording(organisation)
        consent = Consent(
            person=person,
            organisation=organisation,
            purpose=Consent.Purpose.CONTACT,
            wording=wording,
            source=f"actions:{action.slug}",
        )
        consent.demo_time = at
        self.consents.append(consent)
        self.activity(
            person,
            Activity.Kind.CONSENT_GIVEN,
            at,
            summary=str(Consent.Purpose.CONTACT.label),
            organisation=organisation,
        )

    def activity(self, person, kind, at, **fields) -> None:
        fields.setdefault("organisation", self.owner)
        activity = Activity(person=person, kind=kind, **fields)
        activity.demo_time = at
        self.activities.append(activity)

    # -- The four actions ----------------------------------------------------------------

    def load(self) -> None:
        organisations = self.context["organisations"]
        supporters = self.context.get("people", [])
        appeal = self.action(
            APPEAL,
            kind=Action.Kind.APPEAL,
            days_open=21,
            goal=1000,
            co_sponsors=organisations[1:3],
            ask_organisation=Action.Ask.OPTIONAL,
            ask_role=Action.Ask.OPTIONAL,
            ask_members=Action.Ask.OPTIONAL,
            ask_comment=Action.Ask.OPTIONAL,
            next_step=Action.NextStep.DONATE,
            next_step_url="https://example.org/snt/donate",
        )
        endorsement = self.action(
            ENDORSEMENT,
            kind=Action.Kind.ENDORSEMENT,
            days_open=12,
            goal=50,
            co_sponsors=[organisations[1], organisations[3]],
            ends_at=self.now + timedelta(days=30),
            ask_organisation=Action.Ask.REQUIRED,
            ask_role=Action.Ask.OPTIONAL,
            show_signers=False,
        )
        letter = self.action(
            LETTER,
            kind=Action.Kind.LETTER,
            days_open=14,
            goal=100,
            co_sponsors=[organisations[3], organisations[6]],
            ask_organisation=Action.Ask.REQUIRED,
            ask_role=Action.Ask.REQUIRED,
            ask_members=Action.Ask.OPTIONAL,
        )
        pledge = self.action(
            PLEDGE,
            kind=Action.Kind.PLEDGE,
            days_open=40,
            goal=100,
            co_sponsors=[organisations[4]],
            ask_place=Action.Ask.REQUIRED,
            show_signers=False,
            next_step=Action.NextStep.EVENT,
            next_step_url="https://example.org/snt/trainings",
        )

        leaders = self.sign_leaders(appeal, letter)
        crowd = self.sign_appeal(appeal, supporters, leaders)
        self.sign_letter(letter, crowd)
        self.sign_pledge(pledge, crowd)
        self.endorse(endorsement, supporters)
        self.save()
        self.context["actions"] = {
            "appeal": appeal,
            "endorsement": endorsement,
            "letter": letter,
            "pledge": pledge,
        }

    def sign_leaders(self, appeal, letter) -> list[Person]:
        leaders = []
        for given, family, country, language, role, organisation, members in UNION_LEADERS:
            person = self.person(given, family, country, language)
            union = {
                "organisation_name": organisation,
                "role": role,
                "members_represented": members,
                "visibility": Signature.Visibility.FULL,
                "featured": True,
            }
            # The letter's first signatories, who then spread the appeal too.
            at = self.now - timedelta(days=14) + timedelta(hours=self.rng.uniform(1, 20))
            self.sign(letter, person, at, **union)
            self.sign(appeal, person, at + timedelta(hours=self.rng.uniform(1, 30)), **union)
            leaders.append(person)
        return leaders

    def sign_appeal(self, appeal, supporters, leaders) -> list[Person]:
        """The crowd: people from 65 countries, in proportion to the weights."""
        quotas = _apportion(
            {code: weight for code, (weight, _tradition) in COUNTRIES.items()},
            APPEAL_SIGNATURES - len(supporters) - len(leaders),
        )
        crowd = [self.random_person(code) for code, n in quotas.items() for _ in range(n)]
        self.rng.shuffle(crowd)
        visibilities = [
            (Signature.Visibility.HIDDEN, 70),
            (Signature.Visibility.COUNTRY, 14),
            (Signature.Visibility.NAME, 13),
            (Signature.Visibility.FULL, 3),
        ]
        owner_version = appeal["en"]
        co_sponsor = self.context["organisations"][1]
        for person in [*supporters, *crowd]:
            at = self.when(21)
            visibility = _weighted(self.rng, visibilities)
            comment = ""
            if self.rng.random() < 0.05:
                comment = self.rng.choice(COMMENTS[person.language])
            self.sign(appeal, person, at, visibility=visibility, comment=comment)
            if person in supporters:
                continue
            version = appeal.get(person.language, owner_version)
            if self.rng.random() < 0.34:
                self.consent(person, self.owner, version, at)
            if self.rng.random() < 0.08:
                self.consent(person, co_sponsor, version, at)
        for _ in range(APPEAL_UNCONFIRMED):
            person = self.random_person(_weighted(self.rng, list(quotas.items())))
            self.sign(
                appeal,
                person,
                self.now - timedelta(hours=self.rng.uniform(1, 72)),
                confirmed=False,
                visibility=_weighted(self.rng, visibilities),
            )
        return crowd

    def sign_letter(self, letter, crowd) -> None:
        for person in self.rng.sample(crowd, LETTER_SIGNERS):
            language = person.language
            sector = self.rng.choice(LETTER_SECTORS[language])
            branch = self.rng.randint(12, 980)
            if language == "es":
                organisation = f"Sindicato de {sector}, seccional {branch} (ejemplo)"
            else:
                organisation = f"{sector} Union, Local {branch} (example)"
            members = None
            if self.rng.random() < 0.6:
                members = self.rng.choice([350, 800, 1200, 2500, 4000, 6500, 12000, 25000])
            self.sign(
                letter,
                person,
                self.when(14),
                organisation_name=organisation,
                role=self.rng.choice(LETTER_ROLES[language]),
                members_represented=members,
                visibility=_weighted(
                    self.rng,
                    [
                        (Signature.Visibility.FULL, 55),
                        (Signature.Visibility.NAME, 35),
                        (Signature.Visibility.COUNTRY, 10),
                    ],
                ),
            )

    def sign_pledge(self, pledge, crowd) -> None:
        for country, n in PLEDGERS.items():
            candidates = [p for p in crowd if p.country.code == country]
            for person in self.rng.sample(candidates, n):
                person.city, person.postal_code = self.rng.choice(PLACES[country])
                self.sign(pledge, person, self.when(40))

    def endorse(self, call, supporters) -> None:
        contacts = {s.country.code: s for s in supporters if s.country.code in ("ES", "ZA")}
        demo_organisations = {o.name: o for o in self.context["organisations"]}
        for name, country, site in ENDORSERS:
            organisation = None if site else demo_organisations[name]
            person = contacts.get(country) if organisation else None
            if person is None:
                person = self.random_person(country)
            at = self.when(12)
            pending = name in ENDORSERS_PENDING
            if pending:
                at = self.now - timedelta(hours=self.rng.uniform(2, 40))
            signature = self.sign(
                call,
                person,
                at,
                organisation_name=name,
                role=self.rng.choice(ENDORSER_ROLES[person.language]),
            )
            endorsement = Endorsement(
                signature=signature,
                name=name,
                country=country,
                website=organisation.website if organisation else f"https://example.org/{site}",
                status=Endorsement.Status.PENDING if pending else Endorsement.Status.APPROVED,
                reviewed_at=None
                if pending
                else min(
                    signature.confirmed_at + timedelta(hours=self.rng.randint(3, 40)), self.latest
                ),
            )
            endorsement.demo_time = at
            self.endorsements.append(endorsement)

    # -- Writing -------------------------------------------------------------------------

    def save(self) -> None:
        for person in self.people:
            person.demo_time = self.first_seen[person.pk]
            self.activity(person, Activity.Kind.CREATED, person.demo_time, organisation=None)
        Person.objects.bulk_create(self.people, batch_size=500)
        Signature.objects.bulk_create(self.signatures, batch_size=500)
        Endorsement.objects.bulk_create(self.endorsements)
        Consent.objects.bulk_create(self.consents, batch_size=500)
        Activity.objects.bulk_create(self.activities, batch_size=500)
        self.tally()
        # Rows are stamped "now" on insert; move them to when they happened.
        _backdate(Person, self.people, ["created_at", "updated_at"])
        _backdate(Signature, self.signatures, ["created_at", "updated_at"])
        _backdate(Endorsement, self.endorsements, ["created_at", "updated_at"])
        _backdate(Consent, self.consents, ["given_at"])
        _backdate(Activity, self.activities, ["occurred_at"])

    def tally(self) -> None:
        """What ``_tally_add`` would have maintained, signature by signature."""
        counts: Counter = Counter()
        members: Counter = Counter()
        by_country: defaultdict[uuid.UUID, Counter] = defaultdict(Counter)
        goals = {}
        for signature in self.signatures:
            if not signature.counted:
                continue
            key = signature.translation_key
            counts[key] += 1
            members[key] += signature.members_represented or 0
            by_country[key][signature.country.code or ""] += 1
            goals[key] = signature.action.goal
        Tally.objects.bulk_create(
            Tally(
                translation_key=key,
                count=count,
                goal=next_goal(count) if goals[key] and count >= goals[key] else goals[key],
                members_represented=members[key],
            )
            for key, count in counts.items()
        )
        CountryTally.objects.bulk_create(
            CountryTally(translation_key=key, country=country, count=count)
            for key, countries in by_country.items()
            for country, count in countries.items()
        )


def _apportion(weights: dict[str, int], total: int) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights``, at least one each, summing exactly."""
    rest = total - len(weights)
    scale = rest / sum(weights.values())
    shares = {code: 1 + int(weight * scale) for code, weight in weights.items()}
    remainders = sorted(weights, key=lambda code: weights[code] * scale % 1, reverse=True)
    for code in remainders[: total - sum(shares.values())]:
        shares[code] += 1
    return shares


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _ascii(name: str) -> str:
    """A name as it goes into a made-up address: ``Núñez`` → ``nunez``, ``O'Brien`` → ``obrien``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == "-")


def _backdate(model, rows, fields: list[str]) -> None:
    """Set the insert-time stamps of ``rows`` to their ``demo_time``, in one statement.

    ``bulk_update`` would do it too, but builds a CASE expression per row and
    takes seconds for a few thousand rows; this is one prepared UPDATE run
    for every row.
    """
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model only)
        quote(meta.db_table),
        ", ".join(f"{quote(column.column)} = %s" for column in columns),
        quote(meta.pk.column),
    )
    params = [
        [
            *(column.get_db_prep_value(row.demo_time, connection) for column in columns),
            meta.pk.get_db_prep_value(row.pk, connection),
        ]
        for row in rows
        if row.pk is not None
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
