"""The fast half of signing: the form is stored at once, recorded moments later."""

from django.db import connection

from convoca.actions.models import Action, Signature, SignatureIntake
from convoca.actions.selectors import action_figures
from convoca.actions.services import (
    SignatureData,
    signature_intake_create,
    signature_intake_process,
)
from convoca.people.models import Person
from convoca.people.services import PersonData


def _data(email="ana@example.org", **fields):
    return SignatureData(
        person=PersonData(email=email, given_name="Zenobia", country="MX", language="es"),
        consents={},
        form="actions:test",
        **fields,
    )


def test_an_accepted_form_is_stored_encrypted_until_a_worker_records_it(appeal):
    signature_intake_create(action=appeal, data=_data(role="Nurse"))

    assert Signature.objects.count() == 0
    with connection.cursor() as cursor:
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
    Action.objects.filter(pk=appeal.pk).update(status=Action.Status.CLOSED)
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
