"""Confirmation emails of a batch of signatures, over a real SMTP conversation (aiosmtpd)."""

from convoca.actions.emails import signature_confirmation_emails_enqueue
from convoca.actions.models import Signature
from convoca.actions.services import SignatureData, signature_intake_create
from convoca.actions.services import signature_intake_process as record
from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver
from convoca.mailings.models import Suppression
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

    # Asked again the same day (a second form, a batch recorded twice): nothing more.
    signatures = list(Signature.objects.select_related("action", "person"))
    assert commit(signature_confirmation_emails_enqueue, signatures=signatures) == 0
    assert outbox_deliver().sent == 0
    assert len(smtp_sink.messages) == 8


def test_an_address_the_server_refuses_does_not_stop_the_rest_and_a_deferred_one_arrives_later(
    appeal, smtp_sink, commit, caplog
):
    for n in range(4):
        _accept(appeal, f"p{n}@example.org")
    smtp_sink.refused = {"p1@example.org"}
    smtp_sink.deferred = {"p2@example.org"}

    assert commit(record) == 4

    assert sorted(m["to"][0] for m in smtp_sink.messages) == ["p0@example.org", "p3@example.org"]
    ours = "\n".join(
        r.getMessage() + str(r.exc_info) for r in caplog.records if r.name.startswith("convoca")
    )
    assert "@example.org" not in ours  # no address in our logs
    errors = dict(OutboxEmail.objects.values_list("status", "last_error").exclude(last_error=""))
    assert errors == {"given_up": "SMTP 550 (rcpt)", "retrying": "SMTP 451 (rcpt)"}
    assert Suppression.objects.filter(reason=Suppression.Reason.BOUNCED).count() == 1
    assert Signature.objects.count() == 4  # the signatures themselves are kept

    # The server takes the deferred one later; the refused address is not tried again.
    smtp_sink.refused = smtp_sink.deferred = set()
    OutboxEmail.objects.update(next_attempt_at=OutboxEmail.objects.latest("created_at").created_at)
    assert outbox_deliver().sent == 1
    assert smtp_sink.messages[-1]["to"] == ["p2@example.org"]
    assert len(smtp_sink.messages) == 3
