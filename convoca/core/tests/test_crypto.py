from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import connection

from convoca.core import crypto
from convoca.core.keyring import KEY_BYTES, Keyring
from convoca.people.models import Person
from convoca.people.services import PersonData, person_upsert


def test_a_value_decrypts_only_in_its_own_row_and_field(db):
    token = crypto.encrypt("ana@example.org", associated_data="people_person.email:1")
    assert crypto.decrypt(token, associated_data="people_person.email:1") == "ana@example.org"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, associated_data="people_person.email:2")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, associated_data="people_person.given_name:1")


def test_ciphertext_copied_into_another_persons_row_does_not_read(db):
    ana = person_upsert(data=PersonData(email="ana@example.org")).person
    bea = person_upsert(data=PersonData(email="bea@example.org")).person
    stolen = Person.objects.filter(pk=ana.pk).values_list("email", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE people_person SET email = %s WHERE id = %s",
            [stolen, bea.pk.hex if connection.vendor == "sqlite" else bea.pk],
        )
    with pytest.raises(crypto.DecryptionError):
        _ = Person.objects.get(pk=bea.pk).email


def test_keys_that_do_not_match_the_database_stop_the_program(db, settings):
    person_upsert(data=PersonData(email="ana@example.org"))
    crypto.keyring_verify(force=True)  # as every process does when it starts
    settings.CONVOCA_KEYRING = Keyring(
        data_keys={1: b"\x01" * KEY_BYTES},
        blind_index_key=b"\x02" * KEY_BYTES,
        source="/srv/convoca/secrets.json",
        created_now=True,
    )
    with pytest.raises(crypto.KeyringMismatch, match=r"Restore the secrets\.json"):
        crypto.keyring_verify(force=True)


def test_rotating_keys_reencrypts_every_value_and_retires_the_old_key(db, settings, tmp_path):
    import json

    from convoca.core import keyring

    path = tmp_path / "secrets.json"
    keyring.write_secrets(path, keyring.new_secrets())
    _, ring = keyring.load(data_dir=tmp_path)
    settings.CONVOCA_KEYRING = ring
    crypto.keyring_verify(force=True)
    person_upsert(data=PersonData(email="ana@example.org", given_name="Ana", phone="555"))

    settings.CONVOCA_KEY_REFRESH_SECONDS = 0
    call_command("rotatekeys", "--retire", verbosity=0)

    assert list(json.loads(path.read_text())["data_keys"]) == ["2"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, given_name, phone FROM people_person")
        assert all(value.startswith("2$") for value in cursor.fetchone())
    person = Person.objects.get()
    assert (person.email, person.given_name, person.phone) == ("ana@example.org", "Ana", "555")
    settings.CONVOCA_KEYRING = replace(settings.CONVOCA_KEYRING)


def test_blind_index_is_keyed_not_a_plain_hash(settings):
    import hashlib

    index = crypto.email_index("Ana@Example.org")
    assert index == crypto.email_index("ana@example.org ")
    assert index != hashlib.sha256(b"ana@example.org").hexdigest()
    settings.CONVOCA_KEYRING = replace(settings.CONVOCA_KEYRING, blind_index_key=b"\x09" * 32)
    assert crypto.email_index("ana@example.org") != index
