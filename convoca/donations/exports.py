"""The gifts of a fundraiser, as a CSV file staff take away, with the record that they did.

Who may export: a coordinator, or an organiser (not a viewer) of the
organisation that owns the fundraiser. The file lists every gift, online
payments and offline gifts, with the donor's details: an organisation keeps
records of the money it received. Whether each donor agreed to hear from
the organisation is a column of its own, so the file is not mistaken for a
mailing list. Erased donors keep their gifts, with every personal cell
empty. Every cell goes through ``csv_safe`` (no formula runs in a
spreadsheet); every export, finished or not, leaves one ``AuditEntry``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from convoca.core.csv import csv_stream_audited
from convoca.donations.models import Fundraiser, OfflineGift, Payment, minor_to_major
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.people.models import Consent

AUDIT_VERB = "export donations"
CHUNK_SIZE = 2000


def gift_export_allowed(*, fundraiser: Fundraiser, user: AbstractBaseUser) -> bool:
    return user_is_coordinator(user) or fundraiser.organisation_id in organisation_ids_for_user(
        user, can_edit=True
    )


def gift_export_header() -> list[str]:
    return [
        gettext("date"),
        gettext("kind"),
        gettext("frequency"),
        gettext("amount"),
        gettext("refunded"),
        gettext("counted"),
        gettext("currency"),
        gettext("email"),
        gettext("given name"),
        gettext("family name"),
        gettext("language"),
        gettext("may be contacted"),
        gettext("appears in the donor list"),
        gettext("public name"),
        gettext("method"),
        gettext("note"),
        gettext("reference"),
    ]


def _yes(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def _person_cells(donor, contact: bool) -> list[str]:
    if donor is None:
        return ["", "", "", "", "", "", ""]
    person = donor.person
    if person.erased_at:
        return ["", "", "", person.language, _yes(False), _yes(False), ""]
    return [
        person.email,
        person.given_name,
        person.family_name,
        person.language,
        _yes(contact),
        _yes(donor.listed),
        donor.public_name if donor.listed else "",
    ]


def gift_export_rows(*, fundraiser: Fundraiser, user: AbstractBaseUser) -> Iterator[list[str]]:
    """Rows in ``gift_export_header`` order: online payments, then offline gifts, oldest first."""
    if not gift_export_allowed(fundraiser=fundraiser, user=user):
        raise PermissionDenied

    def contact(person_path: str):
        return Exists(
            Consent.objects.filter(
                person=OuterRef(person_path),
                organisation_id=fundraiser.organisation_id,
                purpose=Consent.Purpose.CONTACT,
                withdrawn_at__isnull=True,
            )
        )

    payments = (
        Payment.objects.filter(fundraiser=fundraiser)
        .select_related("donation__donor__person")
        .annotate(contact=contact("donation__donor__person"))
        .order_by("paid_at", "pk")
    )
    offline = (
        OfflineGift.objects.filter(fundraiser=fundraiser)
        .select_related("donor__person")
        .annotate(contact=contact("donor__person"))
        .order_by("received_on", "pk")
    )
    currency = fundraiser.currency

    def online_rows():
        for p in payments.iterator(chunk_size=CHUNK_SIZE):
            yield [
                timezone.localtime(p.paid_at).isoformat(timespec="seconds"),
                gettext("online"),
                p.donation.get_frequency_display(),
                minor_to_major(p.amount),
                minor_to_major(p.refunded),
                minor_to_major(p.counted),
                currency,
                *_person_cells(p.donation.donor, p.contact),
                "",
                "",
                p.reference,
            ]

    def offline_rows():
        for g in offline.iterator(chunk_size=CHUNK_SIZE):
            yield [
                g.received_on.isoformat(),
                gettext("offline"),
                gettext("one-off"),
                minor_to_major(g.amount),
                "0",
                minor_to_major(g.amount),
                currency,
                *_person_cells(g.donor, g.contact),
                g.get_method_display(),
                g.note,
                "",
            ]

    return chain(online_rows(), offline_rows())


def gift_export_filename(*, fundraiser: Fundraiser) -> str:
    return f"donations-{fundraiser.slug}-{timezone.localdate():%Y-%m-%d}.csv"


def gift_export_csv(*, fundraiser: Fundraiser, user: AbstractBaseUser) -> Iterator[bytes]:
    """Stream the export and record it in the audit trail when the stream ends."""
    return csv_stream_audited(
        gift_export_rows(fundraiser=fundraiser, user=user),
        header=gift_export_header(),
        user=user,
        organisation=fundraiser.organisation,
        verb=AUDIT_VERB,
        target=fundraiser.text_in("title", settings.LANGUAGE_CODE),
    )
