"""The signed links in mailings: made with django.core.signing, old links still honoured."""

import base64
import hashlib
import hmac

from django.urls import reverse

from convoca.mailings.models import Subscription
from convoca.mailings.tokens import preferences_token_make, unsubscribe_token_make


def _link_sent_before_signing(kind: str, value: str, secret: str) -> str:
    """A token as mailings made them by hand before ``tokens.py`` (``value:mac``).

    Kept here as the emails already in people's inboxes carry them.
    """
    key = hashlib.sha256(f"convoca.mailings.{kind}:{secret}".encode()).digest()
    mac = hmac.new(key, value.encode(), hashlib.sha256).digest()[:18]
    return f"{value}:{base64.urlsafe_b64encode(mac).decode()}"


def test_an_unsubscribe_link_in_a_mailing_sent_before_still_unsubscribes(
    client, settings, alerts, weekly, make_subscriber, make_mailing
):
    person = make_subscriber(alerts, "ana@example.org")
    mailing = make_mailing([alerts])
    token = _link_sent_before_signing(
        "unsubscribe", f"{person.pk.hex}.{mailing.pk}", settings.SECRET_KEY
    )
    response = client.post(
        reverse("mailings:unsubscribe", kwargs={"token": token}), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert Subscription.objects.get(person=person, mailing_list=alerts).status == "unsubscribed"


def test_a_preferences_link_in_a_mailing_sent_before_still_opens_the_preference_centre(
    client, settings, alerts, make_subscriber
):
    person = make_subscriber(alerts, "ana@example.org")
    token = _link_sent_before_signing("preferences", person.pk.hex, settings.SECRET_KEY)
    page = client.get(reverse("mailings:preferences", kwargs={"token": token}))
    assert page.status_code == 200
    assert "Alerts" in page.text


def test_an_old_style_link_with_a_wrong_mac_changes_nothing(client, alerts, make_subscriber):
    person = make_subscriber(alerts, "ana@example.org")
    token = _link_sent_before_signing("unsubscribe", f"{person.pk.hex}.0", "another-secret")
    response = client.post(reverse("mailings:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 400
    assert Subscription.objects.get(person=person).status == "subscribed"


def test_a_link_outlives_a_key_rotation_while_the_old_key_is_a_fallback(
    client, settings, alerts, make_subscriber
):
    person = make_subscriber(alerts, "ana@example.org")
    token = unsubscribe_token_make(person_id=person.pk, mailing_id=None)
    url = reverse("mailings:unsubscribe", kwargs={"token": token})
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(url).status_code == 400
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.get(url).status_code == 200


def test_one_kind_of_link_cannot_stand_for_another(client, alerts, make_subscriber):
    person = make_subscriber(alerts, "ana@example.org")
    preferences = preferences_token_make(person_id=person.pk)
    response = client.post(reverse("mailings:unsubscribe", kwargs={"token": preferences}))
    assert response.status_code == 400
    assert Subscription.objects.get(person=person).status == "subscribed"
