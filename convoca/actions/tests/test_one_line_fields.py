"""A line break typed in a name stays on one line: in the row, the email and its headers."""

import re

import pytest

from convoca.actions.models import Action, Signature
from convoca.actions.services import SignatureData, signature_intake_create
from convoca.actions.services import signature_intake_process as record
from convoca.people.services import PersonData

INJECTION = "Ana\r\nBcc: x@example.org"


def _lines(raw: bytes) -> list[bytes]:
    return re.split(rb"\r?\n", raw)


def test_a_line_break_in_a_signers_name_is_one_line_in_the_row_and_the_email(
    appeal, sign, smtp_sink
):
    response = sign(appeal, given_name=INJECTION, family_name="López\u2028Cc: y@example.org")

    assert response.status_code == 302
    person = Signature.objects.get().person
    assert person.given_name == "Ana Bcc: x@example.org"
    assert person.family_name == "López Cc: y@example.org"
    [received] = smtp_sink.messages
    assert received["to"] == ["ana@example.org"]
    lines = _lines(received["raw"])
    assert not [line for line in lines if line.lower().startswith((b"bcc:", b"cc:"))]
    assert "Hello Ana Bcc: x@example.org," in received["message"].get_content()


def test_bidirectional_controls_are_removed_from_every_one_line_field(make_action, sign, smtp_sink):
    action = make_action(ask_organisation=Action.Ask.OPTIONAL, ask_place=Action.Ask.OPTIONAL)
    sign(
        action,
        given_name="Ana\u202enoitingi",
        organisation_name="Union\u2066 of\u2069 Nurses\u0085",
        city="Tucson\u202a",
    )

    signature = Signature.objects.select_related("person").get()
    assert signature.person.given_name == "Ananoitingi"
    assert signature.organisation_name == "Union of Nurses"
    assert signature.person.city == "Tucson"


def test_an_email_cannot_break_a_line_with_a_name_stored_some_other_way(appeal, smtp_sink, commit):
    """Defence in depth: a name that reached the database by a service, not a form."""
    signature_intake_create(
        action=appeal,
        data=SignatureData(
            person=PersonData(email="ana@example.org", given_name=INJECTION, country="MX"),
            form="actions:test",
            consents={},
        ),
    )
    assert commit(record) == 1

    [received] = smtp_sink.messages
    assert not [line for line in _lines(received["raw"]) if line.startswith(b"Bcc:")]
    assert "Hello Ana Bcc: x@example.org," in received["message"].get_content()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ana", "Ana"),
        ("  Ana  María ", "Ana María"),
        ("Ana\r\nBcc: x@example.org", "Ana Bcc: x@example.org"),
        ("Ana\u2028B\u2029C\u0085D\x0bE\x0cF\tG", "Ana B C D E F G"),
        ("\u202eAna\u202c \u2066\u2067\u2068López\u2069\u202a\u202b\u202d", "Ana López"),
        ("José\u00a0María", "José María"),
    ],
)
def test_one_line_fields_keep_what_was_typed_on_one_line(typed, kept):
    from convoca.core.forms import OneLineField

    assert OneLineField().clean(typed) == kept
