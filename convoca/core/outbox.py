"""The outbox: every email Convoca sends is first a row, written with the change that causes it.

An app calls ``outbox_email_enqueue`` inside the transaction of its
service: the email is rendered there, in the recipient's language, and
stored (address and message encrypted). After commit a worker is asked to
deliver (``outbox_deliver_task``; the same task runs every minute anyway).
A web request only ever writes a row.

Delivery claims due rows, sends them over one connection and commits each
as ``sending`` just before the message's final line (``core.sending``, the
technique of the mailings engine), so a killed worker never sends one twice
and its unreached claims are sent by the next run. Temporary failures
(no connection, a dropped one, a 4xx reply) are retried with exponential
backoff and jitter for ``OUTBOX_RETRY_HOURS``; a 5xx reply to an address
gives up and tells the permanent-failure handlers (the mailings app
suppresses the address, as a bounce). Core knows no domain app: apps plug
in through the ``*_register`` functions from their ``ready()``.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import smtplib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, Replace
from django.utils import timezone

from convoca.core.mail import email_message, mail_error_summary
from convoca.core.mailheaders import header_restore
from convoca.core.models import OutboxEmail
from convoca.core.sending import CRLF, Bound, LostClaim, SendingCommitter, SMTPTransport
from convoca.core.sending import transport_open as _transport_open

logger = logging.getLogger(__name__)

Status = OutboxEmail.Status
DUE = (Status.WAITING, Status.RETRYING)
_EOL = re.compile(rb"\r\n|\r|\n")
_random = secrets.SystemRandom()

_suppression_checks: dict[str, Callable[[list[str]], set[str]]] = {}
_permanent_failure_handlers: dict[str, Callable[[str, str], None]] = {}


def outbox_suppression_check_register(key: str, *, suppressed: Callable[[list[str]], set[str]]):
    """Called from an app's ``ready()``: ``suppressed(addresses)`` says which not to email.

    Consulted for every claimed batch just before sending; those rows are
    given up ("suppressed") without reaching a mail server.
    """
    _suppression_checks[key] = suppressed


def permanent_failure_handler_register(key: str, *, handler: Callable[[str, str], None]):
    """Called from an app's ``ready()``: ``handler(address, detail)`` on a 5xx for an address.

    ``detail`` is the server's code and step, never an address.
    """
    _permanent_failure_handlers[key] = handler


# --- Writing -----------------------------------------------------------------------------


def outbox_email_enqueue(
    *,
    kind: str,
    to: str,
    template: str,
    context: dict,
    language: str,
    headers: dict | None = None,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
    person_id="",
    dedupe_key: str | None = None,
    expires_at=None,
) -> OutboxEmail | None:
    """Write one email to send: rendered now, in ``language``, delivered after commit.

    Call it inside the transaction of the change that causes the email: the
    row and the change commit together. ``kind`` names the email for the
    admin's counts (``"actions.confirmation"``). ``person_id`` ties it to a
    supporter (the unconfirmed purge keeps people whose confirmation is
    still on its way; erasure removes their waiting emails).
    ``dedupe_key``: at most one email ever for this key; a second call
    returns None and writes nothing. ``expires_at``: given up if not sent
    by then.
    """
    message = email_message(
        to=to,
        template=template,
        context=context,
        language=language,
        headers=headers,
        attachments=attachments,
    )
    return outbox_message_enqueue(
        kind=kind,
        message=message,
        language=language,
        person_id=person_id,
        dedupe_key=dedupe_key,
        expires_at=expires_at,
    )


def outbox_message_enqueue(
    *,
    kind: str,
    message: EmailMessage,
    language: str = "",
    person_id="",
    dedupe_key: str | None = None,
    expires_at=None,
) -> OutboxEmail | None:
    """``outbox_email_enqueue`` for a message already built (one recipient)."""
    row = outbox_row(
        kind=kind,
        message=message,
        language=language,
        person_id=person_id,
        dedupe_key=dedupe_key,
        expires_at=expires_at,
    )
    if dedupe_key is None:
        row.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            return None  # sent, or on its way, already
    outbox_deliver_soon()
    return row


def outbox_row(
    *, kind: str, message: EmailMessage, language="", person_id="", dedupe_key=None, expires_at=None
) -> OutboxEmail:
    """The unsaved row for a message, for callers that write many at once (``bulk_create``)."""
    (to,) = message.to
    content = {
        "subject": message.subject,
        "body": message.body,
        "from": message.from_email,
        "headers": dict(message.extra_headers),
        "attachments": [_attachment(item) for item in message.attachments],
        "alternatives": [[content, mimetype] for content, mimetype in _alternatives(message)],
    }
    return OutboxEmail(
        kind=kind,
        to=to,
        message=json.dumps(content, ensure_ascii=False),
        language=language[:8],
        person_id=str(person_id or "")[:36],
        dedupe_key=dedupe_key,
        expires_at=expires_at,
    )


def _alternatives(message: EmailMessage) -> list:
    return list(getattr(message, "alternatives", None) or [])


def _attachment(item) -> list[str]:
    filename, content, mimetype = item
    data = content.encode() if isinstance(content, str) else bytes(content)
    return [filename, base64.b64encode(data).decode("ascii"), mimetype]


def outbox_key(prefix: str, pk) -> str:
    """A dedupe key for the email about one row: ``<prefix>:<its primary key>``.

    A UUID is written without dashes, as SQLite stores it, so that
    ``outbox_sent_at`` can rebuild the key in SQL on either database.
    """
    return f"{prefix}:{pk.hex if isinstance(pk, uuid.UUID) else pk}"


def outbox_sent_at(prefix: str, field: str = "pk") -> Subquery:
    """When the email keyed ``outbox_key(prefix, <the row's field>)`` was sent, as an annotation.

    For an admin that shows "sent" next to the row the email was about.
    """
    key = Concat(
        Value(f"{prefix}:"),
        Replace(Cast(OuterRef(field), models.CharField()), Value("-"), Value("")),
    )
    return Subquery(
        OutboxEmail.objects.filter(dedupe_key=key, status__in=[Status.SENT, Status.SENDING])
        .order_by()
        .values("sent_at")[:1]
    )


def outbox_keys_existing(keys: Iterable[str]) -> set[str]:
    """Which of these dedupe keys have an email already (whatever became of it)."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(
            OutboxEmail.objects.filter(dedupe_key__in=keys[start : start + 500]).values_list(
                "dedupe_key", flat=True
            )
        )
    return found


def outbox_sent_times(keys: Iterable[str]) -> dict[str, object]:
    """When the emails with these dedupe keys were handed to the mail server, by key."""
    return dict(
        OutboxEmail.objects.filter(
            dedupe_key__in=list(keys), status__in=[Status.SENT, Status.SENDING]
        ).values_list("dedupe_key", "sent_at")
    )


def outbox_deliver_soon() -> None:
    """Ask a worker to deliver after this transaction commits.

    Asking twice costs a task that finds nothing due; a failure to ask
    (the task queue down) costs at most a minute, until the scheduled run.
    """
    transaction.on_commit(_deliver_enqueue, robust=True)


def _deliver_enqueue() -> None:
    from convoca.core.tasks import outbox_deliver_task

    outbox_deliver_task.enqueue()


def outbox_emails_erase_for_person(*, person_id) -> int:
    """Remove a person's emails not sent yet, and the address and text of those sent."""
    return _erase(OutboxEmail.objects.filter(person_id=str(person_id)))


def outbox_emails_erase(*, keys: Iterable[str]) -> int:
    """``outbox_emails_erase_for_person`` for the emails with these dedupe keys."""
    return _erase(OutboxEmail.objects.filter(dedupe_key__in=list(keys)))


def _erase(rows) -> int:
    # A row being sent this instant keeps its claim; its worker finds the text gone
    # only if it has not read it yet, and gives it up.
    removed, _ = rows.filter(status__in=DUE).delete()
    rows.exclude(status__in=DUE).update(to="", message="")
    return removed


def outbox_person_ids_waiting(*, kinds: Iterable[str] | None = None) -> models.QuerySet:
    """The ``person_id`` of emails still waiting or retrying (of these kinds)."""
    rows = OutboxEmail.objects.filter(
        status__in=[*DUE, Status.CLAIMED], person_id__gt=""
    ).values_list("person_id", flat=True)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows


def outbox_purge_old(*, now=None) -> int:
    """Forget what old emails said: sent or given up more than ``OUTBOX_KEEP_DAYS`` ago.

    Rows without a dedupe key are deleted; the others keep their key (so
    "at most once" still holds), their kind and dates, without the address
    or the text. Returns how many rows changed.
    """
    now = now or timezone.now()
    old = OutboxEmail.objects.filter(
        status__in=[Status.SENT, Status.GIVEN_UP, Status.SENDING],
        created_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS),
    )
    deleted, _ = old.filter(dedupe_key__isnull=True).delete()
    return deleted + old.exclude(to="").update(to="", message="")


def outbox_retry_now(*, ids: Iterable) -> int:
    """Make these waiting, retrying or given-up emails due at once; how many."""
    changed = OutboxEmail.objects.filter(
        pk__in=list(ids), status__in=[*DUE, Status.GIVEN_UP]
    ).update(status=Status.RETRYING, next_attempt_at=timezone.now())
    if changed:
        outbox_deliver_soon()
    return changed


@dataclass
class OutboxCount:
    kind: str
    counts: dict[str, int]  # by status

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def outbox_counts() -> tuple[list[tuple[str, str]], list[OutboxCount]]:
    """Emails per kind and status, for the admin: the statuses (value, label), then the rows."""
    table: dict[str, dict[str, int]] = {}
    for kind, status, count in (
        OutboxEmail.objects.order_by()
        .values_list("kind", "status")
        .annotate(count=models.Count("pk"))
    ):
        table.setdefault(kind, {})[status] = count
    rows = [
        OutboxCount(kind=kind, counts={value: table[kind].get(value, 0) for value in Status.values})
        for kind in sorted(table)
    ]
    return list(Status.choices), rows


# --- Delivering --------------------------------------------------------------------------


@dataclass
class OutboxResult:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    stopped: str = ""  # "connection" when the mail server could not be reached or went away

    @property
    def done(self) -> int:
        return self.sent + self.retrying + self.given_up


@dataclass
class _Claimed:
    pk: uuid.UUID
    to: str
    message: dict
    attempts: int
    created_at: object
    expires_at: object


def outbox_release_stale() -> int:
    """Give claims older than the lease back: their worker died before reaching a server."""
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    return _release(OutboxEmail.objects.filter(status=Status.CLAIMED, claimed_at__lt=cutoff))


def _release(rows) -> int:
    """Claimed rows back to due, as they were (nothing of them reached a server)."""
    released = rows.filter(attempts=0).update(status=Status.WAITING, claim=None, claimed_at=None)
    return released + rows.filter(attempts__gt=0).update(
        status=Status.RETRYING, claim=None, claimed_at=None
    )


def outbox_deliver(*, limit: int | None = None, backend=None) -> OutboxResult:
    """Send up to ``limit`` due emails over one connection, each exactly once.

    Safe to run in several workers at once and twice: each row is claimed
    by one. Stops when the mail server cannot be reached or goes away (the
    rows claimed wait for their retry). ``backend``: an email backend
    instance instead of the configured one.
    """
    limit = limit or settings.OUTBOX_BATCH_SIZE
    claim = uuid.uuid4()
    result = OutboxResult()
    transport = None
    try:
        while result.done < limit:
            rows = _claim(claim=claim, limit=min(settings.OUTBOX_CHUNK_SIZE, limit - result.done))
            if rows is None:
                break
            rows = _drop_suppressed(rows, result)
            if not rows:
                continue
            if transport is None:
                try:
                    transport = _transport_open(backend)
                except (OSError, smtplib.SMTPException) as error:
                    _retry_later(rows, mail_error_summary(error), result)
                    result.stopped = "connection"
                    break
            if not _send_chunk(transport, rows, claim, result):
                transport = None
                result.stopped = "connection"
                break
    finally:
        _release(OutboxEmail.objects.filter(claim=claim, status=Status.CLAIMED))
        if transport is not None:
            transport.close()
    return result


def _claim(*, claim: uuid.UUID, limit: int) -> list[_Claimed] | None:
    skip_locked = connection.features.has_select_for_update_skip_locked
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxEmail.objects.select_for_update(skip_locked=skip_locked)
            .filter(status__in=DUE, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return None
        OutboxEmail.objects.filter(pk__in=ids, status__in=DUE).update(
            status=Status.CLAIMED, claim=claim, claimed_at=now
        )
    rows = []
    for row in OutboxEmail.objects.filter(pk__in=ids, claim=claim, status=Status.CLAIMED).only(
        "pk", "to", "message", "attempts", "created_at", "expires_at"
    ):
        try:
            message = json.loads(row.message)
        except (ValueError, TypeError):
            message = None
        rows.append(_Claimed(row.pk, row.to, message, row.attempts, row.created_at, row.expires_at))
    return rows


def _deliverable(address: str) -> bool:
    return bool(address) and "@" in address and not any(c in address for c in " \t\r\n<>,;")


def _drop_suppressed(rows: list[_Claimed], result: OutboxResult) -> list[_Claimed]:
    addresses = [row.to for row in rows if _deliverable(row.to)]
    suppressed: set[str] = set()
    for check in _suppression_checks.values():
        suppressed |= check(addresses)
    now = timezone.now()
    keep, dropped, broken, expired = [], [], [], []
    for row in rows:
        if not _deliverable(row.to) or row.message is None:
            broken.append(row.pk)
        elif row.to in suppressed:
            dropped.append(row.pk)
        elif row.expires_at is not None and row.expires_at <= now:
            expired.append(row.pk)
        else:
            keep.append(row)
    for ids, reason in (
        (dropped, "suppressed"),
        (broken, "no address or message"),
        (expired, "expired"),
    ):
        if ids:
            OutboxEmail.objects.filter(pk__in=ids).update(
                status=Status.GIVEN_UP, last_error=reason, claim=None
            )
            result.given_up += len(ids)
    return keep


@cache
def _message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _email(row: _Claimed) -> EmailMessage:
    content = row.message
    message = EmailMultiAlternatives(
        subject=content["subject"],
        body=content["body"],
        from_email=content["from"],
        to=[row.to],
        headers={
            # The same row always has the same id: a receiver can tell a resend.
            "Message-ID": f"<{row.pk}@{_message_id_domain()}>",
            **{name: header_restore(name, value) for name, value in content["headers"].items()},
        },
        attachments=[
            (name, base64.b64decode(data), mimetype)
            for name, data, mimetype in content["attachments"]
        ]
        or None,
    )
    for alternative, mimetype in content.get("alternatives", ()):
        message.attach_alternative(alternative, mimetype)
    return message


_QP_UTF8 = Charset("utf-8")
_QP_UTF8.body_encoding = QP
_CRLF_POLICY = compat32.clone(linesep="\r\n")


def _message_bytes(row: _Claimed, message: EmailMessage) -> bytes:
    """The message as the mail server receives it.

    Most emails are one plain-text part with ASCII headers but the subject
    and the sender's name: those are built directly (a tenth of the time of
    Django's ``EmailMessage.message()``, which builds the rest).
    """
    content = row.message
    headers = {"Message-ID": f"<{row.pk}@{_message_id_domain()}>", **content["headers"]}
    simple = (
        not content["attachments"]
        and "List-Unsubscribe" not in headers  # folded by its own rule (core.mailheaders)
        and not content.get("alternatives")
        and row.to.isascii()
        and all(str(k).isascii() and str(v).isascii() for k, v in headers.items())
        and not any(c in value for value in (content["subject"], content["from"],
                                             *map(str, headers.values())) for c in "\r\n")
    )  # fmt: skip
    if not simple:
        return _EOL.sub(CRLF, message.message().as_bytes())
    body = content["body"]
    part = MIMEText(body, "plain", "us-ascii" if body.isascii() else _QP_UTF8)
    subject = content["subject"]
    part["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    part["From"] = formataddr(parseaddr(content["from"]), charset="utf-8")
    part["To"] = row.to
    part["Date"] = formatdate(usegmt=True)
    for name, value in headers.items():
        part[name] = value
    return part.as_bytes(policy=_CRLF_POLICY)


def _send_chunk(transport, rows: list[_Claimed], claim, result: OutboxResult) -> bool:
    """Send claimed rows; False when the connection failed and the batch must stop."""
    committer = SendingCommitter(
        claim,
        model=OutboxEmail,
        claimed=Status.CLAIMED,
        sending=Status.SENDING,
        durable=settings.OUTBOX_DURABLE_COMMIT,
    )
    pk_field = OutboxEmail._meta.pk
    accepted: list = []
    try:
        for row in rows:
            commit = Bound(committer, pk_field.get_db_prep_value(row.pk, connection))
            try:
                message = _email(row)
                data = _message_bytes(row, message) if isinstance(transport, SMTPTransport) else b""
            except Exception:  # a row that cannot be a message must not stop the others
                logger.exception("outbox email %s cannot be built", row.pk)
                OutboxEmail.objects.filter(pk=row.pk).update(
                    status=Status.GIVEN_UP, last_error="cannot be built", claim=None
                )
                result.given_up += 1
                continue
            try:
                if isinstance(transport, SMTPTransport):
                    ok, error = transport.send(
                        from_email=message.from_email, to=row.to, data=data, commit=commit
                    )
                    code, step = transport.refusal
                else:
                    ok, error, _provider_id = transport.send_message(message=message, commit=commit)
                    code, step = 0, ""
            except LostClaim:
                logger.warning("outbox email %s was taken over by another worker", row.pk)
                if isinstance(transport, SMTPTransport):
                    transport.open()
                continue
            if ok:
                accepted.append(row.pk)
                result.sent += 1
            elif code >= 500 and step in ("rcpt", "end"):
                # Refused for this address, or this message: trying again changes
                # nothing. (A 5xx to MAIL FROM or DATA is about the deployment:
                # retried below while an operator fixes it.)
                summary = f"SMTP {code} ({step})"
                OutboxEmail.objects.filter(pk=row.pk).update(
                    status=Status.GIVEN_UP,
                    last_error=summary,
                    attempts=row.attempts + 1,
                    claim=None,
                )
                result.given_up += 1
                if step == "rcpt":
                    for handler in _permanent_failure_handlers.values():
                        handler(row.to, summary)
            else:
                # A 4xx, a refusal of the sender, or a backend's failure: the
                # server kept nothing; later.
                summary = f"SMTP {code} ({step})" if code else error.split(":")[0][:100]
                _retry_later([row], summary, result, statuses=(Status.CLAIMED, Status.SENDING))
            if len(accepted) >= 50:
                _mark_sent(accepted)
                accepted = []
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("the mail server went away while sending the outbox")
        transport.abandon()
        # The row being sent, if not yet committed, and every one not reached
        # (those sent or decided already are not "claimed" any more).
        _retry_later(rows, mail_error_summary(error), result)
        return False
    finally:
        committer.close()
        _mark_sent(accepted)
    return True


def _mark_sent(ids: list) -> None:
    if ids:
        OutboxEmail.objects.filter(pk__in=ids).update(
            status=Status.SENT, attempts=models.F("attempts") + 1, claim=None
        )


def outbox_backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: doubling, capped, ±50% jitter."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 20)
    seconds = min(base, settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds * _random.uniform(0.5, 1.5))


def _retry_later(rows, summary: str, result: OutboxResult, statuses=(Status.CLAIMED,)) -> None:
    """Rows that failed for now: retry later, or give up once past the retry horizon."""
    now = timezone.now()
    horizon = timedelta(hours=settings.OUTBOX_RETRY_HOURS)
    for row in rows:
        attempts = row.attempts + 1
        give_up = now - row.created_at >= horizon or (
            row.expires_at is not None and row.expires_at <= now
        )
        if give_up:
            fields = {"status": Status.GIVEN_UP}
        else:
            fields = {"status": Status.RETRYING, "next_attempt_at": now + outbox_backoff(attempts)}
        # Only a row still claimed (or refused after its commit): one handed over
        # to a server that then went away stays "sending", never sent again.
        if OutboxEmail.objects.filter(pk=row.pk, status__in=statuses).update(
            attempts=attempts, last_error=summary[:100], claim=None, claimed_at=None, **fields
        ):
            if give_up:
                result.given_up += 1
            else:
                result.retrying += 1
