"""Organisers compose, target, count, test, send and watch a mailing in the admin."""

from django.urls import reverse

from convoca.actions.models import Action
from convoca.actions.services import (
    SignatureData,
    action_create,
    signature_confirm,
    signature_create,
)
from convoca.mailings.models import Mailing
from convoca.mailings.selectors import mailing_audience
from convoca.people.services import PersonData, person_tag


def _form(mailing_list, **overrides):
    data = {
        "subject_en": "Webinar on Tuesday",
        "body_markdown_en": "Hello {{ first_name }},\n\nJoin us on **Tuesday**.",
        "subject_es": "Seminario el martes",
        "body_markdown_es": "Hola {{ first_name }}:\n\nTe esperamos el **martes**.",
        "first_name_fallback_en": "friend",
        "first_name_fallback_es": "amistad",
        "organisation": str(mailing_list.organisation_id),
        "lists": [str(mailing_list.pk)],
        "rate_per_minute": "",
        "send_at": "",
    }
    data.update(overrides)
    return data


def test_organiser_composes_targets_sees_the_exact_count_and_sends(
    client, organiser, alerts, make_subscriber, smtp_sink, commit
):
    ana = make_subscriber(alerts, "ana@example.org", language="es", given_name="Ana", country="MX")
    make_subscriber(alerts, "bo@example.org", country="GB")
    make_subscriber(alerts, "cy@example.org", country="MX")
    person_tag(person=ana, name="speaker", organisation=alerts.organisation)
    client.force_login(organiser)

    response = client.post(reverse("admin:mailings_mailing_add"), _form(alerts, countries=["MX"]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    mailing = Mailing.objects.get()
    page = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))
    assert "This mailing reaches exactly 2 people." in page.text

    organiser.email = "organiser@example.org"
    organiser.save()
    send_url = reverse("admin:mailings_mailing_send", args=[mailing.pk])
    with commit():
        client.post(send_url, {"do": "test"})
    assert {m["message"]["Subject"] for m in smtp_sink.messages} == {
        "[TEST en] Webinar on Tuesday",
        "[TEST es] Seminario el martes",
    }
    [english] = [m["message"] for m in smtp_sink.messages if "[TEST en]" in m["message"]["Subject"]]
    html = english.get_body(("html",))
    assert html is not None and "Tuesday" in html.get_content()
    smtp_sink.messages.clear()

    with commit():
        response = client.post(send_url, {"do": "send"})
    assert response.status_code == 302
    assert sorted(m["to"][0] for m in smtp_sink.messages) == ["ana@example.org", "cy@example.org"]

    progress = client.get(reverse("admin:mailings_mailing_progress", args=[mailing.pk]))
    assert progress.status_code == 200
    assert '<td id="figure-sent">2</td>' in progress.text
    assert '<td id="figure-remaining">0</td>' in progress.text


def test_excluding_a_tag_narrows_the_count(client, organiser, alerts, make_subscriber):
    ana = make_subscriber(alerts, "ana@example.org")
    make_subscriber(alerts, "bo@example.org")
    tag = person_tag(person=ana, name="speaker", organisation=alerts.organisation)
    client.force_login(organiser)
    client.post(reverse("admin:mailings_mailing_add"), _form(alerts, exclude_tags=[str(tag.pk)]))
    mailing = Mailing.objects.get()
    page = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))
    assert "This mailing reaches exactly 1 person." in page.text


def test_an_organiser_cannot_see_another_organisations_mailing(
    client, make_staff, other_organisation, organiser, alerts, make_mailing
):
    from convoca.organisations.models import Membership

    mailing = make_mailing([alerts])
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    assert (
        client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk])).status_code == 404
    )
    assert (
        client.get(reverse("admin:mailings_mailing_progress", args=[mailing.pk])).status_code == 404
    )
    response = client.post(
        reverse("admin:mailings_mailing_send", args=[mailing.pk]), {"do": "send"}
    )
    assert response.status_code == 404
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_the_preview_shows_the_email_with_its_unsubscribe_link(
    client, organiser, alerts, make_mailing
):
    mailing = make_mailing([alerts])
    client.force_login(organiser)
    response = client.get(
        reverse("admin:mailings_mailing_preview", args=[mailing.pk]) + "?language=es"
    )
    assert "<strong>martes</strong>" in response.text
    assert "/lists/unsubscribe/" in response.text or "/listas/" in response.text


def test_a_sent_mailing_is_shown_as_it_was_sent_and_cannot_be_changed(
    client, organiser, alerts, make_subscriber, make_mailing, smtp_sink, commit
):
    from convoca.mailings.services import mailing_send_now

    make_subscriber(alerts, "ana@example.org")
    mailing = make_mailing([alerts])
    with commit():
        mailing_send_now(mailing=mailing)
    client.force_login(organiser)
    page = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))
    assert page.status_code == 200
    assert "Webinar on Tuesday" in page.text
    assert 'name="subject_en"' not in page.text


def test_the_signed_filter_counts_confirmed_signers_of_every_language_version_once(
    client, organiser, alerts, make_subscriber
):
    english = action_create(
        language="en",
        slug="lift",
        title="Lift the sanctions",
        organisation=alerts.organisation,
        status=Action.Status.OPEN,
    )
    spanish = action_create(
        language="es",
        slug="levanten",
        title="Levanten las sanciones",
        translation_of=english,
    )

    def sign(action, email, *, confirm=True):
        make_subscriber(alerts, email)
        data = SignatureData(person=PersonData(email=email, language=action.language))
        signature = signature_create(action=action, data=data).signature
        if confirm:
            signature_confirm(signature=signature)

    sign(english, "ana@example.org")
    sign(spanish, "ana@example.org")  # the same person: one signature of the action
    sign(spanish, "bo@example.org")
    sign(english, "cy@example.org", confirm=False)
    make_subscriber(alerts, "dee@example.org")
    client.force_login(organiser)
    key = str(english.translation_key)
    for audience, reached in (({"signed": [key]}, 2), ({"exclude_signed": [key]}, 2)):
        client.post(reverse("admin:mailings_mailing_add"), _form(alerts, **audience))
        mailing = Mailing.objects.latest("pk")
        page = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))
        assert f"This mailing reaches exactly {reached} people." in page.text
    signers = {"ana@example.org", "bo@example.org"}
    signed, not_signed = Mailing.objects.order_by("pk")
    assert {p.email for p in mailing_audience(mailing=signed)} == signers
    assert {p.email for p in mailing_audience(mailing=not_signed)} == {
        "cy@example.org",
        "dee@example.org",
    }


def test_the_add_form_previews_and_tests_what_is_typed_before_it_is_saved(
    client, organiser, alerts, other_organisation, smtp_sink, commit
):
    client.force_login(organiser)
    add_page = client.get(reverse("admin:mailings_mailing_add"))
    try_url = reverse("admin:mailings_mailing_try")
    assert f'formaction="{try_url}"' in add_page.text
    assert 'value="preview-es"' in add_page.text and 'value="test"' in add_page.text

    preview = client.post(try_url, {**_form(alerts), "try": "preview-es"})
    assert preview.status_code == 200
    assert "<strong>martes</strong>" in preview.text

    with commit():  # the test emails leave through the outbox
        tested = client.post(try_url, {**_form(alerts), "try": "test"})
    assert "went to organiser@example.org" in tested.text
    assert {m["message"]["Subject"] for m in smtp_sink.messages} == {
        "[TEST en] Webinar on Tuesday",
        "[TEST es] Seminario el martes",
    }
    assert {m["to"][0] for m in smtp_sink.messages} == {"organiser@example.org"}
    assert Mailing.objects.count() == 0

    # What the add form refuses, trying refuses too: here, another organisation's name.
    foreign = client.post(
        try_url, {**_form(alerts, organisation=str(other_organisation.pk)), "try": "test"}
    )
    assert foreign.status_code == 400
    assert "cannot be tried yet" in foreign.text
    assert len(smtp_sink.messages) == 2
    assert Mailing.objects.count() == 0


def test_a_public_list_added_in_the_admin_is_in_the_sitemap_at_once(
    client, organiser, organisation, alerts, django_capture_on_commit_callbacks
):
    assert "/alerts/" in client.get("/sitemap.xml").text  # now cached
    assert "solidarity-news" not in client.get("/sitemap.xml").text
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:mailings_mailinglist_add"),
            {
                "organisation": str(organisation.pk),
                "slug": "solidarity-news",
                "is_public": "on",
                "purpose": "general",
                "versions-TOTAL_FORMS": 2,
                "versions-INITIAL_FORMS": 0,
                "versions-0-language": "en",
                "versions-0-name": "Solidarity news",
                "versions-0-description": "",
                "versions-1-language": "es",
                "versions-1-name": "Noticias de solidaridad",
                "versions-1-description": "",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    assert "solidarity-news" in client.get("/sitemap.xml").text


def test_a_sent_mailing_posted_again_from_an_old_form_keeps_what_was_sent(
    client, organiser, alerts, make_subscriber, make_mailing, commit
):
    from convoca.mailings.services import mailing_send_now

    make_subscriber(alerts, "ana@example.org")
    mailing = make_mailing([alerts])
    client.force_login(organiser)
    page = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))
    assert 'name="subject_en"' in page.text  # a draft: the form is open in another tab
    with commit():
        mailing_send_now(mailing=mailing)

    client.post(
        reverse("admin:mailings_mailing_change", args=[mailing.pk]),
        _form(alerts, subject_en="Changed after sending"),
    )
    mailing.refresh_from_db()
    assert mailing.subject["en"] == "Webinar on Tuesday, {{ first_name }}"
    assert mailing.status != Mailing.Status.DRAFT
