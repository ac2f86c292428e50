"""Demo working groups, their members and requests, and organisations asking to join."""

from convoca.coalition.models import (
    AffiliationRequest,
    JoinRequest,
    WorkingGroup,
    WorkingGroupMember,
)
from convoca.coalition.services import working_group_member_add, working_group_save
from convoca.people.services import PersonData, person_upsert

WORKING_GROUPS = [
    (
        "sanctions",
        "Sanctions campaign",
        "Campaña contra las sanciones",
        "Documents the human cost of unilateral sanctions and lobbies to lift them.",
        "Documenta el costo humano de las sanciones unilaterales y presiona para levantarlas.",
    ),
    (
        "media",
        "Media and outreach",
        "Medios y difusión",
        "Writes the Weekly, answers the press and trains spokespeople.",
        "Redacta el Semanal, atiende a la prensa y forma portavoces.",
    ),
    (
        "pledge",
        "Pledge of Resistance",
        "Compromiso de Resistencia",
        "Prepares the response if the trigger of the pledge happens.",
        "Prepara la respuesta si ocurre el hecho que activa el compromiso.",
    ),
]


DESCRIPTIONS = {
    "sanctions": (
        "We meet online **every second Monday**. Members collect testimonies from health "
        "workers, brief legislators and prepare the yearly report.",
        "Nos reunimos en línea **cada dos lunes**. Recogemos testimonios de trabajadores de la "
        "salud, informamos a legisladores y preparamos el informe anual.",
    ),
    "media": (
        "Writers, translators and spokespeople. New members start by translating one article.",
        "Redactores, traductores y portavoces. Quien se suma empieza traduciendo un artículo.",
    ),
}

STRATEGY_BODY = (
    "strategy",
    "Strategy committee",
    "Comité de estrategia",
    "One or two representatives of each member organisation decide the coalition's priorities.",
    "Una o dos personas representantes de cada organización miembro deciden las prioridades "
    "de la coalición.",
)

MEMBERS = [
    ("noor.haddad@example.org", "Noor", "Haddad", "GB", "en", "Noor H."),
    ("tomas.rivera@example.org", "Tomás", "Rivera", "MX", "es", ""),
    ("amina.bello@example.org", "Amina", "Bello", "ZA", "en", "Amina B."),
    ("jorge.campos@example.org", "Jorge", "Campos", "AR", "es", "Jorge Campos"),
]

APPLICATIONS = [
    (
        "Brigada Obrera de Valparaíso",
        "CL",
        "Valparaíso",
        "https://example.org/bov",
        "Portuarios que organizan brigadas de solidaridad y colectas de medicinas.",
        "member",
        ("rosa.perez@example.org", "Rosa", "Pérez", "es"),
        "Conocimos a vuestra delegación en marzo.",
    ),
    (
        "Dublin Friends of the Peoples",
        "IE",
        "Dublin",
        "",
        "A small group of neighbours running film nights and a monthly stall.",
        "endorser",
        ("sean.byrne@example.org", "Seán", "Byrne", "en"),
        "",
    ),
]


def _person(email, given, family, country, language):
    return person_upsert(
        data=PersonData(
            email=email,
            given_name=given,
            family_name=family,
            country=country,
            language=language,
        ),
        confirmed=True,
    ).person


def _texts(name_en, name_es, purpose_en, purpose_es) -> dict[str, dict[str, str]]:
    return {
        "en": {"name": name_en, "purpose": purpose_en},
        "es": {"name": name_es, "purpose": purpose_es},
    }


def load(context: dict) -> None:
    organisations = context["organisations"]
    context["working_groups"] = [
        working_group_save(
            group=WorkingGroup(slug=slug, joining=WorkingGroup.Joining.REQUEST),
            texts=_texts(name_en, name_es, purpose_en, purpose_es),
        )
        for slug, name_en, name_es, purpose_en, purpose_es in WORKING_GROUPS
    ]
    groups = context["working_groups"]
    for group in groups:
        if group.slug in DESCRIPTIONS:
            description_en, description_es = DESCRIPTIONS[group.slug]
            working_group_save(
                group=group,
                texts={
                    "en": {"description": description_en},
                    "es": {"description": description_es},
                },
            )
    groups[1].joining = WorkingGroup.Joining.OPEN
    working_group_save(group=groups[1])
    # Two of the people's demo supporters convene the first groups.
    people = context["people"]
    working_group_member_add(
        group=groups[0],
        person=people[1],
        role=WorkingGroupMember.Role.CONVENER,
        public_name="James Okafor",
    )
    working_group_member_add(
        group=groups[1],
        person=people[0],
        role=WorkingGroupMember.Role.CONVENER,
        public_name="Ana L.",
    )
    slug, name_en, name_es, purpose_en, purpose_es = STRATEGY_BODY
    strategy = working_group_save(
        group=WorkingGroup(
            slug=slug, kind=WorkingGroup.Kind.STRATEGY_BODY, joining=WorkingGroup.Joining.REQUEST
        ),
        texts=_texts(name_en, name_es, purpose_en, purpose_es),
    )
    members = [
        (_person(email, given, family, country, language), public_name)
        for email, given, family, country, language, public_name in MEMBERS
    ]
    working_group_member_add(
        group=strategy,
        person=members[0][0],
        role=WorkingGroupMember.Role.CONVENER,
        on_behalf_of=organisations[2],
        public_name=members[0][1],
    )
    for (person, public_name), organisation in zip(members[1:], organisations[1:4], strict=True):
        working_group_member_add(
            group=groups[0], person=person, on_behalf_of=organisation, public_name=public_name
        )
    working_group_member_add(group=groups[1], person=members[2][0])
    # Requests waiting for a decision: one for the conveners, one for the strategy body.
    JoinRequest.objects.create(
        group=groups[0],
        person=members[0][0],
        status=JoinRequest.Status.PENDING,
        message="I research the effect of sanctions on hospitals.",
        language="en",
    )
    JoinRequest.objects.create(
        group=strategy,
        person=members[3][0],
        on_behalf_of=organisations[3],
        public_name="Jorge Campos",
        status=JoinRequest.Status.PENDING,
        message="El Frente Sindical me eligió como representante.",
        language="es",
    )
    for name, country, city, website, description, relationship, contact, message in APPLICATIONS:
        email, given, family, language = contact
        AffiliationRequest.objects.create(
            name=name,
            country=country,
            city=city,
            website=website,
            description=description,
            relationship=relationship,
            message=message,
            person=_person(email, given, family, country, language),
            language=language,
        )
    context["working_groups"] = [*groups, strategy]
