"""Building an email to one person, in their language (the outbox sends it)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
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


def mail_error_summary(error: Exception) -> str:
    """What went wrong, for a log line: the kind and the server's code, never an address.

    The text of ``smtplib`` errors names the recipients, so it is left out.
    """
    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next((answer[0] for answer in error.recipients.values()), None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"
