"""A mailing as bytes on the wire, built once per language and filled in per recipient.

Building a Django ``EmailMessage`` for each of 20,000 recipients costs more
than sending it (docs/benchmarks.md). So the template is rendered once per
language with markers where the recipient's first name and links go, the
MIME skeleton (headers, boundary, part headers) is made once, and each
recipient costs a few ``str.replace``, one quoted-printable encoding of each
part (C code in ``binascii``) and two or three signed tokens (``tokens.py``).
"""

from __future__ import annotations

import binascii
import html
import re
import secrets
from dataclasses import dataclass
from email.header import Header
from email.policy import SMTP
from email.utils import formataddr, formatdate, getaddresses

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from convoca.core.mail import absolute_url
from convoca.core.mailheaders import UrlListHeader, list_unsubscribe_header
from convoca.core.markdown import markdown_render, markdown_to_text
from convoca.core.text import one_line
from convoca.mailings.models import Mailing
from convoca.mailings.tokens import open_token_make, preferences_token_make, unsubscribe_token_make

# Markers Markdown and HTML escaping leave alone (letters only).
FIRST_NAME = "QQFIRSTNAMEQQ"
UNSUBSCRIBE = "QQUNSUBSCRIBEQQ"
PREFERENCES = "QQPREFERENCESQQ"
OPEN_PIXEL = "QQOPENPIXELQQ"
PLACEHOLDER = re.compile(r"\{\{\s*first_name\s*\}\}")


def from_address() -> tuple[str, str]:
    [(name, address)] = getaddresses([settings.DEFAULT_FROM_EMAIL])
    return name, address


def _encode_header(value: str) -> str:
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        return Header(value, "utf-8").encode()
    return value


MARKERS = (FIRST_NAME, UNSUBSCRIBE, PREFERENCES, OPEN_PIXEL)


def _qp(text: str) -> bytes:
    return binascii.b2a_qp(text.encode(), istext=True)


def qp_plan(text: str) -> list[bytes | str]:
    """The quoted-printable encoding of ``text``, done now except for lines with markers.

    Quoted-printable encodes each line on its own, so lines without a
    marker are encoded once for every recipient; a marker's line (the
    greeting, the footer links) is kept as text, filled in and encoded per
    recipient. Joined, the pieces equal the encoding of the whole.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    plan: list[bytes | str] = []
    static: list[str] = []
    for number, line in enumerate(lines):
        line_end = "" if number == len(lines) - 1 else "\r\n"
        if any(marker in line for marker in MARKERS):
            if static:
                plan.append(_qp("".join(static)))
                static = []
            plan.append(line + line_end)
        else:
            static.append(line + line_end)
    if static:
        plan.append(_qp("".join(static)))
    return plan


def qp_fill(plan: list[bytes | str], values: dict[str, str]) -> bytes:
    pieces = []
    for piece in plan:
        if isinstance(piece, str):
            for marker, value in values.items():
                piece = piece.replace(marker, value)
            piece = _qp(piece)
        pieces.append(piece)
    return b"".join(pieces)


@dataclass
class LanguageVersion:
    """One language of a mailing, ready to be filled in."""

    subject: str
    subject_header: str | None  # encoded once when it has no first name in it
    text: str
    html: str
    fallback_name: str
    text_plan: list
    html_plan: list
    unsubscribe_base: str
    preferences_base: str


@dataclass(frozen=True)
class Recipient:
    """What the message needs of one recipient."""

    delivery_id: int
    person_id: object
    email: str
    given_name: str
    language: str


class MailingComposer:
    """Turns (mailing, recipient) into the bytes of a complete message.

    ``message_bytes`` gives the RFC 5322 message with CRLF line ends; the
    same content as a Django message is ``email_message`` (for backends
    other than SMTP, and for test sends).
    """

    def __init__(self, mailing: Mailing, *, test: bool = False):
        self.mailing = mailing
        self.test = test
        name, self.from_email = from_address()
        self.from_header = _encode_header(formataddr((name, self.from_email)))
        self.domain = self.from_email.rpartition("@")[2] or "localhost"
        with translation.override(settings.LANGUAGE_CODE):
            self.open_base = absolute_url(reverse("mailings:open", kwargs={"token": "TOKEN"}))
        self.versions = {code: self._version(code) for code in mailing.languages}
        self.default_language = mailing.language_for(settings.LANGUAGE_CODE)
        self.language_of = {code: mailing.language_for(code) for code, _ in settings.LANGUAGES}
        self.unsubscribe_mailto = settings.MAILINGS_UNSUBSCRIBE_MAILTO or self.from_email
        self.list_id = _encode_header(f"<mailing-{mailing.organisation_id or 0}.{self.domain}>")
        self.boundary = f"=_convoca_{secrets.token_hex(12)}"

    def _version(self, language: str) -> LanguageVersion:
        mailing = self.mailing
        subject = PLACEHOLDER.sub(FIRST_NAME, mailing.subject[language])
        body = PLACEHOLDER.sub(FIRST_NAME, mailing.body_markdown[language])
        with translation.override(language):
            fallback = mailing.first_name_fallback.get(language) or gettext("friend")
            context = {
                "SITE_NAME": settings.SITE_NAME,
                "SITE_URL": settings.SITE_URL,
                "subject": subject,
                "body_html": markdown_render(body),
                "body_text": markdown_to_text(body),
                "unsubscribe_url": UNSUBSCRIBE,
                "preferences_url": PREFERENCES,
                "open_pixel": OPEN_PIXEL if mailing.track_opens else "",
                "track_opens": mailing.track_opens,
                "organisation": mailing.organisation,
                "language": language,
            }
            html_body = render_to_string("mailings/email/mailing.html", context)
            unsubscribe_base = absolute_url(
                reverse("mailings:unsubscribe", kwargs={"token": "TOKEN"})
            )
            preferences_base = absolute_url(
                reverse("mailings:preferences", kwargs={"token": "TOKEN"})
            )
            text_body = render_to_string("mailings/email/mailing.txt", context)
        return LanguageVersion(
            subject=subject,
            subject_header=None if FIRST_NAME in subject else _encode_header(subject),
            text=text_body,
            html=html_body,
            fallback_name=fallback,
            text_plan=qp_plan(text_body),
            html_plan=qp_plan(html_body),
            unsubscribe_base=unsubscribe_base,
            preferences_base=preferences_base,
        )

    def _links(self, recipient: Recipient, version: LanguageVersion) -> tuple[str, str, str]:
        unsubscribe = version.unsubscribe_base.replace(
            "TOKEN",
            unsubscribe_token_make(person_id=recipient.person_id, mailing_id=self.mailing.pk),
        )
        preferences = version.preferences_base.replace(
            "TOKEN", preferences_token_make(person_id=recipient.person_id)
        )
        pixel = ""
        if self.mailing.track_opens and not self.test:
            pixel = self.open_base.replace(
                "TOKEN", open_token_make(delivery_id=recipient.delivery_id)
            )
        return unsubscribe, preferences, pixel

    def parts(self, recipient: Recipient) -> tuple[str, str, str, dict[str, str]]:
        """Subject, plain text, HTML and the list headers for one recipient."""
        version = self.versions[self.language_of.get(recipient.language, self.default_language)]
        # Whitespace collapsed: a line break in a name must not start a new header.
        name = one_line(recipient.given_name) or version.fallback_name
        unsubscribe, preferences, pixel = self._links(recipient, version)
        text = (
            version.text.replace(FIRST_NAME, name)
            .replace(UNSUBSCRIBE, unsubscribe)
            .replace(PREFERENCES, preferences)
        )
        html_body = (
            version.html.replace(FIRST_NAME, html.escape(name))
            .replace(UNSUBSCRIBE, unsubscribe)
            .replace(PREFERENCES, preferences)
            .replace(OPEN_PIXEL, pixel)
        )
        subject = version.subject.replace(FIRST_NAME, name)
        token = unsubscribe.rsplit("/", 2)[-2]
        headers = {
            "List-Unsubscribe": self.list_unsubscribe(unsubscribe, token),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id,
            "Message-ID": self.message_id(recipient),
        }
        return subject, text, html_body, headers

    def list_unsubscribe(self, unsubscribe: str, token: str) -> UrlListHeader:
        """The one-click link, then a ``mailto:`` naming the token; never encoded-words."""
        return list_unsubscribe_header(
            url=unsubscribe, mailto=f"{self.unsubscribe_mailto}?subject=unsubscribe%20{token}"
        )

    def message_id(self, recipient: Recipient) -> str:
        # Derived from the delivery: the same message keeps the same id,
        # which receiving systems use to recognise a duplicate.
        return f"<mailing-{self.mailing.pk}.{recipient.delivery_id}@{self.domain}>"

    def message_bytes(self, recipient: Recipient, *, date: str | None = None) -> bytes:
        """The whole message, headers and both parts, CRLF line ends, 7-bit clean."""
        language = self.language_of.get(recipient.language, self.default_language)
        version = self.versions[language]
        # Whitespace collapsed: a line break in a name must not start a new header.
        name = one_line(recipient.given_name) or version.fallback_name
        unsubscribe, preferences, pixel = self._links(recipient, version)
        subject_header = version.subject_header or _encode_header(
            version.subject.replace(FIRST_NAME, name)
        )
        token = unsubscribe.rsplit("/", 2)[-2]
        boundary = self.boundary
        head = (
            f"From: {self.from_header}\r\n"
            f"To: {recipient.email}\r\n"
            f"Subject: {subject_header}\r\n"
            f"Date: {date or formatdate(localtime=False, usegmt=True)}\r\n"
            f"Message-ID: {self.message_id(recipient)}\r\n"
            f"{self.list_unsubscribe(unsubscribe, token).fold(policy=SMTP)}"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            f"List-Id: {self.list_id}\r\n"
            f"Content-Language: {language}\r\n"
            "MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
            "\r\n"
            f"--{boundary}\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        html_head = (
            f"\r\n--{boundary}\r\n"
            'Content-Type: text/html; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        text = qp_fill(
            version.text_plan,
            {FIRST_NAME: name, UNSUBSCRIBE: unsubscribe, PREFERENCES: preferences},
        )
        html_body = qp_fill(
            version.html_plan,
            {
                FIRST_NAME: html.escape(name),
                UNSUBSCRIBE: unsubscribe,
                PREFERENCES: preferences,
                OPEN_PIXEL: pixel,
            },
        )
        return b"".join((head, text, html_head, html_body, tail))

    def email_message(self, recipient: Recipient):
        """The same message as a Django ``EmailMultiAlternatives``."""
        from django.core.mail import EmailMultiAlternatives

        subject, text, html_body, headers = self.parts(recipient)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            headers=headers,
        )
        message.attach_alternative(html_body, "text/html")
        # django-anymail passes this to the provider, whose tracking
        # webhooks send it back: the delivery row is found without an email.
        message.metadata = {"convoca_delivery": str(recipient.delivery_id)}
        return message
