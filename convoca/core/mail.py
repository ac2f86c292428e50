"""Sending an email to one person, in their language; many over one connection."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation

from convoca.core.text import one_line_names


def absolute_url(path: str) -> str:
    """The public address of a path on this site, for links in emails."""
    return f"{settings.SITE_URL}{path}"


def email_message(
    *,
    to: str,
    template: str,
    context: dict,
    language: str,
    headers: dict | None = None,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
) -> EmailMessage:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` into a message.

    Rendering happens inside the recipient's language, so every string and
    every URL reversed by the templates is in that language. ``attachments``
    are ``(filename, content, mimetype)`` triples (an event's ``.ics``).
    """
    # Defence in depth: a person's name cannot start a line of its own ("Bcc: ...").
    context = one_line_names(context)
    with translation.override(language):
        context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
        attachments=attachments or None,
    )


def email_send(*, mailer: BaseEmailBackend | None = None, **message) -> None:
    """Render an email (the arguments of ``email_message``) and send it.

    Without ``mailer`` the message goes over a connection of its own. With
    the mailer of ``mailer_session``, many messages share one connection;
    one that fails closes it, and the next message opens a fresh one.
    """
    email = email_message(**message)
    if mailer is None:
        email.send()
        return
    try:
        mailer.open()  # does nothing while the connection is open
        mailer.send_messages([email])
    except Exception:
        mailer.close()
        raise


def mail_error_summary(error: Exception) -> str:
    """What went wrong, for a log line: the kind and the server's code, never an address.

    The text of ``smtplib`` errors names the recipients, so it is left out.
    """
    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next((answer[0] for answer in error.recipients.values()), None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"


@contextmanager
def mailer_session() -> Iterator[BaseEmailBackend]:
    """One connection to the mail server for a batch of ``email_send`` calls."""
    mailer = mail.mailers.default
    try:
        yield mailer
    finally:
        mailer.close()
