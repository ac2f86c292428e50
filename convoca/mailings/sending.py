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

import contextlib
import logging
import re
import select
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formatdate

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.utils import timezone

from convoca.core import crypto
from convoca.mailings.compose import MailingComposer, Recipient
from convoca.mailings.models import Delivery, Mailing, Suppression
from convoca.people.models import Person

logger = logging.getLogger(__name__)

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class LostClaim(Exception):
    """Another worker took this delivery over (our lease ran out): do not send it."""


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


class SendingCommitter:
    """Commits one delivery as ``sending`` if it is still ours: one prepared UPDATE, autocommit.

    This runs once per message, between the body and the final line, so it
    goes straight to the driver's cursor (the ORM and Django's cursor wrapper
    cost as much as the rest of the message).
    """

    def __init__(self, claim: uuid.UUID):
        connection.ensure_connection()
        # Outside a transaction Django keeps the connection in autocommit: each
        # UPDATE below is committed, durably, before the message is.
        # Inside a transaction (a test, or a caller's atomic block) the UPDATE
        # goes through Django's cursor and commits with that transaction.
        self.raw = not connection.in_atomic_block and connection.get_autocommit()
        placeholder = "?" if self.raw and connection.vendor == "sqlite" else "%s"
        # The table name is our own constant; every value is a parameter.
        table = connection.ops.quote_name(Delivery._meta.db_table)
        self.sql = (
            f"UPDATE {table} SET status = {placeholder}, sent_at = {placeholder} "  # noqa: S608
            f"WHERE id = {placeholder} AND claim = {placeholder} AND status = {placeholder}"
        )
        self.claim = Delivery._meta.get_field("claim").get_db_prep_value(
            claim, connection, prepared=False
        )
        self.cursor = connection.connection.cursor() if self.raw else connection.cursor()
        self.asynchronous = (
            self.raw and connection.vendor == "postgresql" and not settings.MAILINGS_DURABLE_COMMIT
        )
        if self.asynchronous:
            # The commit is visible to every other session at once and survives
            # this worker's death; PostgreSQL writes it to disk within a fraction
            # of a second instead of waiting for the disk on every message (a
            # quarter of the speed here). Only a crash of the database server
            # itself in that fraction could send those few messages again, which
            # is why this needs MAILINGS_DURABLE_COMMIT=false, chosen by an operator.
            self.cursor.execute("SET synchronous_commit TO off")

        # PostgreSQL is another process: a commit it has made may not have
        # reached us yet. So the row is updated in a transaction, and its
        # COMMIT is written to the database's socket in the same instant as
        # the final line to the mail server (release), its answer read after.
        self.two_step = (
            self.raw
            and connection.vendor == "postgresql"
            and hasattr(connection.connection, "pgconn")
        )
        self.pending: int | None = None

    def __call__(self, delivery_id: int) -> None:
        """Make the row ``sending`` if it is still ours (committed now, or at ``release``)."""
        now = connection.ops.adapt_datetimefield_value(_now())
        if self.two_step:
            self.cursor.execute("BEGIN")
        self.cursor.execute(
            self.sql,
            (Delivery.Status.SENDING, now, delivery_id, self.claim, Delivery.Status.CLAIMED),
        )
        if self.cursor.rowcount != 1:
            if self.two_step:
                self.cursor.execute("ROLLBACK")
            raise LostClaim(delivery_id)
        self.pending = delivery_id if self.two_step else None

    def release(self) -> None:
        """Send the COMMIT without waiting for it: call just before the message's final line."""
        if self.pending is None:
            return
        pgconn = connection.connection.pgconn
        pgconn.send_query(b"COMMIT")
        while pgconn.flush():
            select.select([], [pgconn.socket], [], 1.0)

    def finish(self) -> None:
        """Read the COMMIT's answer; if it failed, commit the row again on its own."""
        if self.pending is None:
            return
        delivery_id, self.pending = self.pending, None
        from psycopg import pq

        pgconn = connection.connection.pgconn
        ok = True
        while True:
            pgconn.consume_input()
            if not pgconn.is_busy():
                result = pgconn.get_result()
                if result is None:
                    break
                ok = ok and result.status == pq.ExecStatus.COMMAND_OK
                continue
            select.select([pgconn.socket], [], [], 1.0)
        if not ok:
            logger.error("delivery %s: COMMIT failed after the message left", delivery_id)
            if pgconn.transaction_status != pq.TransactionStatus.IDLE:
                self.cursor.execute("ROLLBACK")
            self.cursor.execute(
                self.sql,
                (
                    Delivery.Status.SENDING,
                    connection.ops.adapt_datetimefield_value(_now()),
                    delivery_id,
                    self.claim,
                    Delivery.Status.CLAIMED,
                ),
            )

    def close(self):
        with contextlib.suppress(Exception):
            if self.asynchronous:
                self.cursor.execute("SET synchronous_commit TO DEFAULT")
            self.cursor.close()


class _Bound:
    """A committer for one delivery: ``()`` then ``release()`` then ``finish()``."""

    __slots__ = ("committer", "delivery_id")

    def __init__(self, committer: SendingCommitter, delivery_id: int):
        self.committer, self.delivery_id = committer, delivery_id

    def __call__(self):
        self.committer(self.delivery_id)

    def release(self):
        self.committer.release()

    def finish(self):
        self.committer.finish()


def _mark(ids: list[int], status: str, **fields) -> None:
    if ids:
        Delivery.objects.filter(pk__in=ids).update(status=status, **fields)


class SMTPTransport:
    """One SMTP connection per batch, with the final line held back until the row is committed."""

    def __init__(self, backend: SMTPBackend):
        self.backend = backend
        self.conn: smtplib.SMTP | None = None

    def open(self):
        self.backend.open()
        self.conn = self.backend.connection
        # The final line goes in its own small write after the commit; without
        # this, Nagle's algorithm holds it until the server ACKs (40 ms here).
        with contextlib.suppress(OSError, AttributeError):
            self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn.ehlo_or_helo_if_needed()

    def close(self):
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.backend.close()
        self.conn = None

    def abandon(self):
        """Drop the connection in the middle of a transaction: the server keeps nothing."""
        if self.conn is not None:
            self.conn.close()
        self.backend.connection = None
        self.conn = None

    def send(
        self, *, from_email: str, to: str, data: bytes, commit, meanwhile=None
    ) -> tuple[bool, str]:
        # ``commit`` is a SendingCommitter bound to one delivery (see _send_chunk).
        """Send one message; ``commit()`` runs after the body, before the final line.

        ``meanwhile()`` runs while the server takes the message in, before
        its reply is read: the next message is built then, in time the
        sender would otherwise spend waiting. Returns (accepted, error). A
        refusal before ``commit`` is an ordinary failure; a refusal after it
        is reported too (the row then says so).
        """
        conn = self.conn
        code, reply = conn.mail(from_email)
        if code != 250:
            conn.rset()
            return False, f"{code} {reply.decode(errors='replace')}"[:300]
        code, reply = conn.rcpt(to)
        if code not in (250, 251):
            conn.rset()
            return False, f"{code} {reply.decode(errors='replace')}"[:300]
        code, reply = conn.docmd("data")
        if code != 354:
            conn.rset()
            return False, f"{code} {reply.decode(errors='replace')}"[:300]
        body = _LEADING_DOT.sub(b"..", data)
        if not body.endswith(CRLF):
            body += CRLF
        conn.send(body)
        try:
            commit()
        except LostClaim:
            self.abandon()
            raise
        commit.release()
        conn.send(b"." + CRLF)
        if meanwhile is not None:
            meanwhile()
        commit.finish()
        code, reply = conn.getreply()
        if code != 250:
            return False, f"{code} {reply.decode(errors='replace')}"[:300]
        return True, ""


class BackendTransport:
    """Any other Django email backend (django-anymail, files, console, memory), one connection."""

    def __init__(self, backend):
        self.backend = backend

    def open(self):
        self.backend.open()

    def close(self):
        try:
            self.backend.close()
        except Exception:
            logger.warning("closing the email backend failed", exc_info=True)

    def abandon(self):
        self.close()

    def send_message(self, *, message, commit) -> tuple[bool, str, str]:
        commit()
        commit.release()
        commit.finish()
        try:
            sent = self.backend.send_messages([message])
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"[:300], ""
        status = getattr(message, "anymail_status", None)
        provider_id = (getattr(status, "message_id", None) or "") if status else ""
        return bool(sent), "" if sent else "not sent", str(provider_id)[:200]


def transport_open(backend=None):
    backend = backend or mailers.default
    transport = (
        SMTPTransport(backend) if isinstance(backend, SMTPBackend) else BackendTransport(backend)
    )
    transport.open()
    return transport


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
    commit_sending = SendingCommitter(claim)
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
                        commit=_Bound(commit_sending, recipient.delivery_id),
                        meanwhile=lambda n=index + 1: build(n),
                    )
                    provider_id = ""
                else:
                    ok, error, provider_id = transport.send_message(
                        message=composer.email_message(recipient),
                        commit=_Bound(commit_sending, recipient.delivery_id),
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
