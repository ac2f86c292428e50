"""Names and one-line fields stay on one line, whatever path wrote them (issue 16, item 8).

Written here through the services, as the API or an import will write them,
not through the public forms (which clean them too): the model fields clean
on every save, so nothing can reorder how a signer list or an email reads.
"""

import pytest
from django.urls import reverse

from convoca.actions.models import Action, Signature
from convoca.actions.services import (
    SignatureData,
    pledge_activate,
    signature_confirm,
    signature_create,
)
from convoca.core.outbox import outbox_deliver
from convoca.core.text import BIDI_CONTROLS
from convoca.people.models import Person
from convoca.people.services import PersonData

RLO, LRI, PDI, RLE = "\u202e", "\u2066", "\u2069", "\u202b"


def _clean(text: str) -> bool:
    return not BIDI_CONTROLS.search(text) and "\n" not in text and "\r" not in text


def test_the_signer_list_shows_names_written_by_a_service_on_one_line_without_bidi_controls(
    client, make_action, commit
):
    appeal = make_action()
    result = commit(
        signature_create,
        action=appeal,
        data=SignatureData(
            person=PersonData(
                email="ana@example.org",
                given_name=f"Ana{RLO}",
                family_name=f"{LRI}López\r\nBcc: all{PDI}",
                country="MX",
            ),
            role=f"Secre{RLE}taria\n",
            organisation_name=f"Sindicato\u2028{RLO}lanoicaN",
            visibility=Signature.Visibility.FULL,
        ),
    )
    signature_confirm(signature=result.signature)
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Ana", "López Bcc: all")
    signature = Signature.objects.get()
    assert (signature.role, signature.organisation_name) == ("Secretaria", "Sindicato lanoicaN")

    page = client.get(reverse("actions:action-signers", kwargs={"slug": appeal.slug}))
    assert page.status_code == 200
    assert "<strong>Ana López Bcc: all</strong>, Secretaria, Sindicato lanoicaN" in page.text
    assert not BIDI_CONTROLS.search(page.text)


def test_a_pledge_emails_subject_is_one_line_in_the_message_that_leaves(
    make_action, commit, coordinator, smtp_sink
):
    pledge = make_action(kind=Action.Kind.PLEDGE, slug="pledge", title="Pledge")
    result = commit(
        signature_create,
        action=pledge,
        data=SignatureData(person=PersonData(email="ana@example.org", given_name="Ana")),
    )
    signature_confirm(signature=result.signature)
    activation = commit(
        pledge_activate,
        action=pledge,
        texts={
            "en": {"subject": f"Act now{RLO}!\r\nBcc: everyone@example.org", "body": "Go."},
            "es": {"subject": "Actúa\nya", "body": "Ve."},
        },
        user=coordinator,
    )
    subjects = dict(activation.versions.values_list("language", "subject"))
    assert subjects == {"en": "Act now! Bcc: everyone@example.org", "es": "Actúa ya"}
    outbox_deliver()
    [sent] = [m for m in smtp_sink.messages if m["message"]["Subject"].startswith("Act")]
    assert sent["to"] == ["ana@example.org"]  # nobody added by a header
    assert sent["message"]["Subject"] == "Act now! Bcc: everyone@example.org"
    assert sent["message"]["Bcc"] is None
    headers = sent["raw"].split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "\nBcc:" not in headers


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Ana\u202aMaría\u202c", "AnaMaría"),
        ("Ana\u2067\u2068\u2069", "Ana"),
        ("  Ana \t\v\f María\x85 ", "Ana María"),
        ("Ana\u2028María\u2029", "Ana María"),
    ],
)
def test_every_bidi_control_and_line_break_goes_also_through_bulk_inserts_and_updates(
    written, stored, make_action
):
    from convoca.core.crypto import email_index

    address = "ana@example.org"
    Person.objects.bulk_create(
        [Person(email=address, email_index=email_index(address), given_name=written)]
    )
    assert Person.objects.get().given_name == stored
    appeal = make_action(title=written)
    assert Action.objects.get(pk=appeal.pk).title == stored
    Action.objects.filter(pk=appeal.pk).update(title=f"{written}!")
    assert _clean(Action.objects.get(pk=appeal.pk).title)
