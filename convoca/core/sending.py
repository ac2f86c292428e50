"""Sending one message exactly once over a connection: the part every sender shares.

The mailings engine (``convoca.mailings.sending``) and the outbox
(``convoca.core.outbox``) both claim rows, then for each message stream
everything but the final ``<CRLF>.<CRLF>``, commit the row as ``sending``
(``SendingCommitter``), and only then write the final line. A row committed
as ``sending`` is never sent again; a row still claimed reached no server
and may be sent again. docs/mailings.md has the whole argument.
"""

from __future__ import annotations

import contextlib
import logging
import re
import select
import smtplib
import socket
import uuid

from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class LostClaim(Exception):
    """Another worker took this row over (our lease ran out): do not send it."""


class SendingCommitter:
    """Commits one row as ``sending`` if it is still ours: one prepared UPDATE, autocommit.

    This runs once per message, between the body and the final line, so it
    goes straight to the driver's cursor (the ORM and Django's cursor wrapper
    cost as much as the rest of the message). ``model`` has ``status``,
    ``sent_at`` and ``claim`` fields; ``claimed`` and ``sending`` are its
    two status values. ``durable=False`` (PostgreSQL only) does not wait for
    the disk on each commit.
    """

    def __init__(
        self, claim: uuid.UUID, *, model, claimed: str, sending: str, durable: bool = True
    ):
        self.claimed, self.sending = claimed, sending
        connection.ensure_connection()
        # Outside a transaction Django keeps the connection in autocommit: each
        # UPDATE below is committed, durably, before the message is.
        # Inside a transaction (a test, or a caller's atomic block) the UPDATE
        # goes through Django's cursor and commits with that transaction.
        self.raw = not connection.in_atomic_block and connection.get_autocommit()
        placeholder = "?" if self.raw and connection.vendor == "sqlite" else "%s"
        # The table name is our own constant; every value is a parameter.
        table = connection.ops.quote_name(model._meta.db_table)
        self.sql = (
            f"UPDATE {table} SET status = {placeholder}, sent_at = {placeholder} "  # noqa: S608
            f"WHERE id = {placeholder} AND claim = {placeholder} AND status = {placeholder}"
        )
        self.claim = model._meta.get_field("claim").get_db_prep_value(
            claim, connection, prepared=False
        )
        self.cursor = connection.connection.cursor() if self.raw else connection.cursor()
        self.asynchronous = self.raw and connection.vendor == "postgresql" and not durable
        if self.asynchronous:
            # The commit is visible to every other session at once and survives
            # this worker's death; PostgreSQL writes it to disk within a fraction
            # of a second instead of waiting for the disk on every message (a
            # quarter of the speed here). Only a crash of the database server
            # itself in that fraction could send those few messages again, which
            # is why this needs durable=False, chosen by an operator.
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
        self.pending = None

    def __call__(self, delivery_id) -> None:
        """Make the row ``sending`` if it is still ours (committed now, or at ``release``)."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        if self.two_step:
            self.cursor.execute("BEGIN")
        self.cursor.execute(
            self.sql,
            (self.sending, now, delivery_id, self.claim, self.claimed),
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
                    self.sending,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    delivery_id,
                    self.claim,
                    self.claimed,
                ),
            )

    def close(self):
        with contextlib.suppress(Exception):
            if self.asynchronous:
                self.cursor.execute("SET synchronous_commit TO DEFAULT")
            self.cursor.close()


class Bound:
    """A committer for one row: ``()`` then ``release()`` then ``finish()``."""

    __slots__ = ("committer", "delivery_id")

    def __init__(self, committer: SendingCommitter, delivery_id):
        self.committer, self.delivery_id = committer, delivery_id

    def __call__(self):
        self.committer(self.delivery_id)

    def release(self):
        self.committer.release()

    def finish(self):
        self.committer.finish()


class SMTPTransport:
    """One SMTP connection per batch, with the final line held back until the row is committed."""

    def __init__(self, backend: SMTPBackend):
        self.backend = backend
        self.conn: smtplib.SMTP | None = None
        self.refusal: tuple[int, str] = (0, "")

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
        # ``commit`` is a SendingCommitter bound to one row (``bound``).
        """Send one message; ``commit()`` runs after the body, before the final line.

        ``meanwhile()`` runs while the server takes the message in, before
        its reply is read: the next message is built then, in time the
        sender would otherwise spend waiting. Returns (accepted, error). A
        refusal before ``commit`` is an ordinary failure; a refusal after it
        is reported too (the row then says so). ``refusal`` then holds the
        server's code and the step it refused at ("mail", "rcpt", "data",
        "end": after the whole message).
        """
        conn = self.conn
        self.refusal = (0, "")
        code, reply = conn.mail(from_email)
        if code != 250:
            return self._refused(code, reply, "mail")
        code, reply = conn.rcpt(to)
        if code not in (250, 251):
            return self._refused(code, reply, "rcpt")
        code, reply = conn.docmd("data")
        if code != 354:
            return self._refused(code, reply, "data")
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
            self.refusal = (code, "end")
            return False, f"{code} {reply.decode(errors='replace')}"[:300]
        return True, ""

    def _refused(self, code: int, reply: bytes, step: str) -> tuple[bool, str]:
        self.refusal = (code, step)
        self.conn.rset()
        return False, f"{code} {reply.decode(errors='replace')}"[:300]


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
    """Open one connection through ``backend`` (the configured mailer by default)."""
    backend = backend or mailers.default
    transport = (
        SMTPTransport(backend) if isinstance(backend, SMTPBackend) else BackendTransport(backend)
    )
    transport.open()
    return transport
