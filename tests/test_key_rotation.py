"""Rotating the data key while the site runs: killed at any point, run again, all readable."""

import base64
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections, router

from convoca.actions.models import Action, Signature
from convoca.actions.services import SignatureData, action_create, signature_create
from convoca.core import crypto, keyring
from convoca.core.fields import Ciphertext
from convoca.core.models import DataKey
from convoca.core.rotation import _encrypted_models, key_rotation_run
from convoca.people.models import Person
from convoca.people.services import PersonData, person_upsert

ROOT = Path(__file__).resolve().parents[1]
REFRESH = 0.2

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def own_keys(settings, tmp_path):
    """A key file of this test's own, as every process of the site reads it."""
    path = tmp_path / keyring.SECRETS_FILENAME
    keyring.write_secrets(path, keyring.new_secrets())
    _, ring = keyring.load(data_dir=tmp_path)
    settings.CONVOCA_KEYRING = ring
    settings.CONVOCA_KEY_REFRESH_SECONDS = REFRESH
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    crypto.keyring_verify(force=True)
    yield path
    crypto.keyring_verify(force=True)


def _file_versions(path: Path) -> list[str]:
    return sorted(json.loads(path.read_text())["data_keys"])


def _tokens():
    """Every stored encrypted value: (model, field, row, token)."""
    for model, fields in _encrypted_models():
        queryset = model._base_manager.using(router.db_for_read(model))
        for field in fields:
            for pk, token in queryset.exclude(**{field.attname: ""}).values_list(
                "pk", field.attname
            ):
                yield model, field, pk, token


def _versions_stored() -> dict[int, int]:
    counts: dict[int, int] = {}
    for _model, _field, _pk, token in _tokens():
        version = crypto.token_version(token)
        counts[version] = counts.get(version, 0) + 1
    return counts


def _everything_reads():
    """Read every encrypted field of every row of every model, as the site would."""
    read = 0
    for model, fields in _encrypted_models():
        for row in model._base_manager.using(router.db_for_read(model)).all():
            for field in fields:
                getattr(row, field.attname)
                read += 1
    return read


def _signer(action, n, **extra):
    signature_create(
        action=action,
        data=SignatureData(
            person=PersonData(
                email=f"signer{n}@example.org", given_name=f"Ana{n}", family_name="López",
                phone=f"+52 55 {n:04d}", country="MX",
            ),
            comment=f"comment {n}",
            **extra,
        ),
    )  # fmt: skip


def _rotation(data_dir: Path, *extra: str) -> subprocess.Popen:
    """``convoca manage rotatekeys`` in its own process, on this test's database and keys."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "CONVOCA_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "CONVOCA_KEY_REFRESH_SECONDS": str(REFRESH),
        "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "DJANGO_SETTINGS_MODULE": "convoca.settings",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("SITE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "convoca.cli", "manage", "rotatekeys", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _sign_while(action, start: int, until) -> int:
    """Keep signing (the site under load) until ``until()`` says stop; return the next number."""
    n = start
    deadline = time.monotonic() + 60
    while not until():
        assert time.monotonic() < deadline, "the rotation did not get there in time"
        _signer(action, n)
        n += 1
        time.sleep(0.01)
    return n


@pytest.mark.parametrize("moment", ["key added", "re-encrypting"])
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_rotation_killed_mid_run_and_run_again_leaves_every_row_readable_with_the_new_key_only(
    own_keys, organisation, moment
):
    action = action_create(
        language="en", title="Lift the sanctions", slug="lift-the-sanctions",
        organisation=organisation, status=Action.Status.OPEN,
    )  # fmt: skip
    for n in range(150):
        _signer(action, n)
    assert set(_versions_stored()) == {1}

    rotation = _rotation(own_keys.parent, "--batch-size", "5")

    def reached() -> bool:
        if rotation.poll() is not None:
            out, err = rotation.communicate()
            pytest.fail(f"the rotation ended before the kill: {out!r} {err!r}")
        if moment == "key added":
            return DataKey.objects.filter(version=2).exists()
        return Person.objects.filter(email__startswith="2$").count() >= 30

    n = _sign_while(action, 150, reached)
    rotation.send_signal(signal.SIGKILL)
    rotation.communicate(timeout=10)

    # Killed half-way: this process (the site) learnt the new key from the file
    # and goes on encrypting with it; every row reads.
    assert _file_versions(own_keys) == ["1", "2"]
    assert _everything_reads() > 600
    n = _sign_while(action, n, lambda: settings_version() == 2)
    _signer(action, n)
    assert Signature.objects.get(person__email_index=crypto.email_index(f"signer{n}@example.org"))
    if moment == "re-encrypting":
        assert _versions_stored().keys() == {1, 2}

    # Run again, with signing going on: it finishes the job.
    rotation = _rotation(own_keys.parent, "--batch-size", "20")
    n = _sign_while(action, n + 1, lambda: rotation.poll() is not None)
    out, err = rotation.communicate()
    assert rotation.returncode == 0, err.decode()
    assert b"Retired versions: 1." in out

    assert _file_versions(own_keys) == ["2"]
    assert DataKey.objects.get(version=1).retired_at is not None
    assert set(_versions_stored()) == {2}
    # Only the new key from here on: every encrypted field of every model reads.
    stored = json.loads(own_keys.read_text())["data_keys"]
    only_new = replace(
        keyring.load(data_dir=own_keys.parent)[1],
        data_keys={2: base64.urlsafe_b64decode(stored["2"])},
    )
    from django.conf import settings

    settings.CONVOCA_KEYRING = only_new
    crypto.keyring_verify(force=True)
    for model, field, pk, token in _tokens():
        row = model._base_manager.using(router.db_for_read(model)).get(pk=pk)
        crypto.decrypt(token, associated_data=field.associated_data(row))
    assert Person.objects.count() == n
    person = Person.objects.get(email_index=crypto.email_index("signer7@example.org"))
    assert (person.given_name, person.phone) == ("Ana7", "+52 55 0007")
    assert Signature.objects.get(person=person).comment == "comment 7"


def settings_version() -> int:
    from django.conf import settings

    return settings.CONVOCA_KEYRING.current_version


def test_a_process_reads_a_value_under_a_key_added_after_it_started(own_keys, settings):
    started_with = settings.CONVOCA_KEYRING
    ana = person_upsert(data=PersonData(email="ana@example.org", given_name="Ana")).person
    # Another process (the rotation) adds version 2 and re-encrypts Ana's name with it.
    new_key = b"\x07" * keyring.KEY_BYTES
    content = json.loads(own_keys.read_text())
    content["data_keys"]["2"] = base64.urlsafe_b64encode(new_key).decode()
    keyring.write_secrets(own_keys, content, replace=True)
    rotating = replace(started_with, data_keys={**started_with.data_keys, 2: new_key})
    DataKey.objects.create(version=2, key_id=rotating.key_id(2))
    settings.CONVOCA_KEYRING = rotating
    token = crypto.encrypt("Ana", associated_data=f"people_person.given_name:{ana.pk}")
    assert token.startswith("2$")
    Person.objects.filter(pk=ana.pk).update(given_name=Ciphertext(token))
    settings.CONVOCA_KEYRING = started_with  # this process started before version 2

    assert Person.objects.get(pk=ana.pk).given_name == "Ana"
    assert settings.CONVOCA_KEYRING.current_version == 2
    # And from now on it writes under the new key.
    bea = person_upsert(data=PersonData(email="bea@example.org", given_name="Bea")).person
    raw = Person.objects.filter(pk=bea.pk).values_list("given_name", flat=True).get()
    assert raw.startswith("2$")


def test_a_running_process_switches_to_the_new_key_within_the_refresh_interval(own_keys, settings):
    person_upsert(data=PersonData(email="ana@example.org"))
    before = settings.CONVOCA_KEYRING
    # The rotation, in another process, adds the key: this process's keyring does not change.
    call_command("rotatekeys", "--batch-size", "1", verbosity=0)
    settings.CONVOCA_KEYRING = replace(before)  # as a process that started before
    time.sleep(REFRESH)
    bea = person_upsert(data=PersonData(email="bea@example.org")).person
    raw = Person.objects.filter(pk=bea.pk).values_list("email", flat=True).get()
    assert raw.startswith("2$")


def test_a_retirement_killed_before_the_key_file_changed_is_finished_by_the_next_run(
    own_keys, settings
):
    person_upsert(data=PersonData(email="ana@example.org", given_name="Ana"))
    first = json.loads(own_keys.read_text())["data_keys"]["1"]
    report = key_rotation_run()
    assert report.retired == [1]
    # As if killed after the database marked version 1 retired, before the file lost it.
    content = json.loads(own_keys.read_text())
    content["data_keys"]["1"] = first
    keyring.write_secrets(own_keys, content, replace=True)
    settings.CONVOCA_KEYRING = keyring.load(data_dir=own_keys.parent)[1]  # the next process

    crypto.keyring_verify(force=True)  # it is not refused
    report = key_rotation_run()
    assert (report.added, report.retired) == (False, [1])
    assert _file_versions(own_keys) == ["2"]
    assert Person.objects.get().given_name == "Ana"
    # The next rotation takes a version never used before.
    assert key_rotation_run().version == 3


def test_a_change_made_while_a_row_is_re_encrypted_is_not_overwritten(own_keys, settings):
    ana = person_upsert(data=PersonData(email="ana@example.org", given_name="Ana")).person
    from convoca.core import rotation

    original = rotation.crypto.encrypt

    def encrypt_while_ana_changes_her_name(plaintext, *, associated_data):
        if plaintext == "Ana":
            changed = original("Ana María", associated_data=associated_data)
            Person.objects.filter(pk=ana.pk).update(given_name=Ciphertext(changed))
        return original(plaintext, associated_data=associated_data)

    settings.CONVOCA_KEY_REFRESH_SECONDS = 0
    rotation.crypto.encrypt = encrypt_while_ana_changes_her_name
    try:
        key_rotation_run()
    finally:
        rotation.crypto.encrypt = original
    assert Person.objects.get(pk=ana.pk).given_name == "Ana María"


def test_rotation_refuses_to_invent_a_key_when_the_keys_come_from_the_environment(
    own_keys, settings
):
    settings.CONVOCA_KEYRING = replace(settings.CONVOCA_KEYRING, source="environment")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="CONVOCA_DATA_KEYS"):
        call_command("rotatekeys", verbosity=0)


def test_intakes_in_their_own_database_are_rotated_too(own_keys, organisation, settings):
    from convoca.actions.models import SignatureIntake
    from convoca.actions.services import signature_intake_create

    action = action_create(
        language="en", title="Lift", slug="lift", organisation=organisation,
        status=Action.Status.OPEN,
    )  # fmt: skip
    signature_intake_create(
        action=action, data=SignatureData(person=PersonData(email="cy@example.org", country="MX"))
    )
    settings.CONVOCA_KEY_REFRESH_SECONDS = 0
    key_rotation_run()
    intake = SignatureIntake.objects.get()
    database = router.db_for_read(SignatureIntake)
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT payload FROM actions_signatureintake")
        assert cursor.fetchone()[0].startswith("2$")
    assert "cy@example.org" in intake.payload
