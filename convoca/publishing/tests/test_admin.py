"""What organisers do in the publishing admin."""

from datetime import date

from django.urls import reverse

from convoca.publishing.models import Topic, WeeklyIssue, WeeklyLink
from convoca.publishing.services import image_create, weekly_issue_create


def test_a_coordinator_names_a_topic_in_each_language(client, coordinator):
    client.force_login(coordinator)
    form = client.get(reverse("admin:publishing_topic_add")).text
    assert 'name="name_en"' in form and 'name="name_es"' in form
    response = client.post(
        reverse("admin:publishing_topic_add"),
        {
            "slug": "sanctions",
            "name_en": "Sanctions",
            "name_es": "Sanciones",
            "description_en": "",
            "description_es": "",
        },
    )
    assert response.status_code == 302
    assert Topic.objects.get().name == {"en": "Sanctions", "es": "Sanciones"}


def test_an_organiser_makes_up_an_issue_with_sections_in_both_languages(
    client, organiser, organisation
):
    client.force_login(organiser)
    add = reverse("admin:publishing_weeklyissue_add")
    page = client.get(add).text
    assert 'name="sections-0-title_es"' in page and 'name="intro_es"' in page
    response = client.post(
        add,
        {
            "organisation": organisation.pk,
            "number": 7,
            "date": "2026-12-04",
            "status": "draft",
            "publish_at_0": "",
            "publish_at_1": "",
            "intro_en": "This week.",
            "intro_es": "Esta semana.",
            "sections-TOTAL_FORMS": 1,
            "sections-INITIAL_FORMS": 0,
            "sections-0-position": 0,
            "sections-0-title_en": "Analysis",
            "sections-0-title_es": "Análisis",
            "links-TOTAL_FORMS": 0,
            "links-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.text
    issue = WeeklyIssue.objects.get(number=7)
    assert issue.intro == {"en": "This week.", "es": "Esta semana."}
    assert issue.date == date(2026, 12, 4)
    assert issue.sections.get().title == {"en": "Analysis", "es": "Análisis"}


def test_links_added_inside_an_issue_belong_to_its_organisation(client, organiser, organisation):
    issue = weekly_issue_create(organisation=organisation, sections=[{"en": "News"}])
    section = issue.sections.get()
    client.force_login(organiser)
    response = client.post(
        reverse("admin:publishing_weeklyissue_change", args=[issue.pk]),
        {
            "organisation": organisation.pk,
            "number": issue.number,
            "date": issue.date.isoformat(),
            "status": "draft",
            "publish_at_0": "",
            "publish_at_1": "",
            "intro_en": "",
            "intro_es": "",
            "sections-TOTAL_FORMS": 1,
            "sections-INITIAL_FORMS": 1,
            "sections-0-id": section.pk,
            "sections-0-issue": issue.pk,
            "sections-0-position": 0,
            "sections-0-title_en": "News",
            "sections-0-title_es": "Noticias",
            "links-TOTAL_FORMS": 1,
            "links-INITIAL_FORMS": 0,
            "links-0-section": section.pk,
            "links-0-position": 0,
            "links-0-url": "https://news.example/a",
            "links-0-title": "A story",
            "links-0-source": "",
            "links-0-kind": "article",
            "links-0-language": "en",
            "links-0-note": "",
            "links-0-topic": "",
        },
    )
    assert response.status_code == 302, response.text
    link = WeeklyLink.objects.get(title="A story")
    assert (link.organisation, link.issue, link.section) == (organisation, issue, section)


def test_an_organiser_can_feature_only_their_own_organisations_photos(
    client, organiser, organisation, other_organisation, gps_photo
):
    ours = image_create(organisation=organisation, upload=gps_photo, title="Our march")
    gps_photo.seek(0)
    theirs = image_create(organisation=other_organisation, upload=gps_photo, title="Their march")
    client.force_login(organiser)
    page = client.get(reverse("admin:publishing_article_add")).text
    assert f'value="{ours.pk}"' in page
    assert f'value="{theirs.pk}"' not in page


def test_a_file_that_is_not_a_photo_is_refused_in_the_admin_with_a_message(
    client, organiser, organisation
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from convoca.publishing.models import Image

    client.force_login(organiser)
    response = client.post(
        reverse("admin:publishing_image_add"),
        {
            "organisation": organisation.pk,
            "title": "Not a photo",
            "credit": "",
            "upload": SimpleUploadedFile("x.jpg", b"GIF89a not really"),
        },
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.text
    assert not Image.objects.exists()
