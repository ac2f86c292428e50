"""The fast half of signing: the form is stored at once, recorded moments later."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connections

from convoca.actions.models import Signature, SignatureIntake
from convoca.actions.routers import intake_database
from convoca.actions.selectors import action_figures
from convoca.actions.services import (
    SignatureData,
    action_close,
    signature_intake_create,
    signature_intake_process,
)
from convoca.people.models import Person
from convoca.people.services import PersonData


def _data(email="ana@example.org", **fields):
    return SignatureData(
        person=PersonData(email=email, given_name="Zenobia", country="MX", language="es"),
        form="actions:test",
        **{"consents": {}, **fields},
    )


def test_an_accepted_form_is_stored_encrypted_until_a_worker_records_it(appeal):
    signature_intake_create(action=appeal, data=_data(role="Nurse"))

    assert Signature.objects.count() == 0
    with connections[intake_database()].cursor() as cursor:
        cursor.execute("SELECT payload FROM actions_signatureintake")
        [(payload,)] = cursor.fetchall()
    assert "ana@example.org" not in payload and "Zenobia" not in payload

    assert signature_intake_process() == 1

    signature = Signature.objects.get()
    assert signature.person.email == "ana@example.org"
    assert signature.person.language == "es"
    assert signature.role == "Nurse"
    assert not SignatureIntake.objects.exists()
    assert signature_intake_process() == 0


def test_recording_the_same_form_twice_makes_one_signature(appeal):
    signature_intake_create(action=appeal, data=_data())
    signature_intake_create(action=appeal, data=_data(email="ANA@example.org "))
    assert signature_intake_process() == 2
    assert Signature.objects.count() == 1
    assert Person.objects.count() == 1


def test_a_form_accepted_before_the_action_closed_is_still_recorded(appeal):
    signature_intake_create(action=appeal, data=_data())
    action_close(action=appeal)
    assert signature_intake_process() == 1
    assert Signature.objects.count() == 1


def test_count_on_submit_counts_when_recorded(make_action):
    action = make_action(count_on_submit=True, slug="fast")
    signature_intake_create(action=action, data=_data())
    assert action_figures(action).count == 0
    signature_intake_process()
    assert action_figures(action).count == 1


def test_many_intakes_are_recorded_in_batches_and_a_broken_one_does_not_stop_the_rest(appeal):
    for n in range(7):
        signature_intake_create(action=appeal, data=_data(email=f"p{n}@example.org"))
    broken = SignatureIntake.objects.order_by("created_at").first()
    SignatureIntake.objects.filter(pk=broken.pk).update(payload="")  # cannot be read back

    assert signature_intake_process(batch=3) == 6

    assert Signature.objects.count() == 6
    assert list(SignatureIntake.objects.values_list("pk", flat=True)) == [broken.pk]


def test_a_batch_records_new_known_and_repeated_addresses_once_each_with_their_consents(
    appeal, make_action, organisation, django_capture_on_commit_callbacks
):
    from django.core import mail

    from convoca.actions import services
    from convoca.people.models import Activity, Consent

    other = make_action(slug="other", title="Other appeal")
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_create(action=other, data=_data(email="known@example.org"))
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    signature_intake_create(action=appeal, data=_data(email="new@example.org", role="Nurse"))
    signature_intake_create(action=appeal, data=_data(email="Known@example.org"))
    signature_intake_create(
        action=appeal,
        data=_data(email="twice@example.org", consents={organisation.pk: "May email me."}),
    )
    signature_intake_create(action=appeal, data=_data(email=" TWICE@example.org"))

    with django_capture_on_commit_callbacks(execute=True):
        assert signature_intake_process() == 4

    signatures = Signature.objects.filter(action=appeal)
    assert sorted(s.person.email for s in signatures) == [
        "known@example.org",
        "new@example.org",
        "twice@example.org",
    ]
    assert Person.objects.count() == 3
    [new] = [s.person for s in signatures if s.role == "Nurse"]
    assert (new.given_name, new.country, new.language) == ("Zenobia", "MX", "es")
    assert Activity.objects.filter(person=new, organisation=organisation).count() == 1
    assert Consent.objects.filter(person__email_index=new.email_index).count() == 0
    assert Consent.objects.filter(organisation=organisation).count() == 1
    # One email per address and day: "known" had one already for the other appeal.
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.org", "twice@example.org"]
    assert not SignatureIntake.objects.exists()


def test_a_person_created_meanwhile_is_read_again_and_signs_once(appeal, monkeypatch):
    from convoca.actions import services
    from convoca.people import services as people_services

    services.signature_create(action=appeal, data=_data(email="ana@example.org"))
    signature_intake_create(action=appeal, data=_data(email="ana@example.org"))
    signature_intake_create(action=appeal, data=_data(email="bea@example.org"))
    read = people_services._people_by_index
    stale = iter([True])

    def stale_once(indexes):  # the first read misses Ana, as if another worker created her
        return {} if next(stale, False) else read(indexes)

    monkeypatch.setattr(people_services, "_people_by_index", stale_once)

    assert signature_intake_process() == 2

    assert Signature.objects.count() == 2
    assert Person.objects.count() == 2
    assert not SignatureIntake.objects.exists()


def test_a_zero_and_an_empty_answer_are_recorded_as_given(appeal):
    signature_intake_create(action=appeal, data=_data(members_represented=0, role=""))
    signature_intake_process()
    signature = Signature.objects.get()
    assert (signature.members_represented, signature.role) == (0, "")


def test_the_forms_of_an_action_deleted_meanwhile_are_dropped_and_the_rest_recorded(
    appeal, make_action
):
    gone = make_action(slug="gone", title="Withdrawn appeal")
    signature_intake_create(action=gone, data=_data(email="a@example.org"))
    signature_intake_create(action=appeal, data=_data(email="b@example.org"))
    gone.delete()  # no constraint links an intake to its action (they may be in two files)

    assert signature_intake_process() == 2

    assert [s.person.email for s in Signature.objects.all()] == ["b@example.org"]
    assert not SignatureIntake.objects.exists()


@pytest.mark.skipif(intake_database() == "default", reason="intakes have no file of their own")
def test_upgrading_moves_the_forms_waiting_in_the_main_file_to_the_intake_file(appeal):
    """Before intakes had a file of their own, they waited in the main one."""
    move = import_module(
        "convoca.actions.migrations.0004_signatureintake_move_to_own_database"
    ).intakes_move
    signature_intake_create(action=appeal, data=_data(email="waiting@example.org"))
    intakes, main = connections[intake_database()], connections["default"]
    with intakes.cursor() as cursor:
        cursor.execute("SELECT id, action_id, payload, created_at FROM actions_signatureintake")
        rows = cursor.fetchall()
        cursor.execute("DELETE FROM actions_signatureintake")
    with main.cursor() as cursor:  # the table as it was in the main file
        cursor.execute(
            "CREATE TABLE actions_signatureintake (id char(32) NOT NULL PRIMARY KEY, "
            "action_id bigint NOT NULL, payload text NOT NULL, created_at datetime NOT NULL)"
        )
        cursor.executemany("INSERT INTO actions_signatureintake VALUES (%s, %s, %s, %s)", rows)

    move(None, SimpleNamespace(connection=intakes))
    move(None, SimpleNamespace(connection=intakes))  # run again after a crash: nothing twice

    with main.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM actions_signatureintake")
        assert cursor.fetchone() == (0,)
    assert signature_intake_process() == 1
    assert Signature.objects.get().person.email == "waiting@example.org"


sqlite_intake_file = pytest.mark.skipif(
    "intake_database() == 'default'",
    reason="intakes beside the signatures (PostgreSQL) are taken with row locks, not claims",
)


@sqlite_intake_file
def test_two_workers_never_record_the_same_forms(appeal, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from convoca.actions import services

    for n in range(3):
        signature_intake_create(action=appeal, data=_data(email=f"p{n}@example.org"))
    held = services._intakes_claim(2)  # another worker is recording these two

    with django_capture_on_commit_callbacks(execute=True):
        assert signature_intake_process() == 1
    assert [s.person.email for s in Signature.objects.all()] == ["p2@example.org"]
    assert sorted(SignatureIntake.objects.values_list("pk", flat=True)) == sorted(
        intake.pk for intake in held
    )

    # That worker died: once its claim is a lease old, the forms are taken over, once.
    SignatureIntake.objects.update(
        claimed_at=timezone.now() - services.INTAKE_CLAIM_LEASE - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert signature_intake_process() == 2
    assert Signature.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@example.org" for n in range(3)]
    assert not SignatureIntake.objects.exists()
