"""The Weekly by email: a published issue goes to the Weekly list through the mailings engine."""

import pytest

from convoca.mailings.models import MailingList
from convoca.mailings.services import mailing_list_create, subscription_add_confirmed
from convoca.people.services import PersonData, person_upsert
from convoca.publishing.emails import weekly_issue_email_markdown
from convoca.publishing.services import weekly_issue_publish
from convoca.publishing.tests.test_weekly import issue  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly_readers(db):
    weekly = mailing_list_create(
        organisation=None,
        slug="weekly",
        name={"en": "The Weekly", "es": "El Semanal"},
        description={},
        purpose=MailingList.Purpose.WEEKLY,
    )
    for email, language in [("ana@example.org", "es"), ("bob@example.org", "en")]:
        person = person_upsert(data=PersonData(email=email, language=language), confirmed=True)
        subscription_add_confirmed(mailing_list=weekly, person=person.person, source="test")
    return weekly


def test_a_published_issue_reaches_each_weekly_reader_once_in_their_language(
    issue,  # noqa: F811
    weekly_readers,
    smtp_sink,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        weekly_issue_publish(issue=issue)
    with django_capture_on_commit_callbacks(execute=True):
        weekly_issue_publish(issue=issue)  # a retried task sends nothing more

    received = {m["to"][0]: m["message"] for m in smtp_sink.messages}
    assert len(smtp_sink.messages) == 2
    assert received["ana@example.org"]["Subject"] == weekly_issue_email_markdown(issue, "es")[0]
    assert received["bob@example.org"]["Subject"] == weekly_issue_email_markdown(issue, "en")[0]
    text = received["ana@example.org"].get_body(preferencelist=("plain",)).get_content()
    assert "https://periodico.example/bloqueo" in text
    assert received["bob@example.org"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_without_a_weekly_list_the_issue_is_still_published_on_the_web(
    client,
    issue,  # noqa: F811
    smtp_sink,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        weekly_issue_publish(issue=issue)
    assert client.get("/en/weekly/12/").status_code == 200
    assert smtp_sink.messages == []
