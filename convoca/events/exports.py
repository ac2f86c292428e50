"""Registrant lists staff take away, and the record that they did.

The rule: a coordinator, or an organiser of the organisation hosting the
event, may export its registrations (the registrants signed up to that
organisation's event); a viewer may not. Columns say which consents each
registrant gave (news from the organisation, contact details shared with
the local hosts), so the organiser uses a row only as far as it allows.
Erased people keep their row (the count stays right) with every personal
cell empty. Every export, finished or interrupted, leaves one
``AuditEntry``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from convoca.core.csv import csv_stream_audited
from convoca.events.models import Event, Registration
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.people.models import Consent

AUDIT_VERB = "export registrations"
CHUNK_SIZE = 2000


def registration_export_allowed(*, event: Event, user: AbstractBaseUser) -> bool:
    return user_is_coordinator(user) or event.organisation_id in organisation_ids_for_user(
        user, can_edit=True
    )


def registration_export_header() -> list[str]:
    return [
        gettext("registered at"),
        gettext("status"),
        gettext("email"),
        gettext("given name"),
        gettext("family name"),
        gettext("phone"),
        gettext("country code"),
        gettext("language"),
        gettext("attended"),
        gettext("may email news"),
        gettext("shares contact with hosts"),
        gettext("answers"),
    ]


def _yes(value) -> str:
    if value is None:
        return ""
    return gettext("yes") if value else gettext("no")


def _row(registration: Registration) -> list[str]:
    person = registration.person
    personal = [person.email, person.given_name, person.family_name, person.phone]
    answers = registration.answers
    if person.erased_at:
        personal, answers = [""] * len(personal), ""
    if answers:
        answers = "; ".join(f"{q}: {a}" for q, a in json.loads(answers).items())
    return [
        timezone.localtime(registration.created_at).isoformat(timespec="seconds"),
        registration.get_status_display(),
        *personal,
        person.country.code or "",
        person.language,
        _yes(registration.attended),
        _yes(registration.news),
        _yes(registration.share_with_host),
        answers,
    ]


def registration_export_csv(*, event: Event, user: AbstractBaseUser) -> Iterator[bytes]:
    """Stream the event's registrations (all languages) as CSV, audited when the stream ends.

    Raises ``PermissionDenied`` at once, before any byte, if ``user`` may not.
    """
    if not registration_export_allowed(event=event, user=user):
        raise PermissionDenied
    return _stream(event=event, user=user)


def _stream(*, event: Event, user: AbstractBaseUser) -> Iterator[bytes]:
    news = Consent.objects.filter(
        person=OuterRef("person"),
        organisation_id=event.organisation_id,
        purpose=Consent.Purpose.CONTACT,
        subject_type__isnull=True,
        withdrawn_at__isnull=True,
    )
    registrations = (
        Registration.objects.filter(translation_key=event.translation_key)
        .annotate(news=Exists(news))
        .select_related("person")
        .order_by("created_at", "pk")
    )
    return csv_stream_audited(
        (_row(r) for r in registrations.iterator(chunk_size=CHUNK_SIZE)),
        header=registration_export_header(),
        user=user,
        organisation=event.organisation,
        verb=AUDIT_VERB,
        target=event.title,
    )


def registration_export_filename(*, event: Event) -> str:
    return f"registrations-{event.slug}-{timezone.localdate():%Y-%m-%d}.csv"
