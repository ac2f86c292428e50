import pytest

from convoca.actions.models import Action, Signature
from convoca.actions.services import action_create
from convoca.letters.imports import DISTRICT_MAPPINGS, TARGET_MAPPINGS
from convoca.letters.models import LetterCampaign, TargetBody
from convoca.letters.services import (
    districts_import,
    letter_campaign_save,
    target_body_save,
    target_save,
    targets_import,
)

#: Rows shaped like unitedstates/congress-legislators' legislators-current.csv (made-up people).
LEGISLATORS_HEADER = (
    "last_name,first_name,middle_name,suffix,nickname,full_name,birthday,gender,type,state,"
    "district,senate_class,party,url,address,phone,contact_form,rss_url,twitter,twitter_id,"
    "facebook,youtube,youtube_id,mastodon,bioguide_id,thomas_id,opensecrets_id,lis_id,fec_ids,"
    "cspan_id,govtrack_id,votesmart_id,ballotpedia_id,washington_post_id,icpsr_id,wikipedia_id"
)


def legislator(bioguide, first, last, kind, state, district, *, phone="202-225-0000", form=""):
    fields = {
        "last_name": last,
        "first_name": first,
        "full_name": f"{first} {last}",
        "type": kind,
        "state": state,
        "district": district,
        "party": "Independent",
        "address": "1 Independence Ave SE Washington DC 20515",
        "phone": phone,
        "contact_form": form or f"https://{last.lower()}.house.example/contact",
        "bioguide_id": bioguide,
    }
    return ",".join(f'"{fields.get(name, "")}"' for name in LEGISLATORS_HEADER.split(","))


LEGISLATORS = "\n".join(
    [
        LEGISLATORS_HEADER,
        legislator("Z000001", "Maria", "Alvarez", "rep", "AZ", "7"),
        legislator("Z000002", "John", "Whitaker", "rep", "AZ", "6"),
        legislator("Z000003", "Ruth", "Okafor", "sen", "AZ", ""),
        legislator("Z000004", "Dana", "Lee", "rep", "AK", "0"),
    ]
).encode()

ZCCD = (
    b"state_fips,state_abbr,zcta,cd\n04,AZ,85701,7\n04,AZ,85718,6\n04,AZ,85719,6\n04,AZ,85719,7\n"
)


@pytest.fixture
def house(organisation):
    body = target_body_save(
        body=TargetBody(organisation=organisation, name="US House", country="US")
    )
    targets_import(body=body, data=LEGISLATORS, mapping=TARGET_MAPPINGS["us-house"])
    districts_import(body=body, data=ZCCD, mapping=DISTRICT_MAPPINGS["us-zccd"])
    # The public file has no email addresses: organisers add those they have.
    for key, email in (("Z000001", "alvarez@house.example"), ("Z000002", "whitaker@house.example")):
        target = body.targets.get(key=key)
        target.email = email
        target_save(target=target)
    return body


@pytest.fixture
def congreso(organisation):
    body = target_body_save(
        body=TargetBody(organisation=organisation, name="Congreso", country="ES")
    )
    members = (
        "id,name,office,constituency,region,party,email,web_form,phone,address,language\n"
        "m1,Lucía Pardo,Diputada,Madrid,Madrid,Grupo Mixto,lucia.pardo@congreso.example,,,,es\n"
        "m2,Jordi Vives,Diputado,Barcelona,Cataluña,Grupo Mixto,"
        "jordi.vives@congreso.example,,,,es\n"
        "m3,Ana Ruiz,Diputada,Sevilla,Andalucía,Grupo Mixto,,"
        "https://congreso.example/ruiz,+34 910 000 000,,es\n"
    ).encode()
    targets_import(body=body, data=members, mapping=TARGET_MAPPINGS["parliament"])
    districts = (
        b"country,postal_code,region,district\n"
        b"ES,28*,,Madrid\nES,08*,,Barcelona\nES,41*,,Sevilla\nES,,Andaluc\xc3\xada,Sevilla\n"
    )
    districts_import(body=body, data=districts, mapping=DISTRICT_MAPPINGS["generic"])
    return body


@pytest.fixture
def make_letter(organisation):
    """A letter action in English and Spanish with its campaign; ``bodies`` looked up."""

    def make(*, bodies=(), pinned=(), slug="pass-the-bill", **campaign_fields):
        english = action_create(
            language="en", kind=Action.Kind.TARGETED, title="Pass the Medicine Act",
            slug=slug, organisation=organisation, status=Action.Status.OPEN, goal=100,
        )  # fmt: skip
        action_create(
            language="es", title="Aprobad la Ley de Medicinas", slug=f"{slug}-es",
            translation_of=english,
        )  # fmt: skip
        campaign = letter_campaign_save(
            campaign=LetterCampaign(action=english, **campaign_fields),
            bodies=list(bodies),
            pinned_targets=list(pinned),
            texts={
                "en": {
                    "subject": "Please vote for the Medicine Act",
                    "editable_text": "I am writing as your constituent.",
                    "fixed_text": "Vote yes on the Medicine Act.",
                },
                "es": {
                    "subject": "Vote a favor de la Ley de Medicinas",
                    "editable_text": "Le escribo como votante de su circunscripción.",
                    "fixed_text": "Vote sí a la Ley de Medicinas.",
                },
            },
        )
        return campaign

    return make


@pytest.fixture
def write(client, django_capture_on_commit_callbacks):
    """POST the letter form as a browser without JavaScript would, after-commit work included."""

    def post(campaign, *, language="en", **fields):
        action = campaign.action
        if language != action.language:
            action = Action.objects.get(shared_id=campaign.translation_key, language=language)
        data = {
            "country": "US",
            "postal_code": "85701",
            "given_name": "Ana",
            "family_name": "López",
            "email": "ana@example.org",
            "text": "Medicine must reach the clinics in my town.",
            **fields,
        }
        url = action.get_absolute_url() + ("enviar/" if language == "es" else "send/")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks):
    """Follow the confirmation link of the newest email to ``address`` and press the button."""
    import re

    def run(sink, address):
        found = [m for m in sink.messages if m["to"] == [address]]
        body = found[-1]["message"].get_body(("plain",)).get_content()
        path = re.search(r"https?://[^/\s]+(/\S+)", body).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path)
        assert response.status_code == 200
        return response

    return run


@pytest.fixture
def commit_confirm(django_capture_on_commit_callbacks):
    """Confirm the newest signature of this address through the service, as the link does."""
    from convoca.actions.services import signature_confirm
    from convoca.people.selectors import person_get_by_email

    def run(address):
        person = person_get_by_email(address)
        signature = Signature.objects.filter(person=person).latest("created_at")
        with django_capture_on_commit_callbacks(execute=True):
            signature_confirm(signature=signature)

    return run
