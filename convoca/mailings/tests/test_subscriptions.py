"""Subscribing with double opt-in, the preference centre and one-click unsubscribe."""

import base64
import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from convoca.mailings.models import Delivery, Subscription, Suppression
from convoca.mailings.services import (
    person_unsubscribe_all,
    subscription_add_confirmed,
)
from convoca.mailings.tokens import preferences_token_make, unsubscribe_token_make
from convoca.people.models import Consent
from convoca.people.selectors import person_get_by_email


@pytest.fixture
def subscribe(client, commit):
    def post(mailing_list, language="en", **fields):
        with translation.override(language), commit():
            url = reverse("mailings:mailinglist-subscribe", kwargs={"slug": mailing_list.slug})
            return client.post(url, {"email": "ana@example.org", "given_name": "Ana", **fields})

    return post


def _link(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_subscribe_page_shows_the_list_in_the_visitors_language(client, alerts):
    with translation.override("es"):
        url = reverse("mailings:mailinglist-subscribe", kwargs={"slug": alerts.slug})
    response = client.get(url)
    assert response.status_code == 200
    assert "Alertas: seminarios y movilizaciones" in response.text
    assert "Un correo cuando pasa algo." in response.text


def test_subscribing_sends_one_confirmation_and_mails_nothing_until_confirmed(
    client, alerts, subscribe
):
    response = subscribe(alerts, language="es")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == "Confirma tu suscripción"
    assert "Alertas: seminarios y movilizaciones" in message.body
    person = person_get_by_email("ana@example.org")
    assert Subscription.objects.get(person=person).status == Subscription.Status.PENDING

    path = _link(message)
    page = client.get(path)
    assert "Confirmar mi suscripción" in page.text
    assert Subscription.objects.get(person=person).status == Subscription.Status.PENDING

    client.post(path)
    subscription = Subscription.objects.get(person=person)
    assert subscription.status == Subscription.Status.SUBSCRIBED
    assert Consent.objects.filter(person=person, purpose="subscription").count() == 1


def test_a_second_request_the_same_day_sends_no_second_email_and_looks_the_same(
    client, alerts, weekly, subscribe
):
    first = subscribe(alerts)
    second = subscribe(weekly)
    assert first.status_code == second.status_code == 302
    assert len(mail.outbox) == 1
    # The one link confirms both requests.
    client.post(_link(mail.outbox[0]))
    person = person_get_by_email("ana@example.org")
    assert set(
        Subscription.objects.filter(person=person, status="subscribed").values_list(
            "mailing_list__slug", flat=True
        )
    ) == {"alerts", "weekly"}


def test_the_answer_is_the_same_for_a_subscribed_address(
    client, alerts, subscribe, make_subscriber
):
    make_subscriber(alerts, "ana@example.org")
    response = subscribe(alerts)
    assert response.status_code == 302
    assert mail.outbox == []


def test_an_unsubscribed_person_stays_unsubscribed_until_they_confirm_again(
    client, alerts, subscribe, make_subscriber
):
    person = make_subscriber(alerts, "ana@example.org")
    person_unsubscribe_all(person=person)
    assert Suppression.objects.filter(email_index=person.email_index).exists()

    assert subscription_add_confirmed(mailing_list=alerts, person=person, source="signed") is None
    subscribe(alerts)
    subscription = Subscription.objects.get(person=person)
    assert subscription.status == Subscription.Status.UNSUBSCRIBED

    client.post(_link(mail.outbox[0]))
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.SUBSCRIBED
    assert not Suppression.objects.filter(email_index=person.email_index).exists()


def test_subscription_add_confirmed_never_subscribes_a_suppressed_address(
    alerts, make_subscriber, weekly
):
    person = make_subscriber(weekly, "ana@example.org")
    Suppression.objects.create(email_index=person.email_index, reason="complained")
    assert subscription_add_confirmed(mailing_list=alerts, person=person, source="x") is None
    assert not Subscription.objects.filter(person=person, mailing_list=alerts).exists()


def test_a_honeypot_filled_form_is_refused_with_a_message(client, alerts, subscribe):
    response = subscribe(alerts, website="http://spam.example")
    assert response.status_code == 400
    assert "This field must stay empty" in response.text
    assert mail.outbox == []


def test_one_click_post_unsubscribes_at_once_without_redirect_and_get_changes_nothing(
    client, alerts, weekly, make_subscriber, make_mailing
):
    person = make_subscriber(alerts, "ana@example.org")
    subscription_add_confirmed(mailing_list=weekly, person=person, source="x")
    mailing = make_mailing([alerts])
    token = unsubscribe_token_make(person_id=person.pk, mailing_id=mailing.pk)
    url = reverse("mailings:unsubscribe", kwargs={"token": token})

    page = client.get(url)
    assert page.status_code == 200
    assert "<button" in page.text
    assert Subscription.objects.get(person=person, mailing_list=alerts).status == "subscribed"

    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert Subscription.objects.get(person=person, mailing_list=alerts).status == "unsubscribed"
    # Only the lists that mailing went to.
    assert Subscription.objects.get(person=person, mailing_list=weekly).status == "subscribed"


def test_a_forged_unsubscribe_link_changes_nothing(client, alerts, make_subscriber):
    person = make_subscriber(alerts, "ana@example.org")
    token = unsubscribe_token_make(person_id=person.pk, mailing_id=None)[:-3] + "xyz"
    response = client.post(reverse("mailings:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 400
    assert Subscription.objects.get(person=person).status == "subscribed"


def test_preference_centre_changes_lists_and_language_and_can_stop_everything(
    client, alerts, weekly, make_subscriber
):
    person = make_subscriber(alerts, "ana@example.org")
    url = reverse(
        "mailings:preferences", kwargs={"token": preferences_token_make(person_id=person.pk)}
    )
    page = client.get(url)
    assert "The Weekly" in page.text and "checked" in page.text

    client.post(url, {"lists": [str(weekly.pk)], "language": "es"})
    states = dict(
        Subscription.objects.filter(person=person).values_list("mailing_list__slug", "status")
    )
    assert states == {"alerts": "unsubscribed", "weekly": "subscribed"}
    person.refresh_from_db()
    assert person.language == "es"

    response = client.post(url, {"unsubscribe_all": "1"})
    assert response.status_code == 200
    assert Subscription.objects.get(person=person, mailing_list=weekly).status == "unsubscribed"
    assert Suppression.objects.get(email_index=person.email_index).reason == "unsubscribed"


def test_the_embed_form_may_be_framed_by_partner_sites(client, alerts):
    response = client.get(reverse("mailings:mailinglist-embed", kwargs={"slug": alerts.slug}))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" not in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


# --- Provider webhooks ---------------------------------------------------------------------


def _postmark_bounce(
    email,
    message_id="pm-1",
    metadata=None,
    description="The server was unable to deliver your message",
):
    return json.dumps(
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "TypeCode": 1,
            "Email": email,
            "MessageID": message_id,
            "BouncedAt": "2026-12-01T10:00:00Z",
            "Description": description,
            "Metadata": metadata or {},
        }
    )


def _auth(secret):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def test_a_bounce_reported_by_the_provider_suppresses_the_address(
    client, settings, alerts, make_subscriber, make_mailing
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    person = make_subscriber(alerts, "ana@example.org")
    mailing = make_mailing([alerts])
    delivery = Delivery.objects.create(mailing=mailing, person=person, language="en")
    response = client.post(
        "/anymail/postmark/tracking/",
        _postmark_bounce("ana@example.org", metadata={"convoca_delivery": str(delivery.pk)}),
        content_type="application/json",
        secure=True,
        **_auth("hook:s3cret"),
    )
    assert response.status_code == 200
    assert Suppression.objects.get(email_index=person.email_index).reason == "bounced"
    delivery.refresh_from_db()
    assert delivery.bounced_at is not None


def test_a_bounce_keeps_the_servers_diagnostic_without_the_address(
    client, settings, alerts, make_subscriber
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    person = make_subscriber(alerts, "ana.lopez@example.org")
    client.post(
        "/anymail/postmark/tracking/",
        _postmark_bounce(
            "ana.lopez@example.org",
            description="550 5.1.1 <ana.lopez@example.org>: Recipient address rejected",
        ),
        content_type="application/json",
        secure=True,
        **_auth("hook:s3cret"),
    )
    suppression = Suppression.objects.get(email_index=person.email_index)
    assert suppression.detail == "550 5.1.1 <<address>>: Recipient address rejected"


def test_webhooks_refuse_a_wrong_secret_and_are_closed_without_one(client, settings, db):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    body = _postmark_bounce("ana@example.org")
    wrong = client.post(
        "/anymail/postmark/tracking/",
        body,
        content_type="application/json",
        secure=True,
        **_auth("hook:wrong"),
    )
    assert wrong.status_code == 400
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    closed = client.post(
        "/anymail/postmark/tracking/", body, content_type="application/json", secure=True
    )
    assert closed.status_code == 403
    assert not Suppression.objects.exists()


def test_a_mangled_confirmation_link_says_it_does_not_work_and_a_new_one_can_be_asked_for(
    client, alerts, subscribe, commit, signed_days_ago
):

    from convoca.mailings.tokens import subscription_confirm_token_make

    subscribe(alerts)
    [first] = mail.outbox
    mangled = _link(first)[:-8] + "/"
    page = client.get(mangled)
    assert page.status_code == 400
    assert "This link does not work" in page.text
    assert "expired" not in page.text
    assert 'action="/en/lists/confirm/new-link/"' in page.text

    with commit():
        answer = client.post("/en/lists/confirm/new-link/", {"email": "ana@example.org"})
    assert "Check your inbox" in answer.text
    [_first, fresh] = mail.outbox
    client.post(_link(fresh))
    person = person_get_by_email("ana@example.org")
    assert Subscription.objects.get(person=person).status == Subscription.Status.SUBSCRIBED

    with signed_days_ago(15):
        token = subscription_confirm_token_make(person=person)
    page = client.get(reverse("mailings:subscription-confirm", kwargs={"token": token}))
    assert page.status_code == 410
    assert "Confirmation links work for 14 days" in page.text
