"""The demo's publishing content, as a reader of a fresh ``convoca demo`` sees it."""

import pytest

from convoca.core.demo import demo_load
from convoca.publishing.models import Article, PressCoverage, WeeklyIssue


@pytest.fixture
def demo(db):
    demo_load()


def test_the_demo_has_a_dozen_texts_several_in_both_languages(demo):
    public = Article.objects.published()
    groups = {a.translation_key for a in public}
    assert len(groups) >= 12
    bilingual = [k for k in groups if public.filter(shared_id=k).count() == 2]
    assert len(bilingual) >= 6
    kinds = set(public.values_list("shared__kind", flat=True))
    assert {"statement", "news", "analysis", "open_letter", "announcement"} <= kinds


def test_the_demo_statement_switches_language_and_shows_its_photo(client, demo):
    english = client.get("/en/articles/end-the-sanctions/").text
    assert "Leer en español" in english
    assert 'srcset="/media/publishing/images/' in english
    assert "Marchers in red and white" in english
    assert "Read in English" in client.get("/es/articulos/fin-a-las-sanciones/").text


def test_the_demo_has_three_published_weekly_issues_and_one_scheduled(client, demo):
    assert list(WeeklyIssue.objects.published().values_list("number", flat=True)) == [3, 2, 1]
    assert WeeklyIssue.objects.get(number=4).status == WeeklyIssue.Status.SCHEDULED
    page = client.get("/en/weekly/1/").text
    assert "Why humanitarian exemptions fail at the bank counter" in page
    assert "Videos" in page
    assert client.get("/en/weekly/4/").status_code == 404


def test_the_demo_press_log_is_on_in_the_media(client, demo):
    assert PressCoverage.objects.count() >= 8
    page = client.get("/es/en-los-medios/").text
    assert "Diario Nacional" in page and "México" in page


def test_the_demo_home_page_shows_statements_actions_the_weekly_and_counters(client, demo):
    home = client.get("/en/").text
    assert "A week of action in 42 cities" in home
    assert 'href="/en/weekly/3/"' in home
    assert "Take action" in home
    assert "Spring week of action" not in home  # scheduled for later
