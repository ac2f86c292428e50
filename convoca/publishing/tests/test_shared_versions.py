"""What every language version of a text shares is changed once, for all of them."""

import uuid
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from convoca.publishing.models import Article, Topic
from convoca.publishing.services import (
    article_create,
    article_delete,
    article_publish,
    article_save,
    article_unpublish,
    topic_save,
)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


@pytest.fixture
def english(make_article):
    return make_article(slug="end-the-sanctions", title="End the sanctions")


@pytest.fixture
def spanish(english):
    return article_create(
        translation_of=english,
        language="es",
        slug="fin-a-las-sanciones",
        title="Fin a las sanciones",
        body="Pedimos paz.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=30),
    )


def _form(article, **fields):
    """The admin form of a version as its page shows it, with ``fields`` changed."""
    data = {
        "kind": article.kind,
        "language": article.language,
        "translation_of": "",
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "organisation": article.organisation_id,
        "byline": article.byline,
        "dateline": article.dateline,
        "image_alt": article.image_alt,
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
    }
    if article.withdrawn:
        data["withdrawn"] = "on"
    if article.published_at:
        moment = timezone.localtime(article.published_at)
        data["published_at_0"] = moment.date().isoformat()
        data["published_at_1"] = moment.strftime("%H:%M:%S")
    return {**data, **fields}


def test_taking_the_english_version_off_the_site_takes_off_the_spanish_one(
    client, english, spanish, commit
):
    assert client.get(spanish.get_absolute_url()).status_code == 200
    commit(article_unpublish, article=english)
    assert client.get(english.get_absolute_url()).status_code == 404
    assert client.get(spanish.get_absolute_url()).status_code == 404
    assert "Fin a las sanciones" not in client.get("/es/").text
    assert not Article.objects.get(pk=spanish.pk).is_public


def test_publishing_one_version_again_puts_back_every_published_version(
    client, english, spanish, commit
):
    commit(article_unpublish, article=spanish)
    commit(article_publish, article=spanish)
    assert client.get(english.get_absolute_url()).status_code == 200
    assert client.get(spanish.get_absolute_url()).status_code == 200


def test_a_translation_is_published_on_its_own_when_it_is_ready(client, english, commit):
    draft = article_create(
        translation_of=english, language="es", slug="borrador", title="Borrador", body="x"
    )
    assert client.get(english.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert draft.get_absolute_url() not in client.get(english.get_absolute_url()).text
    commit(article_publish, article=draft)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_topics_and_kind_changed_on_one_version_are_every_versions(
    client, english, spanish, commit
):
    topic = topic_save(topic=Topic(slug="peace", name={"en": "Peace", "es": "Paz"}))
    commit(article_save, article=spanish, shared={"kind": Article.Kind.NEWS, "topics": [topic]})
    english = Article.objects.get(pk=english.pk)
    assert english.kind == Article.Kind.NEWS
    assert list(english.topics.all()) == [topic]
    with translation.override("es"):
        assert "Fin a las sanciones" in client.get(topic.get_absolute_url()).text
    assert "End the sanctions" in client.get(topic.get_absolute_url()).text


def test_taking_a_text_off_the_site_in_the_admin_does_it_in_every_language(
    client, organiser, english, spanish, commit
):
    client.force_login(organiser)
    response = commit(
        client.post,
        reverse("admin:publishing_article_changelist"),
        {"action": "return_to_draft", "_selected_action": [spanish.pk]},
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(english.get_absolute_url()).status_code == 404
    assert client.get(spanish.get_absolute_url()).status_code == 404


def test_the_kind_changed_in_the_form_of_one_version_is_every_versions(
    client, organiser, english, spanish, commit
):
    client.force_login(organiser)
    change = reverse("admin:publishing_article_change", args=[spanish.pk])
    assert client.get(change).status_code == 200
    response = commit(client.post, change, _form(spanish, kind=Article.Kind.OPEN_LETTER))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(pk=english.pk).kind == Article.Kind.OPEN_LETTER
    assert Article.objects.get(pk=spanish.pk).title == "Fin a las sanciones"
    client.logout()
    assert "Open letter" in client.get(english.get_absolute_url()).text


def test_fixing_a_typo_in_a_text_taken_off_the_site_does_not_put_it_back(
    client, organiser, english, spanish, commit
):
    commit(article_unpublish, article=english)
    spanish = Article.objects.get(pk=spanish.pk)
    client.force_login(organiser)
    change = reverse("admin:publishing_article_change", args=[spanish.pk])
    assert client.get(change).context["adminform"].form.initial["withdrawn"] is True
    response = commit(client.post, change, _form(spanish, title="Fin de las sanciones"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    assert client.get(english.get_absolute_url()).status_code == 404
    assert client.get(spanish.get_absolute_url()).status_code == 404


def test_a_version_added_in_the_admin_joins_the_text_and_keeps_its_shared_values(
    client, organiser, english, commit
):
    client.force_login(organiser)
    data = _form(
        english,
        language="es",
        translation_of=english.pk,
        kind=Article.Kind.ANALYSIS,  # ignored: the text's own kind stands
        title="Fin a las sanciones",
        slug="fin",
    )
    response = commit(client.post, reverse("admin:publishing_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    joined = Article.objects.get(language="es")
    assert joined.translation_key == english.translation_key
    assert joined.kind == Article.Kind.STATEMENT


def test_another_organisations_organiser_cannot_see_take_off_or_change_a_text(
    client, make_staff, other_organisation, english, spanish, commit
):
    from convoca.organisations.models import Membership

    outsider = make_staff("outsider", Membership.Role.ORGANISER, other_organisation)
    client.force_login(outsider)
    change = reverse("admin:publishing_article_change", args=[spanish.pk])
    assert client.get(change).status_code == 404
    assert client.post(change, _form(spanish, kind="news")).status_code == 404
    commit(
        client.post,
        reverse("admin:publishing_article_changelist"),
        {"action": "return_to_draft", "_selected_action": [english.pk, spanish.pk]},
    )
    assert Article.objects.get(pk=english.pk).is_public
    assert Article.objects.get(pk=spanish.pk).kind == Article.Kind.STATEMENT


def test_a_version_cannot_change_what_all_versions_share_behind_their_back(english):
    with pytest.raises(AttributeError):
        english.kind = Article.Kind.NEWS
    with pytest.raises(ValueError, match="not shared"):
        article_save(article=english, shared={"title": "Not shared"})


def test_deleting_the_last_version_deletes_the_text(english, spanish):
    key = english.translation_key
    article_delete(article=english)
    assert Article.objects.get(pk=spanish.pk).translation_key == key
    article_delete(article=spanish)
    assert not Article.objects.exists()
    assert not type(spanish.shared).objects.filter(pk=key).exists()


def test_a_new_text_can_be_given_its_translation_key(organisation):
    key = uuid.uuid4()
    article = article_create(
        translation_key=key, language="en", title="T", slug="t", body="x", organisation=organisation
    )
    assert article.translation_key == key


PORTUGUESE = [("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]


@override_settings(LANGUAGES=PORTUGUESE)
def test_a_third_language_is_a_setting_a_portuguese_version_is_served_and_taken_off_with_the_rest(
    client, english, commit
):
    portuguese = article_create(
        translation_of=english,
        language="pt",
        slug="fim-das-sancoes",
        title="Fim das sanções",
        body="Pedimos paz.",
        status=Article.Status.PUBLISHED,
    )
    with translation.override("pt"):
        url = reverse("publishing:article-detail", kwargs={"slug": portuguese.slug})
    assert url.startswith("/pt/")
    assert portuguese.get_absolute_url() == url
    page = client.get(url)
    assert page.status_code == 200
    assert "Fim das sanções" in page.text
    assert url in client.get(english.get_absolute_url()).text
    commit(article_unpublish, article=portuguese)
    assert client.get(url).status_code == 404
    assert client.get(english.get_absolute_url()).status_code == 404
