"""The migrations that encrypt personal data carry every clear value over, and back."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from convoca.coalition.models import JoinRequest, WorkingGroupMember
from convoca.core.crypto import value_index
from convoca.donations.models import OfflineGift
from convoca.events.models import HostMessage
from convoca.people.models import Person

BEFORE = [
    ("people", "0002_person_confirmation_sent_at"),
    ("coalition", "0004_workinggroup_mailing_list"),
    ("donations", "0001_initial"),
    ("events", "0001_initial"),
]
AFTER = [
    ("people", "0004_person_place_compact"),
    ("coalition", "0006_working_group_names_compact"),
    ("donations", "0003_offline_gift_note_compact"),
    ("events", "0003_host_message_compact"),
]
#: Values found nowhere else, even inside a ciphertext.
CLEAR = [
    "ZQ1A 1AA", "Zqtucson", "Zqphoenix", "Zqana L.", "Zqben K.", "Zqbenjamin", "Zqcarla M.",
    "Zqdolores", "Zqelm Street", "Meet at Zqhome", "Zqmanycity", "ZQ2B",
]  # fmt: skip


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}"
        )
        return sorted(row[0] for row in cursor.fetchall())


def _clear_rows(old):
    organisation = old.get_model("coalition", "Organisation").objects.create(
        name="Solidarity Network", slug="sn", country="US"
    )
    Person = old.get_model("people", "Person")
    ana = Person.objects.create(id=uuid.uuid4(), postal_code="ZQ1A 1AA", city="Zqtucson")
    ben = Person.objects.create(id=uuid.uuid4(), city="Zqphoenix")
    Person.objects.create(id=uuid.uuid4())  # nothing to encrypt
    Person.objects.bulk_create(  # enough rows to fill pages that the migration frees
        Person(id=uuid.uuid4(), postal_code="ZQ2B", city="Zqmanycity") for _ in range(300)
    )
    group = old.get_model("coalition", "WorkingGroup").objects.create(slug="g", name_en="G")
    member = old.get_model("coalition", "WorkingGroupMember")
    member.objects.create(group=group, person=ana, public_name="Zqana L.")
    member.objects.create(group=group, person=ben, public_name="Zqben K.")
    old.get_model("coalition", "JoinRequest").objects.create(
        id=uuid.uuid4(), group=group, person=ben, public_name="Zqbenjamin", reviewed_by="Zqcarla M."
    )
    fundraiser = old.get_model("donations", "Fundraiser").objects.create(
        slug="f", organisation=organisation, title_en="F", title_es="F", goal=1000
    )
    old.get_model("donations", "OfflineGift").objects.create(
        fundraiser=fundraiser, amount=100, method="cash", note="From Zqdolores, at the rally"
    )
    start = timezone.now() + timedelta(days=1)
    event = old.get_model("events", "Event").objects.create(
        language="en",
        title="E",
        slug="e",
        organisation=organisation,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    old.get_model("events", "HostMessage").objects.create(
        event=event, subject="Meet at Zqhome", body="12 Zqelm Street, ring twice"
    )
    return ana.pk, ben.pk


@pytest.mark.django_db(transaction=True)
def test_clear_personal_values_are_encrypted_by_the_migrations_and_restored_by_reversing_them():
    if connection.vendor == "sqlite":
        # As a database made before Convoca set secure_delete, or by a SQLite
        # that does not zero freed space by default: only the rewrite clears it.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=OFF")
    try:
        ana_pk, ben_pk = _clear_rows(_migrate(BEFORE))

        _migrate(AFTER)

        everything = " ".join(
            str(value)
            for table, column in [
                ("people_person", "postal_code"),
                ("people_person", "city"),
                ("coalition_workinggroupmember", "public_name"),
                ("coalition_joinrequest", "public_name"),
                ("coalition_joinrequest", "reviewed_by"),
                ("donations_offlinegift", "note"),
                ("events_hostmessage", "subject"),
                ("events_hostmessage", "body"),
            ]
            for value in _raw(table, column)
        )
        for clear in CLEAR:
            assert clear not in everything
        if connection.vendor == "sqlite":  # nor in the file, where the old rows were
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            stored = Path(connection.settings_dict["NAME"]).read_bytes()
            assert [clear for clear in CLEAR if clear.encode() in stored] == []
        ana = Person.objects.get(pk=ana_pk)
        assert (ana.postal_code, ana.city) == ("ZQ1A 1AA", "Zqtucson")
        assert (
            Person.objects.get(
                postal_code_index=value_index("zq1a1aa", purpose="postal_code"),
                city_index=value_index("ZQTUCSON", purpose="locality"),
            )
            == ana
        )
        assert Person.objects.get(pk=ben_pk).city == "Zqphoenix"
        assert Person.objects.filter(city_index__isnull=True).count() == 1
        assert (
            Person.objects.filter(city_index=value_index("zqmanycity", purpose="locality")).count()
            == 300
        )
        members = list(WorkingGroupMember.objects.all())
        assert sorted(m.public_name for m in members) == ["Zqana L.", "Zqben K."]
        assert len({m.row_key for m in members}) == 2  # each row bound to a key of its own
        join = JoinRequest.objects.get()
        assert (join.public_name, join.reviewed_by) == ("Zqbenjamin", "Zqcarla M.")
        assert OfflineGift.objects.get().note == "From Zqdolores, at the rally"
        message = HostMessage.objects.get()
        assert (message.subject, message.body) == ("Meet at Zqhome", "12 Zqelm Street, ring twice")

        _migrate(BEFORE)

        assert set(_raw("people_person", "city")) == {"", "Zqphoenix", "Zqtucson", "Zqmanycity"}
        assert set(_raw("people_person", "postal_code")) == {"", "ZQ1A 1AA", "ZQ2B"}
        assert _raw("donations_offlinegift", "note") == ["From Zqdolores, at the rally"]
        assert _raw("events_hostmessage", "body") == ["12 Zqelm Street, ring twice"]
        assert _raw("coalition_joinrequest", "reviewed_by") == ["Zqcarla M."]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete=ON")
