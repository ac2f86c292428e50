import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from convoca.publishing.emails import weekly_issue_email_markdown
from convoca.publishing.models import WeeklyIssue, WeeklyLink
from convoca.publishing.services import (
    weekly_issue_create,
    weekly_issue_publish,
    weekly_issue_publish_due,
    weekly_issue_schedule,
    weekly_link_create,
    weekly_next_publish_at,
)
from convoca.publishing.tasks import weekly_issue_publish_due_task

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def issue(organisation):
    issue = weekly_issue_create(
        organisation=organisation,
        number=12,
        issue_date=date(2026, 11, 27),
        intro={"en": "A week of **action** in 40 cities.", "es": "Una semana de **acción**."},
        sections=[{"en": "Analysis", "es": "Análisis"}, {"en": "Videos", "es": "Vídeos"}],
    )
    analysis, videos = issue.sections.all()
    weekly_link_create(
        organisation=organisation,
        url="https://news.example/sanctions-report",
        title="The human cost of sanctions [report]",
        source="The Daily Example",
        kind=WeeklyLink.Kind.REPORT,
        language="en",
        note="Hospitals without spare parts.",
        section=analysis,
    )
    weekly_link_create(
        organisation=organisation,
        url="https://periodico.example/bloqueo",
        title="El bloqueo, día a día",
        source="Periódico Ejemplo",
        language="es",
        section=analysis,
    )
    weekly_link_create(
        organisation=organisation,
        url="https://video.example/watch?v=abc",
        title="Rally in Tucson",
        kind=WeeklyLink.Kind.VIDEO,
        section=videos,
    )
    # Collected this week but not (yet) in an issue: never shown.
    weekly_link_create(organisation=organisation, url="https://x.example/", title="Not chosen")
    return issue


def test_an_issue_is_not_public_before_it_is_published(client, issue):
    assert client.get("/en/weekly/12/").status_code == 404
    assert "The Weekly #12" not in client.get("/en/weekly/").text


def test_a_reader_reads_a_published_issue_on_the_web_in_their_language(client, issue):
    weekly_issue_publish(issue=issue)

    english = client.get("/en/weekly/12/").text
    assert "<h1>The Weekly #12</h1>" in english
    assert "<strong>action</strong>" in english
    assert english.index("Analysis") < english.index("The human cost") < english.index("Videos")
    assert 'href="https://periodico.example/bloqueo"' in english
    assert "Spanish" in english  # the Spanish link says it is in Spanish
    assert "Not chosen" not in english

    spanish = client.get("/es/semanal/12/").text
    assert "Análisis" in spanish and "Vídeos" in spanish
    assert "Una semana de <strong>acción</strong>" in spanish
    assert "El bloqueo, día a día" in spanish

    archive = client.get("/en/weekly/").text
    assert 'href="/en/weekly/12/"' in archive


def test_the_email_of_an_issue_lists_its_links_in_sections_in_the_readers_language(issue):
    subject, body = weekly_issue_email_markdown(issue, "en")
    assert subject == "The Weekly #12 – Nov. 27, 2026"  # noqa: RUF001
    assert "A week of **action** in 40 cities." in body
    assert (
        "- [The human cost of sanctions \\[report\\]](https://news.example/sanctions-report)"
        " — The Daily Example, report\n  Hospitals without spare parts." in body
    )
    assert (
        "[El bloqueo, día a día](https://periodico.example/bloqueo) — Periódico Ejemplo, in Spanish"
        in body
    )
    assert body.index("## Analysis") < body.index("## Videos")
    assert "Not chosen" not in body
    assert body.rstrip().endswith("http://127.0.0.1:8000/en/weekly/12/")

    asunto, cuerpo = weekly_issue_email_markdown(issue, "es")
    assert asunto == "El Semanal n.º 12 – 27 de noviembre de 2026"  # noqa: RUF001
    assert "## Análisis" in cuerpo
    assert "— The Daily Example, informe, en inglés" in cuerpo
    assert cuerpo.rstrip().endswith("http://127.0.0.1:8000/es/semanal/12/")


def test_a_new_issue_is_numbered_after_the_last_and_set_for_friday(organisation, issue):
    following = weekly_issue_create(organisation=organisation)
    assert following.number == 13
    assert weekly_issue_schedule(issue=following).publish_at.weekday() == 4


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (
            datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
            datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        ),  # Wednesday
        (
            datetime(2026, 11, 27, 8, 59, tzinfo=UTC),
            datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        ),  # Friday, before nine
        (
            datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
            datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        ),  # Friday, at nine
        (
            datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
            datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        ),  # Saturday
    ],
)
def test_the_weekly_is_published_on_friday_morning_by_default(now, expected):
    assert weekly_next_publish_at(after=now) == expected


def test_the_publication_day_is_a_setting(settings):
    settings.CONVOCA_WEEKLY_WEEKDAY = 0
    settings.CONVOCA_WEEKLY_HOUR = 7
    after = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert weekly_next_publish_at(after=after) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def test_a_scheduled_issue_is_published_by_the_scheduler_when_its_time_comes(client, issue):
    weekly_issue_schedule(issue=issue, publish_at=timezone.now() + timedelta(hours=1))
    assert weekly_issue_publish_due_task.call() == 0
    assert client.get("/en/weekly/12/").status_code == 404

    assert weekly_issue_publish_due(now=timezone.now() + timedelta(hours=2)) == 1
    issue.refresh_from_db()
    assert issue.status == WeeklyIssue.Status.PUBLISHED
    assert issue.mailing_handed_over_at is not None
    assert client.get("/en/weekly/12/").status_code == 200


def test_publishing_twice_hands_the_issue_to_the_mailings_engine_once(issue):
    first = weekly_issue_publish(issue=issue)
    handed_over = first.mailing_handed_over_at
    second = weekly_issue_publish(issue=issue)
    assert second.mailing_handed_over_at == handed_over
    assert second.published_at == first.published_at


def test_the_weekly_feed_is_atom_with_one_entry_per_issue(client, issue):
    weekly_issue_publish(issue=issue)
    response = client.get("/en/weekly/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "The Weekly #12 – Nov. 27, 2026"  # noqa: RUF001
    ]
    assert entries[0].find(f"{ATOM}link").get("href") == "http://testserver/en/weekly/12/"
    assert "The human cost of sanctions [report]" in entries[0].find(f"{ATOM}summary").text


def test_the_home_page_shows_the_latest_issue(client, issue):
    weekly_issue_publish(issue=issue)
    home = client.get("/en/").text
    assert 'href="/en/weekly/12/"' in home
    assert "The human cost of sanctions" in home


def test_an_organiser_adds_a_link_and_assigns_it_in_the_admin(
    client, organiser, organisation, issue
):
    client.force_login(organiser)
    analysis = issue.sections.first()
    response = client.post(
        reverse("admin:publishing_weeklylink_add"),
        {
            "organisation": organisation.pk,
            "url": "https://news.example/ok",
            "title": "Typed by hand",
            "source": "",
            "kind": "article",
            "language": "en",
            "note": "",
            "topic": "",
            "issue": "",
            "section": analysis.pk,
            "position": 5,
        },
    )
    assert response.status_code == 302
    link = WeeklyLink.objects.get(title="Typed by hand")
    assert link.issue == issue


def test_a_link_whose_title_cannot_be_fetched_asks_for_one(client, organiser, organisation):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:publishing_weeklylink_add"),
        {
            "organisation": organisation.pk,
            "url": "http://127.0.0.1:5432/",
            "title": "",
            "kind": "article",
            "language": "en",
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert "could not be fetched" in response.text
    assert not WeeklyLink.objects.filter(url="http://127.0.0.1:5432/").exists()


def test_publishing_in_the_admin_puts_the_issue_on_the_web(client, coordinator, issue):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:publishing_weeklyissue_changelist"),
        {"action": "publish_now", "_selected_action": [issue.pk]},
    )
    assert response.status_code == 302
    assert client.get("/en/weekly/12/").status_code == 200


def test_the_email_body_renders_to_working_links(issue):
    from convoca.core.markdown import markdown_render

    _subject, body = weekly_issue_email_markdown(issue, "en")
    html = markdown_render(body)
    assert (
        '<a href="https://news.example/sanctions-report" rel="noopener noreferrer nofollow">'
        in html
    )
    assert "The human cost of sanctions [report]</a>" in html
    assert "<h2>Analysis</h2>" in html
