"""Demo events, in English and Spanish: a monthly webinar series and a week of action.

The series is "the last Tuesday of each month, 8:00-9:00 PM Eastern"
(5:00-6:00 PM Pacific), begun seven months ago: past sessions have their
recording and a short report, upcoming ones take registrations. The week of
action starts in three weeks: 31 approved events in 23 countries, each
hosted by a local group and placed on the map from its city, and four
waiting for a coordinator. Rows are built directly (no emails leave);
everything is the same on every demo.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from dateutil.relativedelta import TU, relativedelta
from django.utils import timezone

from convoca.events.models import Campaign, Event, Registration, Speaker
from convoca.events.places import place_find
from convoca.events.services import (
    _unique_slug,
    campaign_create,
    event_create,
    event_save,
    series_create,
    speaker_save,
)
from convoca.people.services import PersonData, person_upsert

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

SERIES = {
    "en": {
        "title": "Solidarity webinar",
        "slug": "solidarity-webinar",
        "description": "Every last Tuesday of the month, an hour with people living under "
        "the blockade and those working to end it: doctors, union organisers, lawyers, "
        "journalists. **Questions from the audience** take half the time.\n\n"
        "8:00-9:00 PM Eastern / 5:00-6:00 PM Pacific. Interpretation into Spanish.",
    },
    "es": {
        "title": "Webinario solidario",
        "slug": "webinario-solidario",
        "description": "Cada último martes del mes, una hora con quienes viven bajo el "
        "bloqueo y quienes trabajan para ponerle fin: médicas, sindicalistas, abogadas, "
        "periodistas. **Las preguntas del público** ocupan la mitad del tiempo.\n\n"
        "De 20:00 a 21:00, hora del este de EE. UU. Con interpretación al inglés.",
    },
}

SESSIONS = [
    # (title en, title es, speaker, role)
    ("Medicine under the blockade", "Medicinas bajo el bloqueo",
     "Dr. Elena Ruiz", "paediatrician"),
    ("Unions against sanctions", "Los sindicatos contra las sanciones",
     "Marcus Bell", "dockworkers' union organiser"),
    ("What the law says", "Lo que dice el derecho", "Amira Haddad", "international lawyer"),
    ("Reporting from the ground", "Informar desde el terreno", "Julio Pérez", "journalist"),
    ("Food, fuel and farming", "Comida, combustible y campo",
     "Carmen Soto", "farmers' cooperative"),
    ("Students in solidarity", "Estudiantes en solidaridad", "Kwame Asante", "student leader"),
    ("Preparing the week of action", "Preparando la semana de acción",
     "Ana López", "coalition coordinator"),
]  # fmt: skip

CAMPAIGN = {
    "en": {
        "title": "International week of action: end the blockade",
        "slug": "week-of-action",
        "summary": "Seven days, dozens of cities, one demand: let medicine, food and fuel "
        "through. Join a rally near you, or host one.",
        "call": "We call on everyone who believes that no people should be punished for "
        "its government to **take to the streets** during the international week of "
        "action.\n\n- Hold a rally, a vigil or a public meeting in your city.\n"
        "- Bring the appeal and collect signatures.\n- Send us a photo and a few lines "
        "for the report.\n\nEvery event is organised by a local group and checked by the "
        "coalition's coordinators before it appears on the map.",
    },
    "es": {
        "title": "Semana internacional de acción: fin al bloqueo",
        "slug": "semana-de-accion",
        "summary": "Siete días, decenas de ciudades, una exigencia: que pasen las "
        "medicinas, la comida y el combustible. Súmate a una concentración cerca de ti, u "
        "organiza una.",
        "call": "Llamamos a todas las personas que creen que ningún pueblo debe ser "
        "castigado por su gobierno a **salir a la calle** durante la semana internacional "
        "de acción.\n\n- Organiza una concentración, una vigilia o una charla en tu ciudad.\n"
        "- Lleva el llamamiento y recoge firmas.\n- Envíanos una foto y unas líneas para el "
        "informe.\n\nCada acto lo organiza un grupo local y lo revisa la coordinación antes "
        "de aparecer en el mapa.",
    },
}

# (city, country, language, group, venue, day of the week, hour)
HOSTED = [
    ("Tucson", "US", "en", "Solidarity Network Tucson", "Federal building steps", 0, 17),
    ("New York City", "US", "en", "NYC Peace Council", "Union Square", 1, 18),
    ("Chicago", "US", "en", "Chicago Labor for Peace", "Daley Plaza", 2, 17),
    ("Los Angeles", "US", "en", "LA Solidarity", "City Hall", 5, 12),
    ("Toronto", "CA", "en", "Toronto Coalition", "Nathan Phillips Square", 5, 13),
    ("Montreal", "CA", "en", "Montréal Solidarité", "Place Émilie-Gamelin", 4, 17),
    ("Mexico City", "MX", "es", "Comité de Solidaridad", "Hemiciclo a Juárez", 5, 11),
    ("Oaxaca", "MX", "es", "Colectivo Oaxaca", "Zócalo", 3, 18),
    ("Guatemala City", "GT", "es", "Red Guatemalteca", "Plaza de la Constitución", 5, 10),
    ("Bogotá", "CO", "es", "Colombia Solidaria", "Plaza de Bolívar", 4, 16),
    ("Caracas", "VE", "es", "Frente de Amistad", "Plaza Bolívar", 5, 10),
    ("São Paulo", "BR", "es", "Comitê de Solidariedade", "Avenida Paulista", 6, 14),
    ("Buenos Aires", "AR", "es", "Mesa de Solidaridad", "Plaza de Mayo", 3, 18),
    ("Santiago", "CL", "es", "Chile por la Paz", "Plaza Baquedano", 5, 11),
    ("Lima", "PE", "es", "Perú Solidario", "Plaza San Martín", 4, 18),
    ("Madrid", "ES", "es", "Plataforma Madrid", "Puerta del Sol", 5, 19),
    ("Barcelona", "ES", "es", "Xarxa de Solidaritat", "Plaça de Catalunya", 6, 12),
    ("London", "GB", "en", "London Solidarity Campaign", "Parliament Square", 5, 13),
    ("Glasgow", "GB", "en", "Glasgow Trades Council", "George Square", 6, 12),
    ("Dublin", "IE", "en", "Dublin Solidarity", "Spire, O'Connell Street", 5, 14),
    ("Paris", "FR", "en", "Collectif Paris", "Place de la République", 6, 15),
    ("Berlin", "DE", "en", "Berliner Bündnis", "Brandenburger Tor", 5, 14),
    ("Rome", "IT", "en", "Roma Solidale", "Piazza del Popolo", 6, 16),
    ("Athens", "GR", "en", "Athens Peace Committee", "Syntagma Square", 4, 18),
    ("Johannesburg", "ZA", "en", "Johannesburg Solidarity Forum", "Library Gardens", 5, 11),
    ("Nairobi", "KE", "en", "Kenya Peace Network", "Uhuru Park", 5, 10),
    ("Kolkata", "IN", "en", "Kolkata Solidarity Committee", "Esplanade", 6, 16),
    ("Manila", "PH", "en", "Philippine Solidarity", "Plaza Miranda", 5, 16),
    ("Sydney", "AU", "en", "Sydney Peace Coalition", "Town Hall steps", 5, 12),
    ("Tokyo", "JP", "en", "Tokyo Peace Forum", "Hibiya Park", 6, 14),
    ("Durban", "ZA", "en", "Durban Dockworkers", "City Hall", 2, 12),
]
PENDING = [
    ("Phoenix", "US", "es", "Arizona Solidaria", "State Capitol", 5, 10),
    ("Valencia", "ES", "es", "València Solidària", "Plaça de l'Ajuntament", 4, 19),
    ("Cape Town", "ZA", "en", "Cape Town Solidarity", "Parliament", 5, 11),
    ("Quito", "EC", "es", "Ecuador por la Paz", "Plaza Grande", 5, 11),
]

TITLES = {
    "en": ("Rally: end the blockade ({city})", "Join {group} at {venue}. Bring signs, "
           "friends and the appeal. Speakers from local unions and communities."),
    "es": ("Concentración: fin al bloqueo ({city})", "Acompaña a {group} en {venue}. Trae "
           "pancartas, amistades y el llamamiento. Intervienen sindicatos y vecinas."),
}  # fmt: skip


def _last_tuesday(day):
    return day + relativedelta(day=31, weekday=TU(-1))


def load(context: dict) -> None:
    organisation = context["organisations"][0]
    people = context.get("people", [])
    now = timezone.now()
    _series(organisation, people, now)
    _campaign(context, organisation, people, now)


def _series(organisation, people, now):
    today = now.astimezone(NEW_YORK).date()
    first_day = _last_tuesday(today - relativedelta(months=6))
    first_start = datetime.combine(first_day, time(20, 0), tzinfo=NEW_YORK)
    versions = {}
    horizon = now + timedelta(days=190)
    versions["en"] = series_create(
        language="en",
        organisation=organisation,
        rule="FREQ=MONTHLY;BYDAY=-1TU",
        first_start=first_start,
        duration_minutes=60,
        time_zone="America/New_York",
        display_zones=["America/Los_Angeles"],
        online_url="https://meet.example.org/solidarity-webinar",
        capacity=500,
        is_published=True,
        before=horizon,
        **SERIES["en"],
    )
    versions["es"] = series_create(
        language="es", translation_of=versions["en"], before=horizon, **SERIES["es"]
    )
    english = list(versions["en"].occurrences.order_by("shared__starts_at"))
    spanish = {e.translation_key: e for e in versions["es"].occurrences.all()}
    for index, event in enumerate(english):
        title_en, title_es, speaker, role = SESSIONS[index % len(SESSIONS)]
        pair = [(event, title_en), (spanish[event.translation_key], title_es)]
        for version, title in pair:
            version.title = f"{SERIES[version.language]['title']}: {title}"
            version.summary = title
            shared = {}
            if version.ends_at < now:
                shared["recording_url"] = (
                    f"https://video.example.org/solidarity-webinar-{index + 1}"
                )
                version.report = (
                    f"{speaker} ({role}) spoke to 140 people from 18 countries."
                    if version.language == "en"
                    else f"{speaker} ({role}) habló ante 140 personas de 18 países."
                )
            event_save(event=version, shared=shared)
            speaker_save(speaker=Speaker(event=version, name=speaker, role=role))
    upcoming = [e for e in english if e.starts_at > now]
    if upcoming:
        for person in people[:6]:
            Registration.objects.get_or_create(
                translation_key=upcoming[0].translation_key,
                person=person,
                defaults={"event": upcoming[0]},
            )


def _campaign(context, organisation, people, now):
    first_day = (now + timedelta(days=21)).date()
    appeal = ((context.get("actions") or {}).get("appeal") or {}).get("en")
    versions = {}
    versions["en"] = campaign_create(
        language="en",
        starts_on=first_day,
        ends_on=first_day + timedelta(days=6),
        organisation=organisation,
        action=appeal.shared if appeal is not None else None,
        status=Campaign.Status.PUBLISHED,
        endorsers=context["organisations"],
        **CAMPAIGN["en"],
    )
    versions["es"] = campaign_create(language="es", translation_of=versions["en"], **CAMPAIGN["es"])
    for rows, status in ((HOSTED, Event.Status.PUBLISHED), (PENDING, Event.Status.PENDING)):
        for index, (city, country, language, group, venue, weekday, hour) in enumerate(rows):
            place = place_find(city, country)
            zone = zoneinfo.ZoneInfo(place.time_zone)
            day = first_day + timedelta(days=weekday)
            start = datetime.combine(day, time(hour, 0), tzinfo=zone)
            title, description = TITLES[language]
            host = person_upsert(
                data=PersonData(
                    email=f"host-{index}-{status}@example.org",
                    given_name=group.split()[0],
                    family_name="Host",
                    city=city,
                    country=country,
                    language=language,
                ),
                confirmed=True,
            ).person
            event = event_create(
                language=language,
                kind=Event.Kind.IN_PERSON,
                title=title.format(city=city),
                slug=_unique_slug(Event, language, title.format(city=city)),
                description=description.format(group=group, venue=venue),
                organisation=organisation,
                host_group=group,
                status=status,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                time_zone=place.time_zone,
                venue_name=venue,
                city=city,
                country=country,
                latitude=place.latitude,
                longitude=place.longitude,
                campaign=versions[language],
                host_person=host,
            )
            if status == Event.Status.PUBLISHED and people and index < len(people):
                Registration.objects.create(
                    event=event,
                    translation_key=event.translation_key,
                    person=people[index],
                    share_with_host=index % 2 == 0,
                )
