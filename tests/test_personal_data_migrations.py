"""The migrations that encrypt personal data carry every clear value over, and back."""

import uuid
from datetime import timedelta

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
    ("people", "0003_person_place_encrypted"),
    ("coalition", "0005_working_group_names_encrypted"),
    ("donations", "0002_offline_gift_note_encrypted"),
    ("events", "0002_host_message_encrypted"),
]


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
    ana = Person.objects.create(id=uuid.uuid4(), postal_code="SW1A 1AA", city="Tucson")
    ben = Person.objects.create(id=uuid.uuid4(), city="Phoenix")
    Person.objects.create(id=uuid.uuid4())  # nothing to encrypt
    group = old.get_model("coalition", "WorkingGroup").objects.create(slug="g", name_en="G")
    member = old.get_model("coalition", "WorkingGroupMember")
    member.objects.create(group=group, person=ana, public_name="Ana L.")
    member.objects.create(group=group, person=ben, public_name="Ben K.")
    old.get_model("coalition", "JoinRequest").objects.create(
        id=uuid.uuid4(), group=group, person=ben, public_name="Benjamin", reviewed_by="Carla M."
    )
    fundraiser = old.get_model("donations", "Fundraiser").objects.create(
        slug="f", organisation=organisation, title_en="F", title_es="F", goal=1000
    )
    old.get_model("donations", "OfflineGift").objects.create(
        fundraiser=fundraiser, amount=100, method="cash", note="From Dolores, at the rally"
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
        event=event, subject="Meet at my home", body="12 Elm Street, ring twice"
    )
    return ana.pk, ben.pk


@pytest.mark.django_db(transaction=True)
def test_clear_personal_values_are_encrypted_by_the_migrations_and_restored_by_reversing_them():
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
        for clear in ("SW1A", "Tucson", "Phoenix", "Ana L.", "Benjamin", "Carla", "Dolores", "Elm"):
            assert clear not in everything
        ana = Person.objects.get(pk=ana_pk)
        assert (ana.postal_code, ana.city) == ("SW1A 1AA", "Tucson")
        assert (
            Person.objects.get(
                postal_code_index=value_index("sw1a1aa", purpose="postal_code"),
                city_index=value_index("TUCSON", purpose="locality"),
            )
            == ana
        )
        assert Person.objects.get(pk=ben_pk).city == "Phoenix"
        assert Person.objects.filter(city_index__isnull=True).count() == 1
        members = list(WorkingGroupMember.objects.all())
        assert sorted(m.public_name for m in members) == ["Ana L.", "Ben K."]
        assert len({m.row_key for m in members}) == 2  # each row bound to a key of its own
        join = JoinRequest.objects.get()
        assert (join.public_name, join.reviewed_by) == ("Benjamin", "Carla M.")
        assert OfflineGift.objects.get().note == "From Dolores, at the rally"
        message = HostMessage.objects.get()
        assert (message.subject, message.body) == ("Meet at my home", "12 Elm Street, ring twice")

        _migrate(BEFORE)

        assert _raw("people_person", "city") == ["", "Phoenix", "Tucson"]
        assert _raw("people_person", "postal_code") == ["", "", "SW1A 1AA"]
        assert _raw("donations_offlinegift", "note") == ["From Dolores, at the rally"]
        assert _raw("events_hostmessage", "body") == ["12 Elm Street, ring twice"]
        assert _raw("coalition_joinrequest", "reviewed_by") == ["Carla M."]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
