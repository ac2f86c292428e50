"""Demo supporters with their consents, across the demo organisations."""

from django.utils.translation import gettext

from convoca.people.models import Consent
from convoca.people.services import PersonData, consent_give, person_tag, person_upsert

PEOPLE = [
    ("ana.lopez@example.org", "Ana", "López", "MX", "Ciudad de México", "es"),
    ("james.okafor@example.org", "James", "Okafor", "GB", "London", "en"),
    ("maria.gomez@example.org", "María", "Gómez", "AR", "Rosario", "es"),
    ("dave.tanaka@example.org", "Dave", "Tanaka", "US", "Tucson", "en"),
    ("lucia.perez@example.org", "Lucía", "Pérez", "ES", "Madrid", "es"),
    ("sipho.dlamini@example.org", "Sipho", "Dlamini", "ZA", "Durban", "en"),
    ("claire.martin@example.org", "Claire", "Martin", "CA", "Montréal", "en"),
    ("pedro.silva@example.org", "Pedro", "Silva", "US", "Phoenix", "es"),
]


def load(context: dict) -> None:
    organisations = {o.country.code: o for o in context["organisations"]}
    people = []
    for email, given, family, country, city, language in PEOPLE:
        person = person_upsert(
            data=PersonData(
                email=email,
                given_name=given,
                family_name=family,
                country=country,
                city=city,
                language=language,
            ),
            confirmed=True,
        ).person
        organisation = organisations.get(country) or context["organisations"][0]
        consent_give(
            person=person,
            organisation=organisation,
            purpose=Consent.Purpose.CONTACT,
            wording=gettext("%(organisation)s may email me about its work.")
            % {"organisation": organisation.name},
            source="demo",
        )
        people.append(person)
    for person in people[3:5]:
        person_tag(person=person, name="speaker", organisation=context["organisations"][0])
    consent_give(
        person=people[0],
        organisation=context["organisations"][0],
        purpose=Consent.Purpose.CONTACT,
        wording="Solidarity Network Tucson may email me.",
        source="demo",
    )
    context["people"] = people
