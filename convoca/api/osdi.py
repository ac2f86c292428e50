"""Convoca's rows as OSDI 1.x resources (HAL+JSON), the way Action Network shapes them.

``base`` is the API's root address without a trailing slash
(``https://campaign.example.org/api/osdi/v1``); every link is absolute.
Identifiers are ``convoca:<id>``. The functions take rows already read and
scoped (api.selectors); they make no query of their own except where said.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

from convoca.actions.models import Action, Signature
from convoca.core.i18n import label_in_language
from convoca.donations.models import Donation, Fundraiser
from convoca.events.models import Event, Registration
from convoca.mailings.models import Mailing, MailingList, Subscription
from convoca.people.models import Person, PersonTag, Tag

CURIES = [
    {"name": "osdi", "href": "https://osdi.example/docs/v1/{rel}", "templated": True},
    {"name": "convoca", "href": "https://convoca.example/docs/api/{rel}", "templated": True},
]


def when(value: datetime | None) -> str | None:
    """OSDI dates: ISO 8601 in UTC with a Z, as Action Network writes them."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _link(href: str) -> dict:
    return {"href": href}


def person(
    row: Person,
    base: str,
    *,
    status: str = "",
    custom_fields: dict | None = None,
    tags: list[str] | None = None,
) -> dict:
    href = f"{base}/people/{row.pk}"
    data = {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "given_name": row.given_name,
        "family_name": row.family_name,
        "email_addresses": [
            {
                "primary": True,
                "address": row.email,
                "status": status or "not subscribed",
                "convoca:confirmed": row.email_confirmed_at is not None,
            }
        ],
        "postal_addresses": [
            {
                "primary": True,
                "address_lines": [row.street_address] if row.street_address else [],
                "locality": row.city,
                "postal_code": row.postal_code,
                "country": str(row.country.code or ""),
            }
        ],
        "languages_spoken": [row.language] if row.language else [],
        "custom_fields": custom_fields or {},
        "_links": {
            "self": _link(href),
            "osdi:taggings": _link(f"{href}/taggings"),
            "osdi:signatures": _link(f"{href}/signatures"),
            "osdi:attendances": _link(f"{href}/attendances"),
            "osdi:donations": _link(f"{href}/donations"),
        },
    }
    if row.phone:
        data["phone_numbers"] = [{"primary": True, "number": row.phone}]
    if tags is not None:
        data["convoca:tags"] = sorted(tags)
    return data


def tag(row: Tag, base: str) -> dict:
    href = f"{base}/tags/{row.pk}"
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "name": row.name,
        "_links": {"self": _link(href), "osdi:taggings": _link(f"{href}/taggings")},
    }


def tagging(row: PersonTag, base: str) -> dict:
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.added_at),
        "modified_date": when(row.added_at),
        "_links": {
            "self": _link(f"{base}/tags/{row.tag_id}/taggings/{row.pk}"),
            "osdi:tag": _link(f"{base}/tags/{row.tag_id}"),
            "osdi:person": _link(f"{base}/people/{row.person_id}"),
        },
    }


def mailing_list(row: MailingList, base: str) -> dict:
    href = f"{base}/lists/{row.pk}"
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "name": row.slug,
        "title": row.label,
        "description": row.text,
        "_links": {"self": _link(href), "osdi:items": _link(f"{href}/items")},
    }


def list_item(row: Subscription, base: str) -> dict:
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.confirmed_at or row.created_at),
        "modified_date": when(row.updated_at),
        "item_type": "osdi:person",
        "_links": {
            "self": _link(f"{base}/lists/{row.mailing_list_id}/items/{row.pk}"),
            "osdi:list": _link(f"{base}/lists/{row.mailing_list_id}"),
            "osdi:person": _link(f"{base}/people/{row.person_id}"),
        },
    }


def petition(row: Action, base: str, *, count: int | None = None) -> dict:
    href = f"{base}/petitions/{row.pk}"
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        # Closing or a new goal changes every version: the later of the two changes.
        "modified_date": when(max(row.updated_at, row.shared.updated_at)),
        "title": row.title,
        "description": row.summary,
        "petition_text": row.body,
        "browser_url": settings.SITE_URL + row.get_absolute_url(),
        "status": row.status,
        "origin_system": "Convoca",
        "convoca:kind": row.kind,
        "convoca:language": row.language,
        "target": [],
        "total_signatures": count,
        "_links": {
            "self": _link(href),
            "osdi:signatures": _link(f"{href}/signatures"),
            "osdi:record_signature_helper": _link(f"{href}/signatures"),
        },
    }


def signature(row: Signature, base: str, *, embed_person: dict | None = None) -> dict:
    petition_href = f"{base}/petitions/{row.action_id}"
    data = {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "comments": row.comment,
        "convoca:confirmed": row.confirmed_at is not None,
        "convoca:confirmed_date": when(row.confirmed_at),
        "_links": {
            "self": _link(f"{petition_href}/signatures/{row.pk}"),
            "osdi:petition": _link(petition_href),
            "osdi:person": _link(f"{base}/people/{row.person_id}"),
        },
    }
    if embed_person is not None:
        data["person"] = embed_person
    return data


def event(row: Event, base: str) -> dict:
    href = f"{base}/events/{row.pk}"
    location = {
        "venue": row.venue_name,
        "address_lines": [row.street_address] if row.street_address else [],
        "locality": row.city,
        "postal_code": row.postal_code,
        "country": str(row.country.code or ""),
    }
    if row.latitude is not None and row.longitude is not None:
        location["location"] = {"latitude": row.latitude, "longitude": row.longitude}
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        # Its texts or what every language shares (status, times), whichever changed last.
        "modified_date": when(max(row.updated_at, row.shared.updated_at)),
        "title": row.title,
        "description": row.description,
        "summary": row.summary,
        "browser_url": settings.SITE_URL + row.get_absolute_url(),
        "start_date": when(row.starts_at),
        "end_date": when(row.ends_at),
        "status": {"published": "confirmed", "cancelled": "cancelled"}.get(row.status, "tentative"),
        "capacity": row.capacity or None,
        "location": location,
        "convoca:kind": row.kind,
        "convoca:language": row.language,
        "_links": {
            "self": _link(href),
            "osdi:attendances": _link(f"{href}/attendances"),
            "osdi:record_attendance_helper": _link(f"{href}/attendances"),
        },
    }


def attendance(row: Registration, base: str, *, embed_person: dict | None = None) -> dict:
    event_href = f"{base}/events/{row.event_id}"
    data = {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "status": {"confirmed": "accepted", "waitlisted": "tentative"}.get(row.status, "declined"),
        "attended": row.attended,
        "_links": {
            "self": _link(f"{event_href}/attendances/{row.pk}"),
            "osdi:event": _link(event_href),
            "osdi:person": _link(f"{base}/people/{row.person_id}"),
        },
    }
    if embed_person is not None:
        data["person"] = embed_person
    return data


def fundraising_page(row: Fundraiser, base: str) -> dict:
    href = f"{base}/fundraising_pages/{row.pk}"
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "title": row.text_in("title", settings.LANGUAGE_CODE),
        "convoca:titles": {version.language: version.title for version in row.versions.all()},
        "description": row.text_in("summary", settings.LANGUAGE_CODE),
        "currency": row.currency,
        "convoca:goal": row.goal,
        "status": row.status,
        "origin_system": "Convoca",
        "_links": {"self": _link(href), "osdi:donations": _link(f"{href}/donations")},
    }


def donation(row: Donation, base: str, *, embed_person: dict | None = None) -> dict:
    page_href = f"{base}/fundraising_pages/{row.fundraiser_id}"
    amount = f"{row.amount / 100:.2f}"
    data = {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "currency": row.currency,
        "amount": amount,
        "recipients": [
            {
                "display_name": row.fundraiser.text_in("title", settings.LANGUAGE_CODE),
                "amount": amount,
            }
        ],
        "payment": {"method": "Credit Card", "reference_number": "", "authorization_stored": False},
        "action_network:recurrence": {
            "recurring": row.frequency == Donation.Frequency.MONTHLY,
            "period": "Monthly" if row.frequency == Donation.Frequency.MONTHLY else None,
        },
        "convoca:status": row.status,
        "_links": {
            "self": _link(f"{page_href}/donations/{row.pk}"),
            "osdi:fundraising_page": _link(page_href),
            "osdi:person": _link(f"{base}/people/{row.donor.person_id}"),
        },
    }
    if embed_person is not None:
        data["person"] = embed_person
    return data


def message(row: Mailing, base: str) -> dict:
    return {
        "identifiers": [f"convoca:{row.pk}"],
        "created_date": when(row.created_at),
        "modified_date": when(row.updated_at),
        "subject": label_in_language(row.subject),
        "body": label_in_language(row.body_markdown),
        "convoca:subjects": row.subject,
        "status": {"sent": "sent", "sending": "sending", "scheduled": "scheduled"}.get(
            row.status, "draft"
        ),
        "sent_start_date": when(row.started_at),
        "total_targeted": row.recipient_count,
        "_links": {"self": _link(f"{base}/messages/{row.pk}")},
    }
