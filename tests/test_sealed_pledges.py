"""Sealed pledge answers: the server's data and keys never open them; the organisation's does."""

import csv
import io
import logging
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from convoca.actions.models import Action, PledgeQuestion, Signature
from convoca.actions.services import action_create, signature_confirm
from convoca.cli import main as convoca
from convoca.core.models import OutboxEmail
from convoca.organisations.models import Organisation
from tests.test_personal_data_at_rest import _database_bytes

ANSWER = "ZqMeetAtTheDocksAt6Xj"
PLAIN_ANSWER = "ZqTwoCarsXj"


def _key_pair(tmp_path: Path, name: str, capsys) -> tuple[str, Path]:
    """``convoca pledgekey new``, as the organisation runs it on its own computer."""
    key_file = tmp_path / name
    assert convoca(["pledgekey", "new", "--key", str(key_file)]) == 0
    printed = capsys.readouterr().out
    public = printed.rsplit("Public key: ", 1)[1].strip()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    return public, key_file


def _pledge(organisation, **fields) -> tuple[Action, PledgeQuestion, PledgeQuestion]:
    pledge = action_create(
        language="en", title="Pledge of resistance", slug="pledge", kind=Action.Kind.PLEDGE,
        organisation=organisation, status=Action.Status.OPEN, **fields,
    )  # fmt: skip
    where = PledgeQuestion.objects.create(
        action=pledge, text="Where can you be on the day?", sensitive=True, required=True
    )
    cars = PledgeQuestion.objects.create(
        action=pledge, text="How many can you drive?", sensitive=False, position=1
    )
    return pledge, where, cars


def _sign(client, pledge, email, answers: dict):
    data = {"given_name": "Ana", "email": email, "country": "MX", **answers}
    return client.post(pledge.get_absolute_url() + "sign/", data)


@pytest.fixture
def sign(client, django_capture_on_commit_callbacks):
    """POST the pledge's form; what the request leaves for after its commit runs too."""

    def post(pledge, email="ana@example.org", **answers):
        with django_capture_on_commit_callbacks(execute=True):
            return _sign(client, pledge, email, answers)

    return post


def _export(client, pledge) -> str:
    response = client.post(reverse("admin:actions_action_export", args=[pledge.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_sensitive_answer_is_stored_and_exported_only_sealed_and_opens_with_the_private_key(
    client, organisation, organiser, tmp_path, capsys, caplog, settings
):
    settings.CONVOCA_INTAKE_DEBOUNCE_SECONDS = 0
    caplog.set_level(logging.DEBUG)
    public, key_file = _key_pair(tmp_path, "our-key.txt", capsys)
    Organisation.objects.filter(pk=organisation.pk).update(pledge_public_key=public)
    pledge, where, cars = _pledge(organisation)

    page = client.get(pledge.get_absolute_url())
    assert "only Solidarity Network Tucson can read your answer" in page.content.decode()
    response = _sign(
        client,
        pledge,
        "ana@example.org",
        {f"question_{where.pk}": ANSWER, f"question_{cars.pk}": PLAIN_ANSWER},
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    signature_confirm(signature=signature)

    # The row: AES-GCM at rest, and inside it the answer sealed to the organisation's key.
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM actions_signature")
        (raw,) = cursor.fetchone()
    assert raw.startswith("1$")
    assert ANSWER not in Signature.objects.get().answers
    assert '"sealed:' in Signature.objects.get().answers
    # Nowhere in the databases (files or dump), the outbox, the logs.
    assert ANSWER.encode() not in _database_bytes()
    assert all(ANSWER not in email.message for email in OutboxEmail.objects.all())
    assert OutboxEmail.objects.exists()
    assert ANSWER not in caplog.text

    client.force_login(organiser)
    export = _export(client, pledge)
    assert ANSWER not in export
    header, row = list(csv.reader(io.StringIO(export)))
    assert header[-2:] == ["Where can you be on the day?", "How many can you drive?"]
    assert row[-2].startswith("sealed:")
    assert row[-1] == PLAIN_ANSWER  # not sensitive: in clear for the organisers
    exported = tmp_path / "signatures.csv"
    exported.write_text(export, encoding="utf-8-sig")

    opened = tmp_path / "opened.csv"
    assert (
        convoca(["pledgekey", "open", str(exported), "--key", str(key_file), "--out", str(opened)])
        == 0
    )
    assert "Opened 1 answers" in capsys.readouterr().out
    header, row = list(csv.reader(io.StringIO(opened.read_text(encoding="utf-8-sig"))))
    assert (row[header.index("Where can you be on the day?")], row[2]) == (
        ANSWER,
        "ana@example.org",
    )
    assert oct(opened.stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db(databases="__all__")
def test_an_answer_the_key_does_not_open_is_reported_and_the_others_are_opened(
    client, organisation, organiser, tmp_path, capsys, sign
):
    old_public, old_key = _key_pair(tmp_path, "old-key.txt", capsys)
    new_public, new_key = _key_pair(tmp_path, "new-key.txt", capsys)
    pledge, where, _cars = _pledge(organisation)
    for email, public, answer in (
        ("ana@example.org", old_public, "the old square"),
        ("bea@example.org", new_public, "the new square"),
    ):
        Organisation.objects.filter(pk=organisation.pk).update(pledge_public_key=public)
        sign(pledge, email=email, **{f"question_{where.pk}": answer})
    for signature in Signature.objects.all():
        signature_confirm(signature=signature)
    client.force_login(organiser)
    exported = tmp_path / "signatures.csv"
    exported.write_text(_export(client, pledge), encoding="utf-8-sig")

    opened = tmp_path / "signatures-opened.csv"
    assert convoca(["pledgekey", "open", str(exported), "--key", str(new_key)]) == 1
    output = capsys.readouterr()
    assert "line 2, column 'Where can you be on the day?'" in output.err
    assert "Opened 1 answers" in output.out
    rows = list(csv.DictReader(io.StringIO(opened.read_text(encoding="utf-8-sig"))))
    answers = {row["email"]: row["Where can you be on the day?"] for row in rows}
    assert answers["bea@example.org"] == "the new square"
    assert answers["ana@example.org"].startswith("sealed:")  # kept, for the old key
    with pytest.raises(SystemExit, match="exists already"):  # never over an opened file
        convoca(["pledgekey", "open", str(exported), "--key", str(old_key)])


def _action_form(pledge_status: str, organisation, *, sensitive: bool) -> dict:
    data = {
        "kind": "pledge", "language": "en", "title": "We will stop the deportation flights",
        "slug": "stop-the-flights", "summary": "", "body": "", "trigger": "A flight is booked",
        "organisation": organisation.pk, "status": pledge_status, "goal": 0,
        "ask_organisation": "no", "ask_role": "no", "ask_members": "no", "ask_comment": "no",
        "ask_phone": "no", "ask_place": "no", "show_signers": "on", "thank_you": "",
        "next_step": "share", "next_step_url": "", "share_text": "",
        "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000",
        "questions-0-text": "Where can you be?", "questions-0-position": "0",
    }  # fmt: skip
    if sensitive:
        data["questions-0-sensitive"] = "on"
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "can open only once your organisation has a public key"),
        ("es", "solo puede abrirse cuando su organización tenga una clave pública"),
    ],
)
def test_a_pledge_with_a_sensitive_question_cannot_open_without_a_public_key(
    client, organisation, organiser, language, message
):
    client.force_login(organiser)
    client.cookies["django_language"] = language
    url = reverse("admin:actions_action_add")

    response = client.post(url, _action_form("open", organisation, sensitive=True))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Action.objects.exists()
    # As a draft it is kept, questions and all, to open once the key is there.
    response = client.post(url, _action_form("draft", organisation, sensitive=True))
    assert response.status_code == 302
    pledge = Action.objects.get()
    assert pledge.questions.get().sensitive


@pytest.mark.django_db
def test_a_pledge_opens_with_a_public_key_or_without_sensitive_questions(
    client, organisation, organiser, capsys, tmp_path
):
    client.force_login(organiser)
    url = reverse("admin:actions_action_add")
    assert client.post(url, _action_form("open", organisation, sensitive=False)).status_code == 302
    Action.objects.all().delete()
    public, _key = _key_pair(tmp_path, "key.txt", capsys)
    response = client.post(
        reverse("admin:organisations_organisation_change", args=[organisation.pk]),
        {
            "name": organisation.name, "country": "US", "city": "", "website": "",
            "description_en": "", "description_es": "", "show_in_directory": "on",
            "pledge_public_key": "not a key",
        },
    )  # fmt: skip
    assert "This is not a public key made by" in response.content.decode()
    Organisation.objects.filter(pk=organisation.pk).update(pledge_public_key=public)
    assert client.post(url, _action_form("open", organisation, sensitive=True)).status_code == 302


@pytest.mark.django_db(databases="__all__")
def test_a_sensitive_answer_is_refused_not_stored_when_the_key_was_removed(
    client, organisation, sign
):
    pledge, where, _cars = _pledge(organisation)  # opened with a key, since removed
    response = sign(pledge, **{f"question_{where.pk}": ANSWER})
    assert response.status_code == 409
    assert not Signature.objects.exists()
    assert ANSWER not in Signature.objects.values_list("answers", flat=True)
