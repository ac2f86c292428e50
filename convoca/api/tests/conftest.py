import json

import pytest

from convoca.actions.models import Action
from convoca.actions.services import action_create
from convoca.api.services import api_key_create
from convoca.people.models import Consent
from convoca.people.services import PersonData, consent_give, person_upsert


@pytest.fixture
def org_key(organisation, organiser):
    key, token = api_key_create(name="CRM sync", organisation=organisation, created_by=organiser)
    key.token = token
    return key


@pytest.fixture
def other_key(other_organisation):
    key, token = api_key_create(name="Their sync", organisation=other_organisation)
    key.token = token
    return key


@pytest.fixture
def coalition_key(coordinator):
    key, token = api_key_create(name="Coalition", organisation=None, created_by=coordinator)
    key.token = token
    return key


@pytest.fixture
def api(client, django_capture_on_commit_callbacks):
    """Call the API as a program would: the key in OSDI-API-Token, JSON in and out."""

    def call(method, path, key=None, body=None, *, content_type="application/json", raw=None):
        headers = {"HTTP_OSDI_API_TOKEN": key.token} if key is not None else {}
        if path.startswith("http"):
            path = path.split("://", 1)[1].partition("/")[2]
            path = "/" + path
        url = path if path.startswith("/") else f"/api/osdi/v1/{path}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": content_type} if data is not None else {}
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method.lower())(url, data, **kwargs, **headers)
        return response

    return call


@pytest.fixture
def supporter(organisation):
    """A person who gave the organisation a contact consent: its staff may see them."""

    def make(email="ana@example.org", org=organisation, **fields):
        person = person_upsert(data=PersonData(email=email, **fields)).person
        consent_give(
            person=person,
            purpose=Consent.Purpose.CONTACT,
            organisation=org,
            wording="Keep me informed",
            source="test",
        )
        return person

    return make


@pytest.fixture
def petition(organisation):
    return action_create(
        language="en",
        title="Lift the sanctions",
        slug="lift-the-sanctions",
        organisation=organisation,
        status=Action.Status.OPEN,
        goal=100,
    )


@pytest.fixture
def world(organisation, other_organisation, supporter):
    """One of every resource for each organisation, made through the services."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from convoca.actions.services import SignatureData, signature_create
    from convoca.donations.models import Fundraiser
    from convoca.donations.providers.base import Change, ProviderEvent
    from convoca.donations.services import (
        DonationData,
        donation_create_pending,
        fundraiser_save,
        webhook_event_apply,
    )
    from convoca.events.models import Event
    from convoca.events.services import RegistrationData, event_create, registration_create
    from convoca.mailings.models import MailingList
    from convoca.mailings.services import (
        mailing_create,
        mailing_list_create,
        subscription_add_confirmed,
    )
    from convoca.people.services import person_tag

    made = {}
    for org, tag in ((organisation, "snt"), (other_organisation, "csi")):
        person = supporter(f"{tag}-person@example.org", org=org, given_name=f"Given{tag}")
        action = action_create(
            language="en", title=f"Appeal {tag}", slug=f"appeal-{tag}", organisation=org,
            status=Action.Status.OPEN,
        )  # fmt: skip
        signature = signature_create(
            action=action,
            data=SignatureData(person=PersonData(email=f"{tag}-signer@example.org")),
        ).signature
        event = event_create(
                language="en", title=f"Webinar {tag}", slug=f"webinar-{tag}", organisation=org,
                status=Event.Status.PUBLISHED, starts_at=timezone.now() + timedelta(days=3),
                ends_at=timezone.now() + timedelta(days=3, hours=1),
            )  # fmt: skip
        registration = registration_create(
            event=event,
            data=RegistrationData(person=PersonData(email=f"{tag}-guest@example.org")),
        ).registration
        fundraiser = fundraiser_save(
            fundraiser=Fundraiser(
                slug=f"fund-{tag}", organisation=org, currency="EUR", goal=500_000,
                status=Fundraiser.Status.OPEN,
            ),
            texts={"en": {"title": "Delegation"}, "es": {"title": "Delegación"}},
        )  # fmt: skip
        provider = SimpleNamespace(name="stand-in")
        donation = donation_create_pending(
            fundraiser=fundraiser,
            data=DonationData(
                person=PersonData(email=f"{tag}-donor@example.org"), amount=2500, frequency="once"
            ),
            provider=provider,
        )
        webhook_event_apply(
            provider=provider,
            event=ProviderEvent(
                id=f"evt_{tag}",
                kind="payment",
                occurred_at=timezone.now(),
                change=Change(
                    type="payment_succeeded",
                    donation=str(donation.pk),
                    reference=f"pi_{tag}",
                    amount=2500,
                ),
            ),
        )
        news = mailing_list_create(
            organisation=org, slug=f"news-{tag}", name={"en": "News"}, description={},
            purpose=MailingList.Purpose.NEWS,
        )  # fmt: skip
        item = subscription_add_confirmed(mailing_list=news, person=person, source="test")
        mailing = mailing_create(
            organisation=org, subject={"en": f"Hello {tag}"}, body_markdown={"en": "Body"},
            lists=[news],
        )  # fmt: skip
        tag_row = person_tag(person=person, name=f"volunteer-{tag}", organisation=org)
        made[tag] = SimpleNamespace(
            org=org, person=person, action=action, signature=signature, event=event,
            registration=registration, fundraiser=fundraiser, donation=donation, list=news,
            item=item, tag=tag_row, tagging=tag_row.persontag_set.get(person=person),
            mailing=mailing,
        )  # fmt: skip
    return made
