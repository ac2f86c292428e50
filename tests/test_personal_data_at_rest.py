"""Nothing that identifies or locates a supporter is readable in the database's files.

A supporter fills every personal field Convoca has, each with a marker of
its own, through the public forms and the services behind the others; the
raw database (the SQLite files, WAL included, or a ``pg_dump`` of
PostgreSQL) must then contain none of the markers. Which fields are
personal is found, not listed: every text field of a model that refers to
a person (or to such a model) is encrypted, or reviewed below as holding
no personal data.
"""

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connections, models
from django.urls import reverse
from django.utils import timezone, translation

from convoca.actions.models import Action, PledgeQuestion, Signature
from convoca.actions.services import action_create, signature_confirm
from convoca.api.services import api_key_create
from convoca.coalition.models import WorkingGroup
from convoca.coalition.services import (
    AffiliationData,
    JoinData,
    affiliation_request_ask,
    affiliation_request_create,
    join_request_confirm,
    join_request_create,
    join_request_decide,
    working_group_member_add,
)
from convoca.coalition.tests.helpers import working_group_make
from convoca.core.crypto import email_index, value_index
from convoca.core.fields import BlindIndexField, EncryptedTextField
from convoca.core.sealing import key_pair_new
from convoca.core.translatable import LanguageField
from convoca.donations.models import Fundraiser, OfflineGift
from convoca.donations.providers.base import Change, ProviderEvent
from convoca.donations.services import (
    DonationData,
    donation_create_pending,
    fundraiser_save,
    offline_gift_save,
    webhook_event_apply,
)
from convoca.events.models import Campaign, Event
from convoca.events.services import (
    HostedEventData,
    campaign_create,
    event_create,
    event_host_submit,
    host_message_send,
)
from convoca.inbox.models import ContactMessage
from convoca.inbox.services import contact_message_note_add, contact_message_reply
from convoca.letters.models import LetterCampaign, Target, TargetBody
from convoca.letters.services import letter_campaign_save
from convoca.mailings.services import mailing_list_create, subscription_request
from convoca.people.models import Person
from convoca.people.services import PersonData, person_upsert

#: Text fields of models that hold personal data, reviewed as holding none
#: themselves (a field with ``choices`` holds a fixed vocabulary and needs no review).
NOT_PERSONAL = {
    "people.Person.email_index": "a keyed blind index, not the address",
    "people.Consent.subject_id": "the id of a list or an action",
    "people.Consent.wording": "the sentence the organisers wrote and the person agreed to",
    "people.Consent.source": "the name of the form",
    "people.Activity.summary": "the title of what was done (an action, an event)",
    "people.Activity.subject_id": "the id of what was done",
    "mailings.Subscription.source": "the name of the form",
    "mailings.Delivery.language": "a language code",
    "mailings.Delivery.error": "the server's diagnostic, addresses redacted",
    "mailings.Delivery.provider_id": "the provider's message id",
    "mailings.Suppression.email_index": "a keyed blind index, not the address",
    "mailings.Suppression.detail": "the provider's diagnostic, addresses redacted",
    "actions.Signature.source": "a partner's campaign code",
    "actions.Endorsement.name": "an organisation's name, published when approved",
    "actions.Endorsement.website": "an organisation's website, published when approved",
    "coalition.AffiliationRequest.name": "an organisation's name, for the directory",
    "coalition.AffiliationRequest.city": "an organisation's city, for the directory",
    "coalition.AffiliationRequest.website": "an organisation's website, for the directory",
    "coalition.AffiliationRequest.description": "an organisation's description",
    "donations.Donation.currency": "a currency code",
    "donations.Donation.provider": "the payment provider's name",
    "donations.Donation.checkout_reference": "the provider's reference of the checkout",
    "donations.Donation.customer_reference": "the provider's reference of the customer",
    "donations.Donation.subscription_reference": "the provider's reference of the subscription",
    "donations.Donation.choices": "the boxes ticked and the organisers' wording of them",
    "core.AuditEntry.target": "what staff acted on, named without personal data",
    "core.AuditEntry.verb": "what staff did",
    # An event is the host's to publish: where and what it is shows on its
    # public page and on the map; the host themself is a Person.
    **{
        f"events.Event.{name}": "published on the event's page"
        for name in ("title", "slug", "summary", "description", "questions", "report")
    },
    **{
        f"events.EventShared.{name}": "published on the event's page"
        for name in (
            "host_group",
            "time_zone",
            "display_zones",
            "venue_name",
            "street_address",
            "city",
            "postal_code",
            "online_url",
            "reminder_minutes",
            "recording_url",
        )
    },
    "events.EventShared.host_key": "a random key, the host's secret link",
    "events.Speaker.name": "a speaker, published on the event's page",
    "events.Speaker.role": "a speaker, published on the event's page",
    "events.Speaker.bio": "a speaker, published on the event's page",
}

#: Models that hold personal data with no relation to a person.
#: Speakers are people, named on an event's page, two hops from the host since events
#: moved onto the translatable base (Speaker -> Event -> EventShared -> Person).
ALSO_PERSONAL = [
    "mailings.Suppression", "actions.SignatureIntake", "core.AuditEntry", "events.Speaker",
]  # fmt: skip

#: Encrypted fields that no row keeps once the work is done.
TRANSIENT = {"actions.SignatureIntake.payload": "deleted once the signature is recorded"}

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _refers_to_a_person(model, depth=2) -> bool:
    if model is Person:
        return True
    return depth > 0 and any(
        field.is_relation
        and field.related_model is not model
        and field.related_model._meta.app_label in _convoca_apps()
        and _refers_to_a_person(field.related_model, depth - 1)
        for field in model._meta.concrete_fields
    )


def _convoca_apps() -> set[str]:
    return {c.label for c in apps.get_app_configs() if c.name.startswith("convoca.")}


def personal_models() -> list:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in _convoca_apps()
        and not model._meta.proxy
        and (_refers_to_a_person(model) or model._meta.label in ALSO_PERSONAL)
    ]


def _label(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def test_every_text_field_of_a_model_holding_personal_data_is_encrypted_or_reviewed():
    clear = {
        _label(model, field)
        for model in personal_models()
        for field in model._meta.concrete_fields
        if isinstance(field, TEXT_FIELDS)
        and not isinstance(field, EncryptedTextField | BlindIndexField)
        # A code from a closed list: a choice, or a language of the site.
        and not field.choices
        and not isinstance(field, LanguageField)
    }
    assert clear - NOT_PERSONAL.keys() == set(), "encrypt these fields, or review them here"
    assert NOT_PERSONAL.keys() - clear == set(), "these reviewed fields are gone: drop them"


# --- The supporter who fills in everything ------------------------------------------------


def _marker(name: str) -> str:
    """A string found nowhere else, even inside another marker."""
    return f"Zq{name}Xj"


MARK = {
    name: _marker(name)
    for name in (
        "PledgeGiven", "PledgeFamily", "PledgePhone", "PledgeCity", "PledgePostal",
        "PledgeComment", "PledgeOrg", "PledgeRole", "PledgeAnswer",
        "AppealGiven", "AppealFamily", "LaterCity", "LaterPostal", "LaterPhone",
        "Street", "RegGiven", "RegFamily", "RegPhone", "RegAnswer",
        "HostGiven", "HostFamily", "HostPhone", "HostSubject", "HostBody",
        "ContactName", "ContactBody", "ContactReply", "ContactNote",
        "DonorGiven", "DonorPublic", "GiftNote", "GiftDonorFamily",
        "AffContact", "AffMessage", "AffQuestion",
        "JoinPublic", "JoinMessage", "JoinReviewer", "MemberPublic", "SubGiven",
        "ApiGiven", "ApiCustom",
        "LetterGiven", "LetterPostal", "LetterCity", "LetterText",
    )
}  # fmt: skip
EMAILS = {
    name: f"zq{name.lower()}xj@example.org"
    for name in ("pledger", "appealer", "registrant", "host", "contact", "donor", "giftdonor",
                 "affcontact", "joiner", "member", "subscriber", "apiperson", "letterer")
}  # fmt: skip


def _post(client, url, data):
    response = client.post(url, data)
    assert response.status_code in (200, 302, 303), response.content[:500]
    return response


def _fill_everything(client, organisation, coordinator) -> None:
    """Every personal field there is, filled through the forms and services that write it."""
    optional = Action.Ask.OPTIONAL
    asks = {f"ask_{a}": optional for a in ("organisation", "role", "comment", "phone", "place")}
    appeal = action_create(
        language="en", title="Lift the sanctions", slug="lift", organisation=organisation,
        status=Action.Status.OPEN, **asks,
    )  # fmt: skip
    pledge = action_create(
        language="en", title="Pledge of resistance", slug="pledge", kind=Action.Kind.PLEDGE,
        organisation=organisation, status=Action.Status.OPEN, **asks,
    )  # fmt: skip

    # A sensitive question, sealed to the organisation's public key (core.sealing).
    organisation.pledge_public_key = key_pair_new()[0]
    organisation.save()
    question = PledgeQuestion.objects.create(action=pledge, text="Where?", sensitive=True)
    # A new address: the bulk path of signing.
    _post(
        client,
        pledge.get_absolute_url() + "sign/",
        {
            "email": EMAILS["pledger"],
            "given_name": MARK["PledgeGiven"],
            "family_name": MARK["PledgeFamily"],
            "country": "MX",
            "phone": MARK["PledgePhone"],
            "city": MARK["PledgeCity"],
            "postal_code": MARK["PledgePostal"],
            "comment": MARK["PledgeComment"],
            "organisation_name": MARK["PledgeOrg"],
            "role": MARK["PledgeRole"],
            f"question_{question.pk}": MARK["PledgeAnswer"],
        },
    )
    # A known address that adds its place and phone later: the one-by-one path.
    for action, extra in (
        (appeal, {}),
        (
            pledge,
            {
                "city": MARK["LaterCity"],
                "postal_code": MARK["LaterPostal"],
                "phone": MARK["LaterPhone"],
            },
        ),
    ):
        _post(
            client,
            action.get_absolute_url() + "sign/",
            {
                "email": EMAILS["appealer"],
                "given_name": MARK["AppealGiven"],
                "family_name": MARK["AppealFamily"],
                "country": "US",
                **extra,
            },
        )
    # A street address is only ever typed by an organiser.
    person_upsert(
        data=PersonData(email=EMAILS["appealer"], street_address=MARK["Street"]), confirmed=True
    )

    start = timezone.now() + timedelta(days=3)
    webinar = event_create(
        language="en", title="A webinar", slug="webinar", organisation=organisation,
        status=Event.Status.PUBLISHED, starts_at=start, ends_at=start + timedelta(hours=1),
        ask_phone=True, questions=["Your union?"],
    )  # fmt: skip
    with translation.override("en"):
        register_url = reverse("events:event-register", kwargs={"slug": webinar.slug})
    _post(
        client,
        register_url,
        {
            "email": EMAILS["registrant"],
            "given_name": MARK["RegGiven"],
            "family_name": MARK["RegFamily"],
            "phone": MARK["RegPhone"],
            "question_0": MARK["RegAnswer"],
        },
    )

    today = timezone.localdate()
    campaign = campaign_create(
        language="en", title="Week of action", slug="week", organisation=organisation,
        starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=12),
        status=Campaign.Status.PUBLISHED,
    )  # fmt: skip
    rally_start = timezone.now() + timedelta(days=6)
    hosted = event_host_submit(
        campaign=campaign,
        data=HostedEventData(
            host=PersonData(
                email=EMAILS["host"],
                given_name=MARK["HostGiven"],
                family_name=MARK["HostFamily"],
                phone=MARK["HostPhone"],
                country="US",
            ),
            host_group="Tucson group",
            title="Rally",
            description="Bring signs.",
            starts_at=rally_start,
            ends_at=rally_start + timedelta(hours=2),
            time_zone="America/Phoenix",
            venue_name="Plaza",
            street_address="1 Main St",
            city="Tucson",
            postal_code="85701",
            country="US",
        ),
    )
    host_message_send(event=hosted, subject=MARK["HostSubject"], body=MARK["HostBody"])

    _post(
        client,
        "/en/contact/",
        {
            "name": MARK["ContactName"],
            "email": EMAILS["contact"],
            "subject": "press",
            "message": MARK["ContactBody"],
        },
    )
    message = ContactMessage.objects.get()
    contact_message_reply(message=message, author=coordinator, body=MARK["ContactReply"])
    contact_message_note_add(message=message, author=coordinator, body=MARK["ContactNote"])

    fundraiser = fundraiser_save(
        fundraiser=Fundraiser(
            slug="delegation", organisation=organisation, currency="EUR", goal=500_000,
            status=Fundraiser.Status.OPEN,
        ),
        texts={"en": {"title": "Send a delegation"}, "es": {"title": "Enviar una delegación"}},
    )  # fmt: skip
    provider = SimpleNamespace(name="stand-in")
    donation = donation_create_pending(
        fundraiser=fundraiser,
        data=DonationData(
            person=PersonData(email=EMAILS["donor"], given_name=MARK["DonorGiven"]),
            amount=2500,
            frequency="once",
            public_name=MARK["DonorPublic"],
            listed=True,
        ),
        provider=provider,
    )
    # Paid: the name the donor chose goes to their donor record.
    webhook_event_apply(
        provider=provider,
        event=ProviderEvent(
            id="evt_1",
            kind="payment",
            occurred_at=timezone.now(),
            change=Change(
                type="payment_succeeded", donation=str(donation.pk), reference="pi_1", amount=2500
            ),
        ),
    )
    offline_gift_save(
        gift=OfflineGift(fundraiser=fundraiser, amount=1000, method="cash", note=MARK["GiftNote"]),
        user=coordinator,
        person_data=PersonData(email=EMAILS["giftdonor"], family_name=MARK["GiftDonorFamily"]),
    )

    request = affiliation_request_create(
        data=AffiliationData(
            name="Friends of Tucson",
            country="US",
            contact=PersonData(email=EMAILS["affcontact"], given_name=MARK["AffContact"]),
            description="A local group.",
            message=MARK["AffMessage"],
        )
    )
    affiliation_request_ask(request=request, author=coordinator, question=MARK["AffQuestion"])

    group = working_group_make(
        slug="sanctions", name_en="Sanctions", joining=WorkingGroup.Joining.REQUEST
    )
    join = join_request_create(
        group=group,
        data=JoinData(
            person=PersonData(email=EMAILS["joiner"], given_name="Joiner"),
            public_name=MARK["JoinPublic"],
            message=MARK["JoinMessage"],
        ),
    )
    join_request_confirm(join_request=join)
    join_request_decide(join_request=join, accept=False, reviewer=MARK["JoinReviewer"])
    member = person_upsert(data=PersonData(email=EMAILS["member"])).person
    working_group_member_add(group=group, person=member, public_name=MARK["MemberPublic"])

    weekly = mailing_list_create(
        organisation=None,
        slug="weekly",
        name={"en": "The Weekly", "es": "El Semanario"},
        description={"en": "Links.", "es": "Enlaces."},
    )
    subscription_request(
        mailing_list=weekly,
        email=EMAILS["subscriber"],
        language="en",
        given_name=MARK["SubGiven"],
    )

    # Through the API: a sign-up with the organisation's own custom fields.
    _key, token = api_key_create(name="CRM", organisation=organisation)
    response = client.post(
        "/api/osdi/v1/people",
        {
            "person": {
                "given_name": MARK["ApiGiven"],
                "email_addresses": [{"address": EMAILS["apiperson"]}],
                "custom_fields": {"notes": MARK["ApiCustom"]},
            }
        },
        content_type="application/json",
        HTTP_OSDI_API_TOKEN=token,
    )
    assert response.status_code == 200, response.content[:500]

    # A letter to a decision-maker, written on the public form and confirmed (so emailed).
    body = TargetBody.objects.create(organisation=organisation, name="Council")
    target = Target.objects.create(body=body, key="c1", name="Rosa Díaz", email="rosa@example.org")
    letter_action = action_create(
        language="en", title="Write to the council", slug="council", kind=Action.Kind.TARGETED,
        organisation=organisation, status=Action.Status.OPEN,
    )  # fmt: skip
    letter_campaign_save(
        campaign=LetterCampaign(action=letter_action),
        pinned_targets=[target],
        texts={"en": {"subject": "Please", "editable_text": "Hi."}},
    )
    _post(
        client,
        letter_action.get_absolute_url() + "send/",
        {
            "email": EMAILS["letterer"],
            "given_name": MARK["LetterGiven"],
            "country": "US",
            "postal_code": MARK["LetterPostal"],
            "city": MARK["LetterCity"],
            "text": MARK["LetterText"],
        },
    )
    signature_confirm(signature=Signature.objects.get(action=letter_action))


# --- Reading the database as an attacker with a copy of it would --------------------------


def _database_bytes() -> bytes:
    """Every database's content as stored: the SQLite files, or a dump of PostgreSQL."""
    chunks = []
    for alias in connections:
        connection = connections[alias]
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for path in (Path(settings_dict["NAME"]), Path(f"{settings_dict['NAME']}-wal")):
                if path.exists():
                    chunks.append(path.read_bytes())
        elif connection.vendor == "postgresql":
            chunks.append(_pg_dump(settings_dict))
    return b"\n".join(chunks)


def _pg_dump(settings_dict) -> bytes:
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed: apt-get install postgresql-client"
    environment = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    command = [
        pg_dump,
        "--host",
        settings_dict.get("HOST") or "127.0.0.1",
        "--port",
        str(settings_dict.get("PORT") or 5432),
        "--username",
        settings_dict.get("USER") or "postgres",
        "--no-password",
        settings_dict["NAME"],
    ]
    return subprocess.run(command, env=environment, capture_output=True, check=True).stdout


def _encrypted_fields_filled() -> set[str]:
    """The encrypted fields of personal models that hold at least one value."""
    filled = set()
    for model in personal_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField) and (
                model._base_manager.exclude(**{field.attname: ""}).exists()
            ):
                filled.add(_label(model, field))
    return filled


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_no_personal_value_a_supporter_gave_is_readable_in_the_database_files(
    client, organisation, settings
):
    settings.CONVOCA_INTAKE_DEBOUNCE_SECONDS = 0
    coordinator = get_user_model().objects.create_user("coordinator", password="x" * 20)

    _fill_everything(client, organisation, coordinator)

    every_encrypted = {
        _label(model, field)
        for model in personal_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }
    assert every_encrypted - TRANSIENT.keys() - _encrypted_fields_filled() == set(), (
        "fill these fields in _fill_everything"
    )
    raw = _database_bytes()
    assert raw
    readable = [name for name, marker in MARK.items() if marker.encode() in raw]
    readable += [email for email in EMAILS.values() if email.encode() in raw]
    assert readable == []

    # ...and yet Convoca reads them back, and finds people by place.
    pledger = Person.objects.get(email_index=email_index(EMAILS["pledger"]))
    assert (pledger.city, pledger.postal_code) == (MARK["PledgeCity"], MARK["PledgePostal"])
    found = Person.objects.filter(
        city_index=value_index(f"  {MARK['LaterCity'].upper()} ", purpose="locality"),
        postal_code_index=value_index(MARK["LaterPostal"], purpose="postal_code"),
    )
    assert [p.email for p in found] == [EMAILS["appealer"]]
