"""Every write of the API app: keys, the audit of what keys read, sign-ups, webhooks.

Signatures and registrations recorded through the API go through the
same services as the public forms (``actions.services.signature_create``,
``events.services.registration_create``): the same merge rules, consents,
counts, double opt-in and outbox emails.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convoca.actions.models import Action, Signature
from convoca.actions.services import (
    SignatureData,
    SignatureResult,
    signature_create,
)
from convoca.api.models import ApiKey, CustomFields, WebhookDelivery, WebhookEndpoint
from convoca.api.selectors import api_key_hash
from convoca.core.audit import audit_record
from convoca.core.models import AuditEntry
from convoca.core.outbox import outbox_backoff
from convoca.donations.models import Payment
from convoca.events.models import Event, Registration
from convoca.events.services import RegistrationData, RegistrationResult, registration_create
from convoca.mailings.models import MailingList, Subscription
from convoca.mailings.services import subscription_add_from_consent, subscription_unsubscribe
from convoca.organisations.models import Organisation
from convoca.people.models import Consent, Person, PersonTag, Tag
from convoca.people.services import (
    PersonData,
    consent_give,
    consent_withdraw,
    person_confirm_email,
    person_tag,
    person_untag,
    person_upsert,
)
from convoca.publishing import fetch

logger = logging.getLogger(__name__)

#: How far back each collection looks again, for rows committed a little after their time.
COLLECT_OVERLAP = timedelta(minutes=5)
USER_AGENT = "Convoca webhooks"


class WebhookUrlRefused(Exception):
    """The address is not one Convoca posts to (scheme, or a private, loopback, link-local host)."""


# --- Keys --------------------------------------------------------------------------------


def api_key_create(
    *, name: str, organisation: Organisation | None, created_by=None
) -> tuple[ApiKey, str]:
    """Make a key; return it and its secret, which is shown once and never stored."""
    token = "cvk_" + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        organisation=organisation,
        prefix=token[:12],
        key_hash=api_key_hash(token),
        created_by=created_by,
    )
    return key, token


def api_key_revoke(*, key: ApiKey) -> bool:
    """Refuse this key from the next request on; True if it was active."""
    return bool(
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def api_key_touch(*, key: ApiKey) -> None:
    """Stamp the key's last use, at most once a minute (not a write per request)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def api_audit_record(*, key: ApiKey, verb: str, target: str, count: int) -> AuditEntry:
    """Write one audit entry for a call that read or wrote personal data: which key, what, how many.

    Through ``core.audit.audit_record``, as "api read" or "api write"; the
    entry names the key (its name and first characters) and what it reached
    (``verb``, e.g. "people.list", and the path), and is attributed to the
    staff member who made the key.
    """
    kind = "api write" if verb.endswith((".write", ".delete")) else "api read"
    return audit_record(
        user=key.created_by,
        verb=kind,
        target=f"{key.name} ({key.prefix}…): {verb} {target}",
        count=count,
        organisation=key.organisation_id,
    )


# --- People ------------------------------------------------------------------------------


def _source(key: ApiKey) -> str:
    return f"api:{key.prefix}"


def _wording(key: ApiKey, wording: str) -> str:
    return wording or _("Recorded through the API by %(name)s") % {"name": key.name}


def custom_fields_set(*, person: Person, organisation: Organisation | None, values: dict) -> dict:
    """Merge ``values`` into the organisation's custom fields of this person; a null removes one."""
    with transaction.atomic():
        row = (
            CustomFields.objects.select_for_update()
            .filter(person=person, organisation=organisation)
            .first()
        ) or CustomFields(person=person, organisation=organisation)
        current = json.loads(row.values or "{}")
        for name, value in values.items():
            if value is None:
                current.pop(name, None)
            else:
                current[name] = value
        row.values = json.dumps(current, ensure_ascii=False)
        row.save()
    return current


@dataclass(frozen=True)
class SignupData:
    """What an API client says about a person signing up (``person_signup_helper``)."""

    person: PersonData
    #: True: subscribed (a contact consent and the news list); False: unsubscribed; None: unsaid.
    subscribed: bool | None = True
    #: The address was confirmed by another system's double opt-in.
    confirmed: bool = False
    wording: str = ""
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    custom_fields: dict = field(default_factory=dict)


def person_signup(*, key: ApiKey, data: SignupData) -> Person:
    """Record a sign-up to the key's organisation, as its own sign-up form would.

    The person is found by email or created, with the web forms' merge
    rules (``person_upsert``: a confirmed person's stored values are kept).
    Subscribed: a contact
    consent to the organisation and its news list's double opt-in (at
    once for an address confirmed elsewhere). Unsubscribed: taken off the
    organisation's lists and its contact consent withdrawn. Someone who
    unsubscribed is never put back on a list by this: only their own
    confirmation does that.
    """
    organisation = key.organisation
    source = _source(key)
    with transaction.atomic():
        person = person_upsert(data=data.person).person
        if data.confirmed:
            # The address, not the details: those only a coordinator or the person change.
            person_confirm_email(person=person)
        if data.subscribed:
            consent_give(
                person=person,
                purpose=Consent.Purpose.CONTACT,
                organisation=organisation,
                wording=_wording(key, data.wording),
                source=source,
            )
            subscription_add_from_consent(
                organisation=organisation,
                person=person,
                language=data.person.language or person.language,
                source=source,
            )
        elif data.subscribed is False:
            subscription_unsubscribe(
                person=person,
                mailing_lists=MailingList.objects.filter(organisation=organisation),
                source=source,
            )
            consent_withdraw(
                person=person, purpose=Consent.Purpose.CONTACT, organisation=organisation
            )
        for name in data.add_tags:
            person_tag(person=person, name=name, organisation=organisation)
        if data.remove_tags:
            for row in PersonTag.objects.filter(
                person=person, tag__organisation=organisation, tag__name__in=data.remove_tags
            ):
                person_untag(person_tag=row)
        if data.custom_fields:
            custom_fields_set(person=person, organisation=organisation, values=data.custom_fields)
    return person


def tagging_add(*, tag: Tag, person: Person) -> PersonTag:
    """Put this tag on the person (once)."""
    person_tag(person=person, name=tag.name, organisation=tag.organisation)
    return PersonTag.objects.get(person=person, tag=tag)


def tag_create(*, key: ApiKey, name: str) -> Tag:
    """The key's organisation's tag of this name, made if missing (never another organisation's)."""
    from convoca.people.services import tag_get_or_create

    return tag_get_or_create(name=name, organisation=key.organisation)


# --- Signatures and attendances -------------------------------------------------------------


def signature_record(
    *,
    key: ApiKey,
    action: Action,
    person: PersonData,
    comment: str = "",
    subscribed: bool = False,
    confirmed: bool = False,
    wording: str = "",
) -> SignatureResult:
    """Record a signature as the action's form would (``signature_create``), for an API client.

    ``subscribed``: the signer ticked the organisation's "news from us"
    box (a contact consent; the news list once the address is confirmed).
    ``confirmed``: another system already confirmed this signer's address,
    so no confirmation email is written and the signature counts at once;
    otherwise the signer gets the usual confirmation email, and it counts
    when they follow it. Raises ``ActionClosed``.
    """
    data = SignatureData(
        person=person,
        comment=comment,
        source="api",
        consents={action.organisation_id: _wording(key, wording)} if subscribed else {},
        # The form's name: confirming subscribes to the lists of the boxes ticked on it.
        form=f"actions:{action.slug}",
    )
    result = signature_create(action=action, data=data, confirmed_elsewhere=confirmed)
    if confirmed:
        result.signature.refresh_from_db()
    return result


def attendance_record(
    *,
    key: ApiKey,
    event: Event,
    person: PersonData,
    subscribed: bool = False,
    confirmed: bool = False,
    wording: str = "",
) -> RegistrationResult:
    """Register a person for an event as its form would (``registration_create``).

    ``confirmed``: another system took this registration and told the
    person: their address counts as confirmed and no email is written.
    Raises ``RegistrationClosed``.
    """
    data = RegistrationData(
        person=person,
        news_wording=_wording(key, wording) if subscribed else "",
        source=_source(key),
    )
    with transaction.atomic():
        if confirmed:
            person_confirm_email(person=person_upsert(data=person).person)
        return registration_create(event=event, data=data, notify=not confirmed)


# --- Custom fields as personal data ---------------------------------------------------------


def custom_fields_export_for_person(person: Person) -> list[dict]:
    return [
        {
            "organisation": row.organisation.name if row.organisation else None,
            "values": json.loads(row.values or "{}"),
        }
        for row in CustomFields.objects.filter(person=person).select_related("organisation")
    ]


def custom_fields_erase_for_person(person: Person) -> None:
    CustomFields.objects.filter(person=person).delete()


# --- Webhooks ------------------------------------------------------------------------------


def webhook_url_check(url: str) -> None:
    """Raise ``WebhookUrlRefused`` for an address Convoca does not post to.

    The Weekly fetcher's rules (publishing.fetch): http or https, no
    password, a name that resolves only to public addresses. Checked again
    at every delivery, against the address then resolved.
    """
    try:
        connection_, _path = fetch.pinned_connection(url, timeout=1)
    except fetch.FetchRefused as exc:
        raise WebhookUrlRefused(str(exc)) from exc
    except fetch.FetchFailed as exc:
        raise WebhookUrlRefused(str(exc)) from exc
    connection_.close()


def webhook_endpoint_create(
    *, organisation: Organisation | None, url: str, events: list[str]
) -> WebhookEndpoint:
    """Register an address to post events to; raises ``WebhookUrlRefused``.

    The signing secret is made here; the admin shows it to its maker.
    """
    webhook_url_check(url)
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=[e for e in events if e in WebhookEndpoint.Event.values],
        secret="whsec_" + secrets.token_urlsafe(32),
    )


def webhook_endpoint_save(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Save an endpoint's address, events and whether it is on; raises ``WebhookUrlRefused``.

    Its secret stays: receivers keep checking signatures with it.
    """
    webhook_url_check(endpoint.url)
    endpoint.events = [e for e in endpoint.events if e in WebhookEndpoint.Event.values]
    endpoint.save()
    return endpoint


def _owned(queryset, endpoint: WebhookEndpoint, path: str):
    if endpoint.organisation_id is None:
        return queryset
    return queryset.filter(**{f"{path}_id": endpoint.organisation_id})


def _stamp(moment) -> int:
    return int(moment.timestamp())


def _events_between(endpoint: WebhookEndpoint, since, until) -> list[tuple[str, str]]:
    """The (event, event key) pairs that happened in (since, until] for this endpoint."""
    Event_ = WebhookEndpoint.Event
    wanted = set(endpoint.events)
    found: list[tuple[str, str]] = []
    if Event_.SIGNATURE in wanted:
        # Bounded by created_at (indexed): a signature is confirmed within its link's 30 days.
        rows = _owned(
            Signature.objects.filter(
                created_at__gte=since - timedelta(days=31),
                confirmed_at__gt=since,
                confirmed_at__lte=until,
            ),
            endpoint,
            "action__shared__organisation",
        ).values_list("pk", flat=True)
        found += [(Event_.SIGNATURE, f"signature:{pk}") for pk in rows]
    if Event_.ATTENDANCE in wanted:
        rows = (
            _owned(
                Registration.objects.filter(created_at__gt=since, created_at__lte=until),
                endpoint,
                "event__shared__organisation",
            )
            .exclude(status=Registration.Status.CANCELLED)
            .values_list("pk", flat=True)
        )
        found += [(Event_.ATTENDANCE, f"attendance:{pk}") for pk in rows]
    if Event_.DONATION in wanted:
        rows = _owned(
            Payment.objects.filter(paid_at__gt=since, paid_at__lte=until),
            endpoint,
            "fundraiser__organisation",
        ).values_list("pk", flat=True)
        found += [(Event_.DONATION, f"donation:{pk}") for pk in rows]
    if Event_.SUBSCRIPTION in wanted:
        rows = _owned(
            # Whatever it is now: it was a subscription when confirmed.
            Subscription.objects.filter(confirmed_at__gt=since, confirmed_at__lte=until),
            endpoint,
            "mailing_list__organisation",
        ).values_list("pk", "confirmed_at")
        found += [(Event_.SUBSCRIPTION, f"subscription:{pk}:{_stamp(at)}") for pk, at in rows]
    if Event_.UNSUBSCRIPTION in wanted:
        rows = _owned(
            Subscription.objects.filter(unsubscribed_at__gt=since, unsubscribed_at__lte=until),
            endpoint,
            "mailing_list__organisation",
        ).values_list("pk", "unsubscribed_at")
        found += [(Event_.UNSUBSCRIPTION, f"unsubscription:{pk}:{_stamp(at)}") for pk, at in rows]
    return found


def webhook_events_collect(*, now=None) -> int:
    """Make a delivery for each new event of each active endpoint; return how many were new.

    Looks again at the last few minutes every time (rows committed a little
    after their time are not missed); the unique (endpoint, event) pair
    makes that write nothing twice.
    """
    now = now or timezone.now()
    made = 0
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        since = max(endpoint.collected_until - COLLECT_OVERLAP, endpoint.created_at)
        events = _events_between(endpoint, since, now)
        if events:
            before = WebhookDelivery.objects.filter(endpoint=endpoint).count()
            WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(endpoint=endpoint, event=event, event_key=event_key)
                    for event, event_key in events
                ],
                ignore_conflicts=True,
            )
            made += WebhookDelivery.objects.filter(endpoint=endpoint).count() - before
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(collected_until=now)
    if made:
        from convoca.api.tasks import webhook_deliver_task

        transaction.on_commit(webhook_deliver_task.enqueue)
    return made


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The ``Convoca-Signature`` header's value: ``t=<timestamp>,v1=<hex HMAC-SHA256>``.

    The HMAC's message is the timestamp, a dot, then the raw body.
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _uuid(text: str):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def webhook_body(delivery: WebhookDelivery) -> bytes | None:
    """The JSON posted for this delivery, made now; None if its subject is gone or erased."""
    from convoca.api import osdi

    base = settings.SITE_URL + "/api/osdi/v1"
    kind, _sep, rest = delivery.event_key.partition(":")
    pk = rest.split(":")[0]
    Event_ = WebhookEndpoint.Event
    item: dict | None = None
    if kind == Event_.SIGNATURE:
        row = Signature.objects.select_related("person").filter(pk=_uuid(pk)).first()
        if row and not row.person.erased_at:
            item = {
                "osdi:signature": osdi.signature(row, base, embed_person=_person(row.person, base))
            }
    elif kind == Event_.ATTENDANCE:
        row = Registration.objects.select_related("person").filter(pk=_uuid(pk)).first()
        if row and not row.person.erased_at:
            item = {
                "osdi:attendance": osdi.attendance(
                    row, base, embed_person=_person(row.person, base)
                )
            }
    elif kind == Event_.DONATION:
        payment = (
            Payment.objects.select_related("donation__donor__person", "donation__fundraiser")
            .filter(pk=_uuid(pk))
            .first()
        )
        if payment and not payment.donation.donor.person.erased_at:
            donation = payment.donation
            data = osdi.donation(donation, base, embed_person=_person(donation.donor.person, base))
            data["amount"] = f"{payment.amount / 100:.2f}"
            data["convoca:payment"] = {
                "identifier": f"convoca:{payment.pk}",
                "paid_date": osdi.when(payment.paid_at),
            }
            item = {"osdi:donation": data}
    elif kind in (Event_.SUBSCRIPTION, Event_.UNSUBSCRIPTION):
        row = (
            Subscription.objects.select_related("person", "mailing_list")
            .filter(pk=int(pk) if pk.isdigit() else None)
            .first()
        )
        if row and not row.person.erased_at:
            item = {
                f"convoca:{kind}": {
                    "status": row.status,
                    "created_date": osdi.when(
                        row.confirmed_at if kind == Event_.SUBSCRIPTION else row.unsubscribed_at
                    ),
                    "list": osdi.mailing_list(row.mailing_list, base),
                    "person": _person(row.person, base),
                }
            }
    if item is None:
        return None
    return json.dumps([item], ensure_ascii=False, separators=(",", ":")).encode()


def _person(person: Person, base: str) -> dict:
    from convoca.api import osdi

    return osdi.person(person, base)


@dataclass
class WebhookResult:
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0


def webhook_deliver(*, limit: int = 100) -> WebhookResult:
    """Post due deliveries, each until its receiver answers 2xx, then never again.

    Claims rows (``SKIP LOCKED`` on PostgreSQL) so several workers share the
    work; a worker that dies leaves its claims to be released after
    ``OUTBOX_CLAIM_LEASE_SECONDS``. A receiver that answers anything but
    2xx, or cannot be reached, is tried again with the outbox's backoff
    (30 s doubling to an hour, ±50%) for ``OUTBOX_RETRY_HOURS``; an
    address that now resolves to a private one is given up at once.
    """
    result = WebhookResult()
    _release_stale()
    claim = uuid.uuid4()
    now = timezone.now()
    skip_locked = connection.features.has_select_for_update_skip_locked
    due = (WebhookDelivery.Status.WAITING, WebhookDelivery.Status.RETRYING)
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=skip_locked)
            .filter(status__in=due, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=ids, status__in=due).update(
            status=WebhookDelivery.Status.CLAIMED, claim=claim, claimed_at=now
        )
    rows = WebhookDelivery.objects.filter(claim=claim).select_related("endpoint")
    for delivery in rows.order_by("created_at"):
        outcome = _post(delivery)
        if outcome is None:
            WebhookDelivery.objects.filter(pk=delivery.pk, claim=claim).update(
                status=WebhookDelivery.Status.DELIVERED,
                attempts=delivery.attempts + 1,
                delivered_at=timezone.now(),
                last_error="",
                claim=None,
            )
            result.delivered += 1
        else:
            error, final = outcome
            if _retry_later(delivery, error, final=final, claim=claim):
                result.given_up += 1
            else:
                result.retrying += 1
    return result


def _release_stale() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.CLAIMED, claimed_at__lt=cutoff
    ).update(status=WebhookDelivery.Status.RETRYING, claim=None, claimed_at=None)


def _retry_later(delivery: WebhookDelivery, error: str, *, final: bool, claim) -> bool:
    """Record a failed attempt; True when the delivery is given up."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    give_up = final or now - delivery.created_at >= timedelta(hours=settings.OUTBOX_RETRY_HOURS)
    fields = (
        {"status": WebhookDelivery.Status.GIVEN_UP}
        if give_up
        else {
            "status": WebhookDelivery.Status.RETRYING,
            "next_attempt_at": now + outbox_backoff(attempts),
        }
    )
    WebhookDelivery.objects.filter(pk=delivery.pk, claim=claim).update(
        attempts=attempts, last_error=error[:100], claim=None, claimed_at=None, **fields
    )
    return give_up


def _post(delivery: WebhookDelivery) -> tuple[str, bool] | None:
    """Post one delivery: None when the receiver took it, else (error, whether to give up)."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return "webhook turned off", True
    body = webhook_body(delivery)
    if body is None:
        return "subject gone or erased", True
    timestamp = str(int(time.time()))
    try:
        connection_, path = fetch.pinned_connection(
            endpoint.url, timeout=settings.CONVOCA_WEBHOOK_TIMEOUT
        )
    except fetch.FetchRefused:
        return "address refused", True
    except fetch.FetchFailed:
        return "cannot resolve", False
    try:
        connection_.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Convoca-Signature": webhook_signature(
                    secret=endpoint.secret, timestamp=timestamp, body=body
                ),
                "Convoca-Event": delivery.event,
                "Convoca-Delivery": str(delivery.pk),
            },
        )
        response = connection_.getresponse()
        response.read(65536)
        status = response.status
    except TimeoutError:
        return "timed out", False
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, False
    finally:
        connection_.close()
    if 200 <= status < 300:
        return None
    return f"HTTP {status}", False


def webhook_retry_now(*, ids) -> int:
    """Post these deliveries again at the next run (the admin's "Retry now")."""
    return WebhookDelivery.objects.filter(
        pk__in=list(ids),
        status__in=[WebhookDelivery.Status.RETRYING, WebhookDelivery.Status.GIVEN_UP],
    ).update(status=WebhookDelivery.Status.RETRYING, next_attempt_at=timezone.now())


def webhook_deliver_soon() -> None:
    from convoca.api.tasks import webhook_deliver_task

    transaction.on_commit(partial(webhook_deliver_task.enqueue))
