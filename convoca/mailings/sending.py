"""The sending engine: claim a few deliveries, stream them over one connection, once each.

Exactly once, whatever crashes (docs/mailings.md has the whole argument):

1. A worker *claims* pending deliveries (``claimed``, its claim id, a time).
2. For each, it opens the SMTP transaction and streams the whole message
   except the final ``<CRLF>.<CRLF>``. Until that line the server keeps
   nothing: a worker killed here leaves a claimed row, released after the
   lease and sent again later, and nobody got it.
3. It commits the row as ``sending`` (one UPDATE that also checks the claim
   is still its own), then writes the final line. From this commit on, the
   row is never sent again. On PostgreSQL, a separate process, the UPDATE
   runs in a transaction whose COMMIT is written to the database's socket
   immediately before the final line to the mail server, and its answer is
   read after: the two leave together, whichever way the worker dies.
4. After the server's 250 the row becomes ``sent`` (in groups; a ``sending``
   row left by a crash counts as handed over, "in doubt" in the figures).

The only gap left is the few microseconds between the commit in 3 and the
write of five bytes: a kill there skips one person rather than mailing
them twice. Backends other than SMTP (django-anymail's HTTP APIs, files,
the console) follow the same order: commit ``sending``, then hand over.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formatdate

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from convoca.core import crypto
from convoca.core.sending import (
    Bound,
    LostClaim,
    SendingCommitter,
    SMTPTransport,
    transport_open,
)
from convoca.mailings.compose import MailingComposer, Recipient
from convoca.mailings.models import Delivery, Mailing, Suppression
from convoca.people.models import Person

logger = logging.getLogger(__name__)


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    stopped: str = ""  # why the batch ended early: "status", "connection", ""


def _now():
    return timezone.now()


def _deliverable(address: str) -> bool:
    """An address that can go into an envelope and a To: header as it is."""
    return bool(address) and "@" in address and not any(c in address for c in " \t\r\n<>,;")


def deliveries_claim(*, mailing_id: int, claim: uuid.UUID, limit: int) -> list[Recipient] | None:
    """Claim up to ``limit`` pending deliveries of a mailing; return them with what to send.

    None when nothing was pending; an empty list when every row claimed was
    dropped (erased or suppressed since the audience was fixed).
    """
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=skip_locked)
            .filter(mailing_id=mailing_id, status=Delivery.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return None
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CLAIMED, claim=claim, claimed_at=_now()
        )
    rows = list(
        Delivery.objects.filter(claim=claim, status=Delivery.Status.CLAIMED, pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "language",
            "person_id",
            "person__email",
            "person__given_name",
            "person__email_index",
            "person__erased_at",
        )
    )
    # Erased, or suppressed (a bounce, a complaint, an unsubscribe) since the
    # audience was fixed: not sent, and said so.
    suppressed = set(
        Suppression.objects.filter(email_index__in=[row[5] for row in rows if row[5]]).values_list(
            "email_index", flat=True
        )
    )
    recipients, dropped = [], []
    for pk, language, person_id, email, given_name, index, erased_at in rows:
        # Plain values, decrypted here: no model instances on the hot path.
        email = _decrypt(email, "email", person_id)
        if erased_at or not index or index in suppressed or not _deliverable(email):
            dropped.append(pk)
            continue
        recipients.append(
            Recipient(
                delivery_id=pk,
                person_id=person_id,
                email=email,
                given_name=_decrypt(given_name, "given_name", person_id),
                language=language,
            )
        )
    if dropped:
        Delivery.objects.filter(pk__in=dropped, claim=claim).update(
            status=Delivery.Status.CANCELLED, error="suppressed or erased before sending"
        )
    return recipients


def _decrypt(value, field: str, person_id) -> str:
    if not value:
        return ""
    return crypto.decrypt(
        value, associated_data=Person._meta.get_field(field).associated_data(_Row(person_id))
    )


class _Row:
    """Stands for a Person row where only its primary key matters (the associated data)."""

    __slots__ = ("pk",)

    def __init__(self, pk):
        self.pk = pk


def deliveries_release_stale(*, mailing_id: int | None = None) -> int:
    """Give claims older than the lease back to ``pending``: their worker is gone.

    Nothing of a claimed row reached a mail server (see the module's
    docstring), so sending it again is safe.
    """
    cutoff = _now() - timedelta(seconds=settings.MAILINGS_CLAIM_LEASE_SECONDS)
    stale = Delivery.objects.filter(status=Delivery.Status.CLAIMED, claimed_at__lt=cutoff)
    if mailing_id is not None:
        stale = stale.filter(mailing_id=mailing_id)
    return stale.update(status=Delivery.Status.PENDING, claim=None, claimed_at=None)


def _mark(ids: list[int], status: str, **fields) -> None:
    if ids:
        Delivery.objects.filter(pk__in=ids).update(status=status, **fields)


def mailing_send_batch(*, mailing_id: int, limit: int | None = None, backend=None) -> BatchResult:
    """Send up to ``limit`` pending deliveries of a sending mailing over one connection.

    Stops early when the mailing is paused or cancelled (checked before
    every chunk) or the mail server goes away; claimed rows it did not
    reach go back to ``pending``. Honours the mailing's messages-per-minute.
    Safe to run several at once and twice: each row is claimed by one.
    ``backend``: an email backend instance instead of the configured one.
    """
    limit = limit or settings.MAILINGS_BATCH_SIZE
    mailing = Mailing.objects.select_related("organisation").get(pk=mailing_id)
    result = BatchResult()
    if mailing.status != Mailing.Status.SENDING:
        result.stopped = "status"
        return result
    rate = mailing.rate_per_minute
    interval = 60.0 / rate if rate else 0.0
    if rate:
        limit = min(limit, rate)  # about one minute of work per batch
    chunk = min(settings.MAILINGS_CHUNK_SIZE, limit)
    composer = MailingComposer(mailing)
    claim = uuid.uuid4()
    transport = None
    next_at = time.monotonic()
    try:
        while result.sent + result.failed < limit:
            status = Mailing.objects.filter(pk=mailing_id).values_list("status", flat=True).first()
            if status != Mailing.Status.SENDING:
                result.stopped = "status"
                break
            recipients = deliveries_claim(
                mailing_id=mailing_id,
                claim=claim,
                limit=min(chunk, limit - result.sent - result.failed),
            )
            if recipients is None:
                break
            if not recipients:
                continue
            if transport is None:
                transport = transport_open(backend)
            if not _send_chunk(transport, composer, recipients, claim, result, interval, next_at):
                result.stopped = "connection"
                break
            next_at = time.monotonic()
    finally:
        # What this worker claimed but never reached goes back for another.
        Delivery.objects.filter(claim=claim, status=Delivery.Status.CLAIMED).update(
            status=Delivery.Status.PENDING, claim=None, claimed_at=None
        )
        if transport is not None:
            transport.close()
    return result


def _send_chunk(transport, composer, recipients, claim, result, interval, next_at) -> bool:
    """Send claimed recipients; False when the connection failed and the batch must stop."""
    commit_sending = SendingCommitter(
        claim,
        model=Delivery,
        claimed=Delivery.Status.CLAIMED,
        sending=Delivery.Status.SENDING,
        durable=settings.MAILINGS_DURABLE_COMMIT,
    )
    accepted: list[int] = []
    date = formatdate(localtime=False, usegmt=True)
    from_email = composer.from_email
    ahead: dict[int, bytes] = {}

    def build(index):
        if index < len(recipients) and index not in ahead:
            ahead[index] = composer.message_bytes(recipients[index], date=date)

    try:
        for index, recipient in enumerate(recipients):
            if interval:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_at = max(next_at, time.monotonic() - interval) + interval
            try:
                if isinstance(transport, SMTPTransport):
                    build(index)
                    ok, error = transport.send(
                        from_email=from_email,
                        to=recipient.email,
                        data=ahead.pop(index),
                        commit=Bound(commit_sending, recipient.delivery_id),
                        meanwhile=lambda n=index + 1: build(n),
                    )
                    provider_id = ""
                else:
                    ok, error, provider_id = transport.send_message(
                        message=composer.email_message(recipient),
                        commit=Bound(commit_sending, recipient.delivery_id),
                    )
            except LostClaim:
                logger.warning(
                    "delivery %s was taken over by another worker", recipient.delivery_id
                )
                if isinstance(transport, SMTPTransport):
                    transport.open()
                continue
            if ok and not provider_id:
                accepted.append(recipient.delivery_id)
                result.sent += 1
            elif ok:
                Delivery.objects.filter(pk=recipient.delivery_id).update(
                    status=Delivery.Status.SENT, provider_id=provider_id
                )
                result.sent += 1
            else:
                # Refused before the commit (still claimed) or after it (sending).
                Delivery.objects.filter(
                    pk=recipient.delivery_id,
                    status__in=[Delivery.Status.CLAIMED, Delivery.Status.SENDING],
                ).update(status=Delivery.Status.FAILED, error=crypto.email_addresses_redact(error))
                result.failed += 1
            if len(accepted) >= 50:
                _mark(accepted, Delivery.Status.SENT)
                accepted = []
    except (OSError, smtplib.SMTPException):
        logger.warning("the mail server went away during mailing %s", composer.mailing.pk)
        transport.abandon()
        return False
    finally:
        commit_sending.close()
        _mark(accepted, Delivery.Status.SENT)
    return True
