"""Demo letters to decision-makers: a bill before the US House and a motion in Spain's Congreso.

The members are made up (real district codes, invented people at
``.example`` addresses), imported through the same CSV mappings an
organiser uses: a file shaped like unitedstates/congress-legislators'
``legislators-current.csv`` and a ZIP-to-district table for the House; a
member list with one column per field and a postal-code-prefix table for
the Congreso. A few demo supporters write and confirm, through the
services, so the public figures and the organisers' deliveries are not
empty.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from convoca.actions.models import Action, Signature
from convoca.actions.services import SignatureData, action_create, signature_confirm
from convoca.letters.imports import DISTRICT_MAPPINGS, TARGET_MAPPINGS
from convoca.letters.models import LetterCampaign, Target, TargetBody
from convoca.letters.services import (
    LetterData,
    districts_import,
    letter_campaign_save,
    letter_create,
    target_body_save,
    target_save,
    targets_import,
)
from convoca.people.services import PersonData

LEGISLATORS = """\
last_name,first_name,middle_name,suffix,nickname,full_name,birthday,gender,type,state,district,\
senate_class,party,url,address,phone,contact_form,rss_url,twitter,twitter_id,facebook,youtube,\
youtube_id,mastodon,bioguide_id,thomas_id,opensecrets_id,lis_id,fec_ids,cspan_id,govtrack_id,\
votesmart_id,ballotpedia_id,washington_post_id,icpsr_id,wikipedia_id
Ortega,Marisol,,,,Marisol Ortega,1971-03-02,F,rep,AZ,7,,Democrat,https://ortega.house.example,\
1511 Longworth House Office Building Washington DC 20515-0307,202-555-0107,\
https://ortega.house.example/contact,,,,,,,,X000107,,,,,,,,,,,
Brennan,Thomas,,,,Thomas Brennan,1966-11-20,M,rep,AZ,6,,Republican,https://brennan.house.example,\
2244 Rayburn House Office Building Washington DC 20515-0306,202-555-0106,\
https://brennan.house.example/contact,,,,,,,,X000106,,,,,,,,,,,
Chen,Lillian,,,,Lillian Chen,1979-06-14,F,rep,CA,11,,Democrat,https://chen.house.example,\
1236 Longworth House Office Building Washington DC 20515-0511,202-555-0511,\
https://chen.house.example/contact,,,,,,,,X000511,,,,,,,,,,,
Whitfield,Darnell,,,,Darnell Whitfield,1975-01-09,M,rep,IL,7,,Democrat,https://whitfield.house.example,\
2419 Rayburn House Office Building Washington DC 20515-1307,202-555-1307,\
https://whitfield.house.example/contact,,,,,,,,X001307,,,,,,,,,,,
Navarro,Elena,,,,Elena Navarro,1982-09-30,F,rep,NY,13,,Democrat,https://navarro.house.example,\
1017 Longworth House Office Building Washington DC 20515-3213,202-555-3213,\
https://navarro.house.example/contact,,,,,,,,X003213,,,,,,,,,,,
Hale,Robert,,,,Robert Hale,1958-04-22,M,sen,AZ,,1,Independent,https://hale.senate.example,\
SR-100 Russell Senate Office Building Washington DC 20510,202-555-0100,\
https://hale.senate.example/contact,,,,,,,,X000100,,,,,,,,,,,
"""

#: The public file has no email addresses; an organiser adds those the offices give out.
HOUSE_EMAILS = {
    "X000107": "rep.ortega@house.example",
    "X000106": "rep.brennan@house.example",
    "X000511": "rep.chen@house.example",
    "X003213": "rep.navarro@house.example",
    # Darnell Whitfield takes messages only through his web form: "send it yourself".
}

ZCCD = """\
state_fips,state_abbr,zcta,cd
04,AZ,85701,7
04,AZ,85705,7
04,AZ,85713,7
04,AZ,85719,6
04,AZ,85719,7
04,AZ,85718,6
04,AZ,85750,6
06,CA,94110,11
06,CA,94103,11
17,IL,60612,7
17,IL,60624,7
36,NY,10025,13
36,NY,10027,13
"""

CONGRESO = """\
id,name,office,constituency,region,party,email,web_form,phone,address,language
cd-001,Lucía Herrero Prieto,Diputada,Madrid,Comunidad de Madrid,Grupo Mixto,\
lucia.herrero@congreso.example,,+34 913 900 001,,es
cd-002,Javier Molina Sanz,Diputado,Madrid,Comunidad de Madrid,Grupo Mixto,\
javier.molina@congreso.example,,+34 913 900 002,,es
cd-003,Montserrat Puig Ferrer,Diputada,Barcelona,Cataluña,Grupo Mixto,\
montserrat.puig@congreso.example,,+34 913 900 003,,es
cd-004,Rafael Domínguez Vega,Diputado,Sevilla,Andalucía,Grupo Mixto,,\
https://congreso.example/diputados/dominguez,+34 913 900 004,\
"Carrera de San Jerónimo, s/n
28071 Madrid",es
cd-005,Inés Albiol Soler,Diputada,Valencia,Comunidad Valenciana,Grupo Mixto,\
ines.albiol@congreso.example,,+34 913 900 005,,es
cd-100,Carmen Ruiz Olmedo,Presidenta de la Comisión de Asuntos Exteriores,,,Grupo Mixto,\
comision.exteriores@congreso.example,,+34 913 900 100,,es
"""

CONGRESO_DISTRICTS = """\
country,postal_code,region,district
ES,28*,,Madrid
ES,08*,,Barcelona
ES,41*,,Sevilla
ES,46*,,Valencia
ES,,Comunidad de Madrid,Madrid
ES,,Cataluña,Barcelona
ES,,Andalucía,Sevilla
ES,,Comunidad Valenciana,Valencia
"""

HOUSE_LETTER = {
    "en": {
        "title": "Tell your Representative: pass the Medicine Without Borders Act",
        "slug": "medicine-without-borders-act",
        "summary": "H.R. 2417 would guarantee that payments and shipping for medicine and "
        "food are never blocked by sanctions. Write to your Representative: it takes a minute.",
        "body": "The **Medicine Without Borders Act** (H.R. 2417) makes humanitarian "
        "exemptions real: banks and shippers that carry medicine, food and medical parts "
        "are protected from penalties.\n\nYour Representative counts the letters from their "
        "district. Give your ZIP code, and we find who represents you.",
        "subject": "Please co-sponsor H.R. 2417, the Medicine Without Borders Act",
        "editable": "As your constituent, I ask you to co-sponsor the Medicine Without "
        "Borders Act. Hospitals abroad are running out of insulin and antibiotics because "
        "payments and shipments are blocked, even when the law exempts them.",
        "fixed": "Please co-sponsor H.R. 2417 and vote for it when it comes to the floor. "
        "No people should go without medicine to put pressure on its government.",
    },
    "es": {
        "title": "Escribe a tu representante: que apruebe la Ley Medicinas sin Fronteras",
        "slug": "ley-medicinas-sin-fronteras",
        "summary": "La ley H.R. 2417 garantizaría que los pagos y envíos de medicinas y "
        "alimentos nunca queden bloqueados por sanciones. Escribe a tu representante en la "
        "Cámara de EE. UU.: es un minuto.",
        "body": "La **Ley Medicinas sin Fronteras** (H.R. 2417) hace reales las exenciones "
        "humanitarias.\n\nSi vives en Estados Unidos, da tu código postal (ZIP) y "
        "encontramos a quien te representa.",
        "subject": "Le pido que copatrocine la ley H.R. 2417, Medicinas sin Fronteras",
        "editable": "Como votante de su distrito, le pido que copatrocine la Ley Medicinas "
        "sin Fronteras. Los hospitales se quedan sin insulina ni antibióticos porque los "
        "pagos y los envíos están bloqueados.",
        "fixed": "Le pido que copatrocine la ley H.R. 2417 y vote a favor. Ningún pueblo "
        "debería quedarse sin medicinas para presionar a su gobierno.",
    },
}

CONGRESO_LETTER = {
    "es": {
        "title": "Pide a tu diputada o diputado que apoye la proposición no de ley humanitaria",
        "slug": "proposicion-humanitaria",
        "summary": "El Congreso debate una proposición no de ley para que España defienda en "
        "la UE las exenciones humanitarias. Escribe a quien representa a tu provincia.",
        "body": "Da tu código postal o tu comunidad autónoma y encontramos a las diputadas "
        "y diputados de tu circunscripción. La carta llega también a la presidenta de la "
        "Comisión de Asuntos Exteriores.",
        "subject": "Apoye la proposición no de ley sobre exenciones humanitarias",
        "editable": "Le escribo como votante de su circunscripción para pedirle que apoye la "
        "proposición no de ley sobre exenciones humanitarias.",
        "fixed": "Ningún pueblo debería quedarse sin medicinas ni alimentos por sanciones "
        "que dicen no afectarlos.",
    },
    "en": {
        "title": "Ask your Spanish MP to back the humanitarian motion",
        "slug": "humanitarian-motion-spain",
        "summary": "Spain's Congress is debating a motion asking the government to defend "
        "humanitarian exemptions in the EU. Write to the MPs of your province.",
        "body": "Give your postal code or your region and we find the MPs of your "
        "constituency. Every letter also goes to the chair of the Foreign Affairs Committee.",
        "subject": "Please back the motion on humanitarian exemptions",
        "editable": "I am writing as a voter in your constituency to ask you to back the "
        "motion on humanitarian exemptions.",
        "fixed": "No people should go without medicine or food because of sanctions that "
        "claim to spare them.",
    },
}

WRITERS = [
    # (given, family, email, language, country, postal code, city, letter)
    ("Gloria", "Reyes", "gloria.reyes@example.org", "en", "US", "85719", "Tucson", "house"),
    ("Sam", "Whitaker", "sam.whitaker@example.org", "en", "US", "85701", "Tucson", "house"),
    (
        "Luis",
        "Carrillo",
        "luis.carrillo@example.org",
        "es",
        "US",
        "94110",
        "San Francisco",
        "house",
    ),
    ("Keisha", "Brown", "keisha.brown@example.org", "en", "US", "60612", "Chicago", "house"),
    ("Marta", "Serrano", "marta.serrano@example.org", "es", "ES", "28012", "Madrid", "congreso"),
    ("Pau", "Vidal", "pau.vidal@example.org", "es", "ES", "08001", "Barcelona", "congreso"),
]


def load(context: dict) -> None:
    organisation = context["organisations"][0]
    house = target_body_save(
        body=TargetBody(organisation=organisation, name="US House", country="US")
    )
    targets_import(body=house, data=LEGISLATORS.encode(), mapping=TARGET_MAPPINGS["us-house"])
    for target in Target.objects.filter(body=house, key__in=list(HOUSE_EMAILS)):
        target.email = HOUSE_EMAILS[target.key]
        target_save(target=target)
    districts_import(body=house, data=ZCCD.encode(), mapping=DISTRICT_MAPPINGS["us-zccd"])

    congreso = target_body_save(
        body=TargetBody(organisation=organisation, name="Congreso de los Diputados", country="ES")
    )
    targets_import(body=congreso, data=CONGRESO.encode(), mapping=TARGET_MAPPINGS["parliament"])
    districts_import(
        body=congreso, data=CONGRESO_DISTRICTS.encode(), mapping=DISTRICT_MAPPINGS["generic"]
    )
    chair = Target.objects.get(body=congreso, key="cd-100")

    campaigns = {
        "house": _letter(organisation, HOUSE_LETTER, first="en", bodies=[house], goal=500),
        "congreso": _letter(
            organisation, CONGRESO_LETTER, first="es", bodies=[congreso], pinned=[chair], goal=250
        ),
    }
    context["letters"] = campaigns
    _writers_write(campaigns)


def _letter(organisation, texts, *, first, bodies, pinned=(), goal) -> LetterCampaign:
    now = timezone.now()
    versions: dict[str, Action] = {}
    for language in (first, *(code for code in texts if code != first)):
        text = texts[language]
        shared = {
            "kind": Action.Kind.TARGETED,
            "organisation": organisation,
            "status": Action.Status.OPEN,
            "starts_at": now - timedelta(days=9),
            "goal": goal,
        }
        versions[language] = action_create(
            translation_of=versions.get(first),
            language=language,
            title=text["title"],
            slug=text["slug"],
            summary=text["summary"],
            body=text["body"],
            **({} if versions else shared),
        )
    campaign = letter_campaign_save(
        campaign=LetterCampaign(action=versions[first], daily_cap=50),
        bodies=bodies,
        pinned_targets=pinned,
        texts={
            language: {
                "subject": text["subject"],
                "editable_text": text["editable"],
                "fixed_text": text["fixed"],
            }
            for language, text in texts.items()
        },
    )
    return campaign


def _writers_write(campaigns: dict[str, LetterCampaign]) -> None:
    """A few supporters write and confirm, through the same services as the public form."""
    from convoca.letters.selectors import letter_targets_lookup

    for given, family, email, language, country, code, city, which in WRITERS:
        campaign = campaigns[which]
        action = Action.objects.get(shared_id=campaign.translation_key, language=language)
        lookup = letter_targets_lookup(campaign=campaign, country=country, postal_code=code)
        texts = {t.language: t for t in campaign.versions.all()}
        with transaction.atomic():
            result, _letter = letter_create(
                action=action,
                signature_data=SignatureData(
                    person=PersonData(
                        email=email,
                        given_name=given,
                        family_name=family,
                        country=country,
                        city=city,
                        postal_code=code,
                        language=language,
                    ),
                    visibility=Signature.Visibility.HIDDEN,
                    form=f"actions:{action.slug}",
                ),
                data=LetterData(
                    text=texts[language].editable_text,
                    targets=[*lookup.pinned, *lookup.found],
                    locality=f"{city} {code}",
                ),
            )
            signature_confirm(signature=result.signature)
