"""Webhooks: signed, retried until the receiver is back, sent once, never to private addresses."""

import hashlib
import hmac
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from convoca.actions.services import SignatureData, signature_confirm, signature_create
from convoca.api.models import WebhookDelivery, WebhookEndpoint
from convoca.api.services import (
    WebhookUrlRefused,
    webhook_deliver,
    webhook_endpoint_create,
    webhook_events_collect,
)
from convoca.mailings.services import subscription_unsubscribe
from convoca.people.services import PersonData
from convoca.publishing import fetch


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/api.md gives it."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, received = parts["t"], parts["v1"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, received) and abs(time.time() - int(timestamp)) < tolerance


class Receiver:
    """An HTTP server on loopback that can be down, then come back on the same port."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received = []
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks/convoca"

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver(monkeypatch):
    # Loopback stands for the partner's public server here, as in publishing's fetch tests.
    real = fetch.address_is_public
    monkeypatch.setattr(fetch, "address_is_public", lambda a: a == "127.0.0.1" or real(a))
    r = Receiver()
    yield r
    r.stop()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.org/hook",
        "http://user:pass@example.org/hook",
    ],
)
def test_a_webhook_to_a_private_loopback_or_link_local_address_is_refused(organisation, url):
    with pytest.raises(WebhookUrlRefused):
        webhook_endpoint_create(organisation=organisation, url=url, events=["signature"])
    assert not WebhookEndpoint.objects.exists()


def _confirmed_signature(action, email="signer@example.org"):
    signature = signature_create(
        action=action,
        data=SignatureData(person=PersonData(email=email, given_name="Ana")),
    ).signature
    signature_confirm(signature=signature)
    return signature


def test_a_webhook_arrives_signed_once_after_the_receiver_comes_back(
    receiver, organisation, petition
):
    endpoint = webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=["signature"]
    )
    signature = _confirmed_signature(petition)
    assert webhook_events_collect() == 1

    # The receiver is down: the delivery waits for a retry, with backoff.
    result = webhook_deliver()
    assert (result.delivered, result.retrying) == (0, 1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=10)
    assert webhook_deliver().delivered == 0  # not due yet

    receiver.start()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())  # the backoff has passed
    assert webhook_deliver().delivered == 1
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verify(endpoint.secret, headers["Convoca-Signature"], body)
    assert not verify("whsec_wrong", headers["Convoca-Signature"], body)
    assert headers["Convoca-Event"] == "signature"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    item = payload[0]["osdi:signature"]
    assert item["identifiers"] == [f"convoca:{signature.pk}"]
    assert item["person"]["email_addresses"][0]["address"] == "signer@example.org"

    # Collected again and delivered again: nothing more arrives.
    webhook_events_collect()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhook_deliver()
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_an_endpoint_hears_of_its_organisations_events_of_every_kind_and_no_one_elses(
    receiver, organisation, world
):
    endpoint = webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=WebhookEndpoint.Event.values
    )
    # Added before all that happened in the world fixture.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        created_at=timezone.now() - timedelta(hours=1),
        collected_until=timezone.now() - timedelta(hours=1),
    )
    mine, theirs = world["snt"], world["csi"]
    signature_confirm(signature=mine.signature)
    signature_confirm(signature=theirs.signature)
    subscription_unsubscribe(person=mine.person, mailing_lists=[mine.list])
    subscription_unsubscribe(person=theirs.person, mailing_lists=[theirs.list])
    webhook_events_collect()
    receiver.start()
    webhook_deliver()
    kinds = sorted(json.loads(body)[0].popitem()[0] for _headers, body in receiver.received)
    assert kinds == [
        "convoca:subscription",
        "convoca:unsubscription",
        "osdi:attendance",
        "osdi:donation",
        "osdi:signature",
    ]
    bodies = b"".join(body for _headers, body in receiver.received)
    assert b"csi-" not in bodies
    assert b"snt-" in bodies


def test_a_receiver_that_keeps_failing_is_given_up_after_the_retry_horizon(
    receiver, organisation, petition, settings
):
    webhook_endpoint_create(organisation=organisation, url=receiver.url, events=["signature"])
    _confirmed_signature(petition)
    webhook_events_collect()
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(hours=73))
    assert webhook_deliver().given_up == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.GIVEN_UP


def test_an_erased_persons_event_is_not_sent(receiver, organisation, petition):
    from convoca.people.services import person_erase

    webhook_endpoint_create(organisation=organisation, url=receiver.url, events=["signature"])
    signature = _confirmed_signature(petition)
    webhook_events_collect()
    person_erase(person=signature.person)
    receiver.start()
    assert webhook_deliver().given_up == 1
    assert receiver.received == []
