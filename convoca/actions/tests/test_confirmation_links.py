"""A confirmation link that does not work says why, and a new one can be asked for."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from convoca.actions.models import Signature
from convoca.actions.services import signature_confirm_token_make

RESEND = "/en/confirm/new-link/"


def _path(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


@pytest.fixture
def a_while_later(monkeypatch):
    """Each call moves the clock of new links on by five minutes (a new one may go)."""
    from convoca.core import links

    real = links.time.time
    shift = 0

    def later():
        nonlocal shift
        shift += 300
        monkeypatch.setattr(links.time, "time", lambda: real() + shift)

    return later


def test_a_mangled_link_says_it_does_not_work_and_offers_a_new_one(
    client, appeal, sign, django_capture_on_commit_callbacks, a_while_later
):
    sign(appeal)
    [first] = mail.outbox
    link = _path(first)
    mangled = link[:-8] + "/"  # a mail program cut the end off

    for page in (client.get(mangled), client.post(mangled)):
        assert page.status_code == 400
        assert "This link does not work" in page.text
        assert "expired" not in page.text and "30 days" not in page.text
        assert f'action="{RESEND}"' in page.text
    assert Signature.objects.get().confirmed_at is None

    a_while_later()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(RESEND, {"email": "ANA@example.org"})
    assert answer.status_code == 200
    assert "Check your inbox" in answer.text
    [_first, fresh] = mail.outbox
    assert fresh.to == ["ana@example.org"]
    confirmed = client.post(_path(fresh))
    assert "confirmed and counted" in confirmed.text
    assert Signature.objects.get().confirmed_at is not None


def test_a_new_link_is_the_same_answer_for_any_address_and_emails_only_who_waits(
    client, appeal, sign, django_capture_on_commit_callbacks, a_while_later
):
    sign(appeal)
    client.post(_path(mail.outbox[0]))  # confirmed: nothing waits any more
    mail.outbox.clear()
    a_while_later()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(RESEND, {"email": "ana@example.org"})
        unknown = client.post(RESEND, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert mail.outbox == []


def test_new_links_to_one_address_are_limited(
    client, appeal, sign, django_capture_on_commit_callbacks, a_while_later
):
    sign(appeal)
    for _attempt in range(3):
        a_while_later()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(RESEND, {"email": "ana@example.org"}).status_code == 200
    assert client.post(RESEND, {"email": "ana@example.org"}).status_code == 429
    assert len(mail.outbox) == 4  # the first, then three asked for


def test_the_new_link_page_asks_for_the_address_in_spanish(client, db):
    page = client.get("/es/confirmar/nuevo-enlace/")
    assert page.status_code == 200
    assert "Pide un enlace nuevo" in page.text
    refused = client.post("/es/confirmar/nuevo-enlace/", {"email": "no"})
    assert refused.status_code == 400
    assert "Introduce una dirección de correo válida" in refused.text


def test_an_old_link_says_it_expired(client, appeal, sign, signed_days_ago):
    sign(appeal)
    with signed_days_ago(31):
        token = signature_confirm_token_make(signature=Signature.objects.get())
    page = client.get(reverse("actions:signature-confirm", kwargs={"token": token}))
    assert page.status_code == 410
    assert "This link has expired" in page.text
    assert "Confirmation links work for 30 days" in page.text
    assert f'action="{RESEND}"' in page.text
    with signed_days_ago(29):
        token = signature_confirm_token_make(signature=Signature.objects.get())
    assert (
        client.get(reverse("actions:signature-confirm", kwargs={"token": token})).status_code == 200
    )
