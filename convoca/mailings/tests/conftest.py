import pytest

from convoca.mailings.services import (
    mailing_create,
    mailing_list_create,
    subscription_add_confirmed,
)
from convoca.people.services import PersonData, person_upsert


@pytest.fixture
def alerts(db, organisation):
    return mailing_list_create(
        organisation=organisation,
        slug="alerts",
        name={
            "en": "Alerts: webinars and mobilisations",
            "es": "Alertas: seminarios y movilizaciones",
        },
        description={
            "en": "One email when something happens.",
            "es": "Un correo cuando pasa algo.",
        },
    )


@pytest.fixture
def weekly(db):
    return mailing_list_create(
        organisation=None,
        slug="weekly",
        name={"en": "The Weekly", "es": "El Semanario"},
        description={"en": "Links every Friday.", "es": "Enlaces cada viernes."},
    )


@pytest.fixture
def make_subscriber(db):
    """A person who confirmed their address elsewhere, subscribed to a list."""

    def make(mailing_list, email, *, language="en", given_name="", country=""):
        person = person_upsert(
            data=PersonData(email=email, given_name=given_name, language=language, country=country),
            confirmed=True,
        ).person
        subscription_add_confirmed(mailing_list=mailing_list, person=person, source="test")
        return person

    return make


@pytest.fixture
def make_mailing(db, organisation):
    def make(lists, **kwargs):
        fields = {
            "subject": {"en": "Webinar on Tuesday, {{ first_name }}", "es": "Seminario el martes"},
            "body_markdown": {
                "en": "Hello {{ first_name }},\n\nJoin us on **Tuesday**.",
                "es": "Hola {{ first_name }}:\n\nTe esperamos el **martes**.",
            },
            **kwargs,
        }
        return mailing_create(organisation=organisation, lists=lists, **fields)

    return make


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs what the block left for after its commit (tasks)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
