import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from convoca.people.models import Person


def _link_path(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def _url(name, language="en"):
    with translation.override(language):
        return reverse(name)


def test_asking_for_my_data_emails_a_link_in_my_language(
    client, make_person, smtp_sink, django_capture_on_commit_callbacks
):
    make_person(email="ana@example.org", given_name="Ana", language="es")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("people:data-request", "es"), {"email": "ANA@example.org"})

    assert response.status_code == 200
    assert "Revisa tu correo" in response.text
    [mail] = smtp_sink.messages
    assert mail["to"] == ["ana@example.org"]
    assert mail["message"]["Subject"].startswith("Tus datos")
    assert "Hola Ana" in mail["message"].get_body().get_content()
    assert _link_path(mail["message"]).startswith("/es/")


def test_unknown_address_sees_the_same_page_and_nothing_is_sent(client, db, smtp_sink):
    response = client.post(_url("people:data-request"), {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Check your email" in response.text
    assert smtp_sink.messages == []


def test_invalid_email_gets_a_clear_error_in_spanish_and_keeps_the_value(client, db):
    response = client.post(_url("people:data-request", "es"), {"email": "ana@"})
    assert response.status_code == 400
    assert "Introduce una dirección de correo válida" in response.text
    assert 'value="ana@"' in response.text


def test_honeypot_filled_by_a_bot_sends_nothing(client, make_person, smtp_sink):
    make_person(email="ana@example.org")
    response = client.post(
        _url("people:data-request"), {"email": "ana@example.org", "website": "http://spam"}
    )
    assert response.status_code == 400
    assert smtp_sink.messages == []


def test_too_many_requests_for_one_address_are_refused(
    client, make_person, smtp_sink, django_capture_on_commit_callbacks
):
    make_person(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(_url("people:data-request"), {"email": "ana@example.org"}).status_code
            for _ in range(4)
        ]
    assert statuses == [200, 200, 200, 429]
    assert len(smtp_sink.messages) == 3


def test_the_link_shows_my_data_lets_me_download_and_erase_it(
    client, make_person, smtp_sink, django_capture_on_commit_callbacks
):
    make_person(email="ana@example.org", given_name="Ana", family_name="López", city="Tucson")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("people:data-request"), {"email": "ana@example.org"})
    link = _link_path(smtp_sink.messages[0]["message"])

    # Following the link (as a mail scanner would) changes nothing.
    landing = client.get(link)
    assert landing.status_code == 200
    assert client.get(_url("people:person-data")).status_code == 302

    response = client.post(link, follow=True)
    assert "ana@example.org" in response.text
    assert "Ana López" in response.text

    download = client.get(_url("people:person-download"))
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert json.loads(download.content)["person"]["city"] == "Tucson"

    refused = client.post(_url("people:person-erase"), {})
    assert refused.status_code == 400
    assert "Tick the box" in refused.text
    assert Person.objects.get().email == "ana@example.org"

    erased = client.post(_url("people:person-erase"), {"confirm": "on"})
    assert "Your data is erased" in erased.text
    person = Person.objects.get()
    assert person.erased_at is not None and person.email == ""
    assert client.get(_url("people:person-data")).status_code == 302


@pytest.mark.parametrize("token", ["garbage", "eyJwIjoiMSJ9:1abc:forged"])
def test_a_forged_or_broken_link_says_it_does_not_work_not_that_it_expired(client, db, token):
    response = client.get(reverse("people:data-access", kwargs={"token": token}))
    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert "expired" not in response.text and "one hour" not in response.text
    assert reverse("people:data-request") in response.text


def test_an_old_link_says_it_expired(client, make_person, signed_days_ago):
    from convoca.people.services import data_access_token_make

    with signed_days_ago(1):
        token = data_access_token_make(person=make_person("ana@example.org"))
    response = client.get(reverse("people:data-access", kwargs={"token": token}))
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert "Links to your data work for one hour" in response.text
