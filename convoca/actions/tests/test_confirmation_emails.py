"""Confirmation emails of a batch of signatures, over a real SMTP conversation (aiosmtpd)."""

from convoca.actions.models import Signature
from convoca.actions.services import SignatureData, signature_intake_create
from convoca.actions.services import signature_intake_process as record
from convoca.actions.tasks import signature_confirmation_emails_task
from convoca.core.crypto import email_index
from convoca.people.models import Person
from convoca.people.services import PersonData


def _accept(action, email, language="en"):
    person = PersonData(email=email, given_name="Ana", country="MX", language=language)
    signature_intake_create(
        action=action, data=SignatureData(person=person, form="actions:test", consents={})
    )


def test_a_batch_asks_each_signer_once_in_their_language_over_one_connection(
    appeal, make_action, smtp_sink, commit
):
    spanish = make_action(
        language="es", slug="levanten", title="Levanten las sanciones",
        translation_key=appeal.translation_key,
    )  # fmt: skip
    for n in range(5):
        _accept(appeal, f"en{n}@example.org")
    for n in range(3):
        _accept(spanish, f"es{n}@example.org", language="es")

    assert commit(record) == 8

    assert sorted(m["to"][0] for m in smtp_sink.messages) == sorted(
        [f"en{n}@example.org" for n in range(5)] + [f"es{n}@example.org" for n in range(3)]
    )
    assert len({m["connection"] for m in smtp_sink.messages}) == 1
    by_address = {m["to"][0]: m["message"] for m in smtp_sink.messages}
    assert "Lift the sanctions" in by_address["en0@example.org"].get_content()
    assert "Levanten las sanciones" in by_address["es0@example.org"].get_content()
    assert by_address["es0@example.org"]["Subject"] != by_address["en0@example.org"]["Subject"]

    # A task run again (a worker that died before marking it done) sends nothing more.
    ids = [str(pk) for pk in Signature.objects.values_list("pk", flat=True)]
    assert signature_confirmation_emails_task.call(signature_ids=ids) == 0
    assert len(smtp_sink.messages) == 8


def test_an_address_the_server_refuses_does_not_stop_the_rest_and_can_be_asked_again(
    appeal, smtp_sink, commit, caplog
):
    for n in range(4):
        _accept(appeal, f"p{n}@example.org")
    smtp_sink.refused = {"p1@example.org"}

    assert commit(record) == 4

    assert sorted(m["to"][0] for m in smtp_sink.messages) == [
        "p0@example.org",
        "p2@example.org",
        "p3@example.org",
    ]
    ours = "\n".join(
        r.getMessage() + str(r.exc_info) for r in caplog.records if r.name.startswith("convoca")
    )
    assert "SMTPRecipientsRefused 550" in ours
    assert "p1@example.org" not in ours  # no address in our logs
    refused = Person.objects.get(email_index=email_index("p1@example.org"))
    assert refused.confirmation_sent_at is None  # the day's one email was not used up
    assert Signature.objects.count() == 4  # the signature itself is kept

    smtp_sink.refused = set()
    ids = [str(pk) for pk in Signature.objects.values_list("pk", flat=True)]
    assert signature_confirmation_emails_task.call(signature_ids=ids) == 1
    assert smtp_sink.messages[-1]["to"] == ["p1@example.org"]
