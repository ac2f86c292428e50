"""Demo organisations and staff logins, shaped like a real solidarity coalition."""

from convoca.organisations.models import Membership, Organisation
from convoca.organisations.services import organisation_save, staff_member_create

ORGANISATIONS = [
    (
        "Solidarity Network Tucson",
        "solidarity-network-tucson",
        "US",
        "Tucson",
        "https://example.org/snt",
        "member",
        "A volunteer network in Arizona organising webinars, rallies and delegations.",
        "Una red de voluntarios en Arizona que organiza seminarios web, concentraciones y "
        "delegaciones.",
    ),
    (
        "Comité de Solidaridad Internacional",
        "comite-solidaridad",
        "MX",
        "Ciudad de México",
        "https://example.org/csi",
        "member",
        "A committee of trade unions, students and neighbourhood groups in Mexico City.",
        "Un comité de sindicatos, estudiantes y organizaciones barriales de la Ciudad de México.",
    ),
    (
        "Peace and Justice Council",
        "peace-justice-council",
        "GB",
        "London",
        "https://example.org/pjc",
        "member",
        "Campaigns against sanctions and for peaceful relations between peoples.",
        "Hace campaña contra las sanciones y por relaciones pacíficas entre los pueblos.",
    ),
    (
        "Frente Sindical por la Paz",
        "frente-sindical",
        "AR",
        "Buenos Aires",
        "https://example.org/fsp",
        "member",
        "Trade unionists for peace and international solidarity.",
        "Sindicalistas por la paz y la solidaridad internacional.",
    ),
    (
        "Canadian Network on Solidarity",
        "canadian-network",
        "CA",
        "Toronto",
        "https://example.org/cns",
        "member",
        "A national network of local solidarity committees.",
        "Una red nacional de comités locales de solidaridad.",
    ),
    (
        "Asociación Amistad entre los Pueblos",
        "amistad-pueblos",
        "ES",
        "Madrid",
        "https://example.org/aap",
        "endorser",
        "Friendship and cultural exchange between the peoples of Spain and Latin America.",
        "Amistad e intercambio cultural entre los pueblos de España y América Latina.",
    ),
    (
        "Workers' Solidarity Forum",
        "workers-forum",
        "ZA",
        "Johannesburg",
        "https://example.org/wsf",
        "endorser",
        "A forum of South African unions for international labour solidarity.",
        "Un foro de sindicatos sudafricanos por la solidaridad obrera internacional.",
    ),
]


def has_content() -> bool:
    """Organisations exist: the demo, or a real coalition, is already here."""
    return Organisation.objects.exists()


def load(context: dict) -> None:
    organisations = []
    for name, slug, country, city, website, relationship, desc_en, desc_es in ORGANISATIONS:
        organisations.append(
            organisation_save(
                organisation=Organisation(
                    name=name,
                    slug=slug,
                    country=country,
                    city=city,
                    website=website,
                    relationship=relationship,
                    status=Organisation.Status.ACTIVE,
                ),
                texts={"en": {"description": desc_en}, "es": {"description": desc_es}},
            )
        )
    context["organisations"] = organisations
    staff_member_create(
        username="organiser",
        email="organiser@example.org",
        password=None,
        role=Membership.Role.ORGANISER,
        organisation=organisations[0],
    )
    staff_member_create(
        username="coordinator",
        email="coordinator@example.org",
        password=None,
        role=Membership.Role.COORDINATOR,
    )
