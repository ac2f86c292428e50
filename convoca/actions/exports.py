"""Signature lists staff take away: who may take which rows, and the record that they did.

A signature reveals a political opinion, so an export is special-category
data leaving the platform. The rule, applied by ``signature_export_rows``:

- a coordinator may export every signature of an action, in all its
  language versions;
- an organiser of the organisation that owns the action may export every
  signature of it: the signers signed that organisation's action (except
  signatures made on a language version another organisation owns: those
  are that organisation's);
- an organiser of a co-sponsor that does not own the action may export only
  the signers who have a consent in force (not withdrawn, purpose
  ``contact``) to that co-sponsor; a co-sponsor's staff do not reach an
  action in the organiser interface yet (it is scoped by owner), so this
  case is the rule, ready for when they do;
- a viewer, or anyone else, may export nothing: viewers read figures,
  taking personal data away is an organiser's or a coordinator's right.

Only confirmed signatures are exported. Erased people stay in the file,
since their signature still counts, with every personal cell empty. Every
export, finished or interrupted, leaves one ``AuditEntry`` with the number
of rows written. Rows are never logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from convoca.actions.models import Action, PledgeQuestion, Signature
from convoca.core.csv import csv_stream_audited
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.people.models import Consent

AUDIT_VERB = "export signatures"

#: Rows read from the database at a time: memory stays flat for millions.
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class _Scope:
    """Which signatures of a translation group one staff member may export."""

    everything: bool = False
    #: Organisations whose own language versions' signatures may all be exported.
    owners: frozenset[int] = frozenset()
    #: Co-sponsors whose consenting signers may be exported.
    co_sponsors: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return self.everything or bool(self.owners) or bool(self.co_sponsors)


def _export_scope(*, action: Action, user: AbstractBaseUser) -> _Scope:
    if user_is_coordinator(user):
        return _Scope(everything=True)
    editable = organisation_ids_for_user(user, can_edit=True)
    owners = frozenset(editable) if action.organisation_id in editable else frozenset()
    co_sponsors = frozenset(action.co_sponsors.filter(pk__in=editable).values_list("pk", flat=True))
    return _Scope(owners=owners, co_sponsors=co_sponsors - owners)


def signature_export_allowed(*, action: Action, user: AbstractBaseUser) -> bool:
    """Whether ``user`` may export signatures of ``action`` (see the module's rule)."""
    return bool(_export_scope(action=action, user=user))


def signature_list_exportable(*, action: Action, user: AbstractBaseUser) -> QuerySet[Signature]:
    """The signatures of ``action`` (all languages) that ``user`` may export, oldest first.

    Raises ``PermissionDenied`` when the user may export none. An organiser
    takes all signatures made on language versions their organisations own:
    a version another organisation joined to the group does not open the
    owner's signers to it, nor the other way round.
    """
    scope = _export_scope(action=action, user=user)
    if not scope:
        raise PermissionDenied
    # Only confirmed addresses: an unconfirmed one may belong to someone who
    # never signed, and a list would wrongly attribute an opinion to them.
    signatures = Signature.objects.filter(
        translation_key=action.translation_key, confirmed_at__isnull=False
    )
    if not scope.everything:
        consented = Consent.objects.filter(
            person=OuterRef("person"),
            organisation_id__in=scope.co_sponsors,
            purpose=Consent.Purpose.CONTACT,
            withdrawn_at__isnull=True,
        )
        signatures = signatures.filter(
            Q(action__shared__organisation_id__in=scope.owners) | Q(Exists(consented))
        )
    return signatures.select_related("person").order_by("created_at", "pk")


def signature_export_questions(*, action: Action) -> list[PledgeQuestion]:
    """A pledge's questions in all its languages: one column each, after the fixed ones."""
    return list(
        PledgeQuestion.objects.filter(action__shared_id=action.shared_id).order_by(
            "action__language", "position", "text"
        )
    )


def signature_export_header(questions: Sequence[PledgeQuestion] = ()) -> list[str]:
    """The export's columns; a pledge's questions last, by their text.

    An answer to a sensitive question is exported sealed (``sealed:…``):
    ``convoca pledgekey open`` opens the file on the organisation's computer.
    """
    return [
        gettext("signed at"),
        gettext("confirmed at"),
        gettext("email"),
        gettext("given name"),
        gettext("family name"),
        gettext("country code"),
        gettext("city"),
        gettext("postal code"),
        gettext("language"),
        gettext("organisation"),
        gettext("role"),
        gettext("members represented"),
        gettext("comment"),
        gettext("appears as"),
        gettext("source"),
        gettext("language version"),
        *(question.text for question in questions),
    ]


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _row(
    signature: Signature,
    versions: dict[int, str],
    appears_as: dict[str, str],
    question_ids: Sequence[str] = (),
) -> list[str]:
    person = signature.person
    members = signature.members_represented
    personal = [
        person.email,
        person.given_name,
        person.family_name,
        person.city,
        person.postal_code,
        signature.organisation_name,
        signature.role,
        "" if members is None else str(members),
        signature.comment,
    ]
    if person.erased_at:
        # Erasure has emptied these already; this holds even for a row
        # erased half-way or restored from an old backup.
        personal = [""] * len(personal)
    email, given, family, city, postal_code, organisation, role, members_cell, comment = personal
    answers = {}
    if question_ids and signature.answers and not person.erased_at:
        answers = json.loads(signature.answers)
    return [
        _iso(signature.created_at),
        _iso(signature.confirmed_at),
        email,
        given,
        family,
        signature.country.code or "",
        city,
        postal_code,
        person.language,
        organisation,
        role,
        members_cell,
        comment,
        appears_as.get(signature.visibility, signature.visibility),
        signature.source,
        versions.get(signature.action_id, ""),
        *(answers.get(question_id, "") for question_id in question_ids),
    ]


def signature_export_rows(*, action: Action, user: AbstractBaseUser) -> Iterator[list[str]]:
    """The rows of ``user``'s export of ``action``, in ``signature_export_header`` order.

    Checks the rule at once and raises ``PermissionDenied`` before any row;
    then reads the signatures in chunks, never all at once.
    """
    signatures = signature_list_exportable(action=action, user=user)
    versions = dict(Action.objects.filter(shared_id=action.shared_id).values_list("pk", "language"))
    questions = [str(q.pk) for q in signature_export_questions(action=action)]
    return _rows(signatures, versions, questions)


def _rows(
    signatures: QuerySet[Signature], versions: dict[int, str], question_ids: list[str]
) -> Iterator[list[str]]:
    # The labels once per export, in the language active as it is read:
    # get_visibility_display() would hash the lazy choices again for every row
    # (a third of the export's time).
    appears_as = {value: str(label) for value, label in Signature.Visibility.choices}
    for signature in signatures.iterator(chunk_size=CHUNK_SIZE):
        yield _row(signature, versions, appears_as, question_ids)


def signature_export_filename(*, action: Action) -> str:
    """A file name that says what and when, and nothing about anyone."""
    return f"signatures-{action.slug}-{timezone.localdate():%Y-%m-%d}.csv"


def signature_export_csv(*, action: Action, user: AbstractBaseUser) -> Iterator[bytes]:
    """Stream ``user``'s export of ``action`` as CSV and record it in the audit trail.

    Raises ``PermissionDenied`` before the first byte if the user may not
    export. When the stream ends, finished or interrupted by a closed
    download, one ``AuditEntry`` records the rows handed to the CSV writer
    (if interrupted, possibly one chunk more than the client received:
    the trail errs towards more, never fewer).
    """
    return csv_stream_audited(
        signature_export_rows(action=action, user=user),
        header=signature_export_header(signature_export_questions(action=action)),
        user=user,
        organisation=action.organisation,
        verb=AUDIT_VERB,
        target=action.title,
    )
