"""The list headers as receiving programs read them: raw bytes, not a parser's view."""

import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend

from convoca.core.mailheaders import list_unsubscribe_header
from convoca.mailings.models import Subscription
from convoca.mailings.services import mailing_send_batch, mailing_send_now, mailing_send_test

LONG_SITE = "https://" + "campaign-" * 6 + "example.org"


def _raw_header_lines(raw: bytes, name: bytes) -> list[bytes]:
    """The physical lines of one header, its continuation lines included."""
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    lines, taken = [], False
    for line in re.split(rb"\r?\n", head):
        if line[:1] in (b" ", b"\t"):
            if taken:
                lines.append(line)
            continue
        taken = line.lower().startswith(name.lower() + b":")
        if taken:
            lines.append(line)
    return lines


def _check_list_unsubscribe(received, client=None):
    """Plain ``<https://...>, <mailto:...>``, folded at the comma, a URL that works."""
    raw = received["raw"]
    lines = _raw_header_lines(raw, b"List-Unsubscribe")
    assert lines, raw[:2000]
    assert not any(b"=?" in line for line in lines), lines
    # Folded only at the comma: the URL on the first line, the mailto: on the second.
    assert len(lines) == 2, lines
    assert re.fullmatch(rb"List-Unsubscribe: <https?://[^<>, ]+>,", lines[0]), lines
    assert re.fullmatch(rb" <mailto:[^<>, ]+>", lines[1]), lines
    assert _raw_header_lines(raw, b"List-Unsubscribe-Post") == [
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    ]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    url, mailto = re.fullmatch(r"<([^>]+)>, <(mailto:[^>]+)>", parsed["List-Unsubscribe"]).groups()
    assert url.encode() in lines[0]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return url, mailto


@pytest.mark.parametrize("site_url", ["http://127.0.0.1:8000", LONG_SITE])
def test_list_unsubscribe_is_sent_as_plain_urls_folded_at_the_comma_and_one_click_works(
    client, settings, alerts, make_subscriber, make_mailing, smtp_sink, commit, site_url
):
    settings.SITE_URL = site_url
    person = make_subscriber(alerts, "ana@example.org", given_name="Ana")
    with commit():
        mailing_send_now(mailing=make_mailing([alerts]))

    [received] = smtp_sink.messages
    url, mailto = _check_list_unsubscribe(received)
    assert url.startswith(f"{site_url}/en/lists/unsubscribe/")
    assert mailto.startswith("mailto:")

    response = client.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscription.objects.get(person=person, mailing_list=alerts).status == "unsubscribed"


class _Relay(BaseEmailBackend):
    """A backend that is not Django's SMTP one (as a provider's API is), relaying to it."""

    def send_messages(self, email_messages):
        return mailers.default.send_messages(email_messages)


def test_list_unsubscribe_of_a_mailing_sent_through_another_backend_is_not_encoded(
    client, settings, alerts, make_subscriber, make_mailing, smtp_sink
):
    person = make_subscriber(alerts, "ana@example.org", given_name="Ana")
    mailing = make_mailing([alerts])
    mailing_send_now(mailing=mailing)  # the batch below sends it, not the worker

    mailing_send_batch(mailing_id=mailing.pk, backend=_Relay())

    [received] = smtp_sink.messages
    url, _mailto = _check_list_unsubscribe(received)
    client.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert Subscription.objects.get(person=person, mailing_list=alerts).status == "unsubscribed"


def test_list_unsubscribe_of_a_test_send_is_not_encoded(
    settings, alerts, make_mailing, smtp_sink, commit
):
    settings.SITE_URL = LONG_SITE
    with commit():  # a test send leaves through the outbox
        mailing_send_test(mailing=make_mailing([alerts]), email="me@example.org")

    assert len(smtp_sink.messages) == 2  # one per language
    for received in smtp_sink.messages:
        _check_list_unsubscribe(received)


def test_a_list_unsubscribe_header_refuses_what_would_break_it():
    for url in ["https://x.example/a b", "https://x.example/a>,<b", "https://x.example/\r\nBcc: x"]:
        with pytest.raises(ValueError, match="not a URL fit"):
            list_unsubscribe_header(url=url)
