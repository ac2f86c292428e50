"""Importing supporters from Action Network's export or another CSV file, through the admin."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from convoca.core.crypto import email_index
from convoca.core.csv import csv_stream
from convoca.mailings.models import MailingList
from convoca.mailings.services import (
    mailing_list_create,
    subscription_add_confirmed,
    subscription_unsubscribe,
    suppression_add,
)
from convoca.organisations.models import Membership
from convoca.people import imports
from convoca.people.models import Activity, Consent, Person, PersonImport, PersonImportSkip
from convoca.people.selectors import person_get_by_email
from convoca.people.services import (
    PersonData,
    consent_give,
    consent_withdraw,
    person_upsert,
)

#: The columns of Action Network's activist export (People → Activists → Download).
AN_HEADER = [
    "uuid", "first_name", "last_name", "email", "zip_code", "can2_user_address",
    "can2_user_city", "can2_state_abbreviated", "country", "language", "can2_phone",
    "can2_subscription_status", "can2_user_tags",
]  # fmt: skip


def an_row(email, first="", last="", status="subscribed", **more):
    row = dict.fromkeys(AN_HEADER, "")
    row.update(
        uuid=f"action_network:{abs(hash(email)) % 10**8}",
        email=email,
        first_name=first,
        last_name=last,
        can2_subscription_status=status,
        **more,
    )
    return [row[column] for column in AN_HEADER]


def csv_bytes(rows, header=AN_HEADER, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


ADD_URL = reverse("admin:people_personimport_add")


def page_url(person_import):
    return reverse("admin:people_personimport_change", args=[person_import.pk])


@pytest.fixture
def as_organiser(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def upload(as_organiser, organisation, django_capture_on_commit_callbacks):
    """Upload a file through the admin; the background reading runs as the request ends."""

    def send(content: bytes, *, file_format="action_network", name="export.csv", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = as_organiser.post(
                ADD_URL,
                {
                    "organisation": organisation.pk,
                    "file_format": file_format,
                    "file": SimpleUploadedFile(name, content, content_type="text/csv"),
                },
                **extra,
            )
        return response

    return send


@pytest.fixture
def confirm(as_organiser, django_capture_on_commit_callbacks):
    def send(person_import):
        with django_capture_on_commit_callbacks(execute=True):
            response = as_organiser.post(page_url(person_import), {"do": "confirm"})
        assert response.status_code == 302
        return as_organiser.get(page_url(person_import))

    return send


def the_import() -> PersonImport:
    return PersonImport.objects.get()


def test_an_action_network_export_is_previewed_then_imported_with_a_report(
    as_organiser, organisation, upload, confirm
):
    known = person_upsert(data=PersonData(email="known@example.org", given_name="Kim")).person
    consent_give(
        person=known,
        organisation=organisation,
        purpose=Consent.Purpose.CONTACT,
        wording="SNT may email me.",
        source="actions:test",
    )
    content = csv_bytes(
        [
            an_row("ana@example.org", "Ana", "García", zip_code="85701", country="US"),
            an_row("known@example.org", "Kim", "Lee"),
            an_row("not-an-address", "Bad"),
            an_row("bea@example.org", "Bea", status="unsubscribed", language="es"),
        ]
    )
    form = as_organiser.get(ADD_URL)
    assert form.status_code == 200
    assert "Action Network activists export" in form.text
    assert 'enctype="multipart/form-data"' in form.text
    response = upload(content)
    person_import = the_import()
    assert response.status_code == 302
    assert response["Location"] == page_url(person_import)

    preview = as_organiser.get(page_url(person_import))
    assert preview.status_code == 200
    assert person_import.status == PersonImport.Status.READY
    text = preview.text
    assert 'id="preview-rows">4<' in text
    assert 'id="preview-new">2<' in text
    assert 'id="preview-merged">1<' in text
    assert 'id="preview-skipped">1<' in text
    assert 'id="preview-consents">2<' in text
    assert "ana@example.org" in text  # the first rows, as they would be imported
    assert "not a valid email address" in text
    # The preview changed no one.
    assert person_get_by_email("ana@example.org") is None
    assert Person.objects.count() == 1

    report = confirm(person_import)
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.DONE
    assert 'id="report-created">2<' in report.text
    assert 'id="report-merged">1<' in report.text
    assert 'id="report-skipped">1<' in report.text
    assert 'id="report-consents">1<' in report.text
    assert list(person_import.skips.values_list("row", "reason")) == [
        (4, PersonImportSkip.Reason.BAD_EMAIL)
    ]
    assert '<td class="pr-4">4</td>' in report.text

    ana = person_get_by_email("ana@example.org")
    assert (ana.given_name, ana.family_name, ana.postal_code, ana.country.code) == (
        "Ana",
        "García",
        "85701",
        "US",
    )
    consent = ana.consents.get()
    assert consent.organisation == organisation
    assert consent.purpose == Consent.Purpose.CONTACT
    assert consent.source == f"import:{person_import.pk}"
    assert "Action Network" in consent.wording
    # Bea is imported (the organisation keeps what it had) but has no consent.
    bea = person_get_by_email("bea@example.org")
    assert bea.language == "es"
    assert not bea.consents.exists()
    # Both are now the organisation's supporters in its list of people.
    people = as_organiser.get(reverse("admin:people_person_changelist"))
    assert "ana@example.org" in people.text
    assert "bea@example.org" in people.text


def test_importing_the_same_file_twice_changes_nothing(as_organiser, organisation, upload, confirm):
    content = csv_bytes(
        [
            an_row("ana@example.org", "Ana", "García", zip_code="85701"),
            an_row("bea@example.org", "Bea", status="unsubscribed"),
            an_row("ana@example.org", "Ana María"),  # the same address, later in the file
        ]
    )

    def state():
        return {
            "people": sorted(
                (str(p.pk), p.updated_at, p.given_name, p.family_name, p.postal_code)
                for p in Person.objects.all()
            ),
            "consents": sorted(Consent.objects.values_list("pk", "withdrawn_at")),
            "activities": Activity.objects.count(),
        }

    upload(content)
    confirm(PersonImport.objects.get())
    before = state()
    assert len(before["people"]) == 2

    upload(content, name="export-again.csv")
    second = PersonImport.objects.order_by("-created_at").first()
    assert (second.preview_new, second.preview_merged) == (0, 3)
    report = confirm(second)
    second.refresh_from_db()
    assert (second.created, second.merged, second.consents) == (0, 3, 0)
    assert 'id="report-created">0<' in report.text
    assert state() == before


def test_an_unsubscribed_or_suppressed_person_stays_unsubscribed_whatever_the_file_says(
    organisation, upload, confirm
):
    withdrew = person_upsert(data=PersonData(email="withdrew@example.org")).person
    consent_give(
        person=withdrew,
        organisation=organisation,
        purpose=Consent.Purpose.CONTACT,
        wording="SNT may email me.",
        source="actions:test",
    )
    consent_withdraw(person=withdrew, organisation=organisation, purpose=Consent.Purpose.CONTACT)
    suppression_add(email="bounced@example.org", reason="bounced")
    news = mailing_list_create(
        organisation=organisation,
        slug="snt-news",
        name={"en": "News"},
        description={},
        purpose=MailingList.Purpose.NEWS,
    )
    left = person_upsert(data=PersonData(email="left@example.org"), confirmed=True).person
    subscription_add_confirmed(mailing_list=news, person=left, source="test")
    subscription_unsubscribe(person=left, mailing_lists=[news])

    upload(
        csv_bytes(
            [
                an_row("withdrew@example.org"),
                an_row("bounced@example.org"),
                an_row("left@example.org"),
                an_row("fresh@example.org"),
            ]
        )
    )
    report = confirm(the_import())
    person_import = the_import()
    assert person_import.kept_unsubscribed == 3
    assert person_import.consents == 1
    assert 'id="report-kept-unsubscribed">3<' in report.text
    for email in ("withdrew@example.org", "bounced@example.org", "left@example.org"):
        person = person_get_by_email(email)
        assert not person.consents.filter(withdrawn_at__isnull=True).exists(), email
    assert person_get_by_email("fresh@example.org").consents.filter(
        organisation=organisation, withdrawn_at__isnull=True
    )


def test_an_unsubscribe_in_the_file_withdraws_a_consent_in_force(organisation, upload, confirm):
    ana = person_upsert(data=PersonData(email="ana@example.org")).person
    consent_give(
        person=ana,
        organisation=organisation,
        purpose=Consent.Purpose.CONTACT,
        wording="SNT may email me.",
        source="actions:test",
    )
    upload(csv_bytes([an_row("ana@example.org", status="unsubscribed")]))
    confirm(the_import())
    assert the_import().unsubscribed == 1
    assert not ana.consents.filter(withdrawn_at__isnull=True).exists()


def test_a_generic_file_gives_consent_only_through_the_column_the_organiser_chose(
    as_organiser, organisation, upload, confirm, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [
            ["ana@example.org", "Ana", "Lima", "sí"],
            ["bea@example.org", "Bea", "Quito", "no"],
            ["carla@example.org", "Carla", "Cusco", ""],
        ],
        header=["Correo", "Nombre", "Ciudad", "Acepta"],
        delimiter=";",
    )
    upload(content, file_format="generic", name="contactos.csv")
    person_import = the_import()
    assert person_import.status == PersonImport.Status.MAPPING
    assert person_import.delimiter == ";"
    page = as_organiser.get(page_url(person_import))
    assert page.status_code == 200
    assert "Acepta" in page.text  # offered as a column to choose

    # Without the consent column mapped, nobody gets a consent.
    with django_capture_on_commit_callbacks(execute=True):
        response = as_organiser.post(
            page_url(person_import),
            {"do": "map", "email": "0", "given_name": "1", "city": "2"},
        )
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.READY
    assert person_import.preview_consents == 0

    # With it, only the row that says yes.
    with django_capture_on_commit_callbacks(execute=True):
        as_organiser.post(
            page_url(person_import),
            {"do": "map", "email": "0", "given_name": "1", "city": "2", "consent": "3"},
        )
    person_import.refresh_from_db()
    assert person_import.preview_consents == 1
    confirm(person_import)
    assert person_get_by_email("ana@example.org").city == "Lima"
    assert list(Consent.objects.values_list("person__email_index", flat=True)) == [
        email_index("ana@example.org")
    ]


def test_the_mapping_needs_an_email_column(as_organiser, upload):
    upload(
        csv_bytes([["a@example.org", "Ana"]], header=["Who", "Name"]),
        file_format="generic",
    )
    response = as_organiser.post(page_url(the_import()), {"do": "map", "given_name": "1"})
    assert response.status_code == 400
    assert "Choose the column that holds the email address." in response.text
    assert the_import().status == PersonImport.Status.MAPPING


def test_a_bad_row_is_reported_and_the_rest_imported(upload, confirm, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 300)
    # Enough good rows first that the bytes not in UTF-8 come after the checked beginning.
    good = [an_row(f"person{n}@example.org", f"Person {n}") for n in range(1000)]
    content = csv_bytes(good)
    content += b"x,Ren\xe9,,rene@example.org,,,,,,,,subscribed,\n"  # Latin-1 inside
    content += b'x,Short,"only three",cells\n'
    content += csv_bytes(
        [
            an_row("", "Nobody"),
            an_row("toolong@example.org", "N" * 300),
            an_row("last@example.org", "Last"),
        ],
    ).split(b"\n", 1)[1]
    assert len(content) > imports.HEAD_BYTES
    upload(content)
    person_import = the_import()
    assert person_import.status == PersonImport.Status.READY
    confirm(person_import)
    person_import.refresh_from_db()
    skips = dict(person_import.skips.values_list("row", "reason"))
    assert skips == {
        1002: PersonImportSkip.Reason.ENCODING,
        1003: PersonImportSkip.Reason.FIELD_COUNT,
        1004: PersonImportSkip.Reason.NO_EMAIL,
        1005: PersonImportSkip.Reason.TOO_LONG,
    }
    assert person_import.created == 1001
    assert person_get_by_email("last@example.org").given_name == "Last"
    assert person_get_by_email("rene@example.org") is None


def test_a_row_the_csv_reader_cannot_read_is_skipped_and_the_next_one_imported(upload, confirm):
    content = csv_bytes([an_row("first@example.org")])
    content += ("x," + "y" * 70_000 + ",,huge@example.org,,,,,,,,subscribed,\n").encode()
    content += csv_bytes([an_row("after@example.org")]).split(b"\n", 1)[1]
    upload(content)
    confirm(the_import())
    assert dict(the_import().skips.values_list("row", "reason")) == {
        3: PersonImportSkip.Reason.NOT_CSV
    }
    assert person_get_by_email("after@example.org") is not None


def test_formula_cells_are_stored_as_text_and_exported_harmless(upload, confirm):
    upload(
        csv_bytes(
            [
                an_row(
                    "formula@example.org",
                    '=HYPERLINK("http://evil.example","click")',
                    "+1-555",
                    can2_user_city="@SUM(A1)",
                    can2_phone="-2+3",
                )
            ]
        )
    )
    confirm(the_import())
    person = person_get_by_email("formula@example.org")
    assert person.given_name == '=HYPERLINK("http://evil.example","click")'
    assert person.family_name == "+1-555"
    assert person.city == "@SUM(A1)"
    assert person.phone == "-2+3"
    exported = b"".join(
        csv_stream([[person.given_name, person.family_name, person.city]], header=["a", "b", "c"])
    ).decode()
    assert "'=HYPERLINK" in exported
    assert "'+1-555" in exported
    assert "'@SUM(A1)" in exported


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "email,first_name\nrené@example.org,René\n".encode("latin-1"),
            "no está en UTF-8",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "libro de hoja de cálculo"),
        ("email,first_name\n".encode("utf-16"), "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "no es un archivo CSV"),
        (b"", "vacío"),
        (b"name,city\nAna,Lima\n", "columna «email»"),
    ],
)
def test_a_file_that_is_not_a_readable_csv_is_refused_in_the_organisers_language(
    upload, content, message
):
    stored = Path(settings.DATA_DIR) / "imports"
    before = set(stored.glob("*.bin"))
    response = upload(content, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert message in response.text
    assert not PersonImport.objects.exists()
    assert set(stored.glob("*.bin")) == before  # nothing of it kept


def test_the_uploaded_file_is_kept_encrypted_and_deleted_once_imported(upload, confirm):
    upload(csv_bytes([an_row("secret-marker@example.org", "Zoltan")]))
    person_import = the_import()
    stored = Path(settings.DATA_DIR) / "imports" / f"{person_import.pk}.bin"
    raw = stored.read_bytes()
    assert b"secret-marker" not in raw
    assert b"Zoltan" not in raw
    confirm(person_import)
    person_import.refresh_from_db()
    assert not stored.exists()
    assert person_import.file_key == ""


def test_a_discarded_import_changes_no_one_and_deletes_the_file(as_organiser, upload):
    upload(csv_bytes([an_row("ana@example.org")]))
    person_import = the_import()
    response = as_organiser.post(page_url(person_import), {"do": "discard"})
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.CANCELLED
    assert not (Path(settings.DATA_DIR) / "imports" / f"{person_import.pk}.bin").exists()
    assert person_get_by_email("ana@example.org") is None
    # A discarded import cannot be confirmed afterwards.
    as_organiser.post(page_url(person_import), {"do": "confirm"})
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.CANCELLED


def test_an_address_repeated_across_batches_is_added_once_and_then_merged(
    upload, confirm, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    upload(
        csv_bytes(
            [
                an_row("ana@example.org", "Ana"),
                an_row("bea@example.org"),
                an_row("carla@example.org"),
                an_row("ana@example.org", "Ana"),
                an_row("ana@example.org", "Ana"),
            ]
        )
    )
    person_import = the_import()
    assert (person_import.preview_new, person_import.preview_merged) == (3, 2)
    confirm(person_import)
    person_import.refresh_from_db()
    assert (person_import.created, person_import.merged) == (3, 2)
    assert Person.objects.count() == 3
    assert Consent.objects.count() == 3


@pytest.mark.parametrize(
    ("first", "last", "consented"),
    [("unsubscribed", "subscribed", True), ("subscribed", "unsubscribed", False)],
)
def test_the_last_row_for_an_address_decides_its_consent_whatever_batch_it_is_in(
    organisation, upload, confirm, monkeypatch, first, last, consented
):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    content = csv_bytes(
        [
            an_row("ana@example.org", status=first),
            an_row("bea@example.org"),
            an_row("carla@example.org"),  # a new batch begins
            an_row("ana@example.org", status=last),
        ]
    )

    def ana_consents():
        return sorted(
            person_get_by_email("ana@example.org")
            .consents.filter(organisation=organisation)
            .values_list("pk", "withdrawn_at")
        )

    upload(content)
    confirm(the_import())
    after_first = ana_consents()
    assert [withdrawn is None for _pk, withdrawn in after_first] == ([True] if consented else [])

    upload(content, name="export-again.csv")
    again = PersonImport.objects.order_by("-created_at").first()
    confirm(again)
    again.refresh_from_db()
    assert (again.created, again.consents, again.unsubscribed) == (0, 0, 0)
    assert ana_consents() == after_first


def test_an_import_stopped_midway_continues_after_its_last_batch(upload, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    upload(csv_bytes([an_row(f"p{n}@example.org") for n in range(5)]))
    person_import = the_import()
    # Confirmed, and the worker was killed after committing the first batch.
    PersonImport.objects.filter(pk=person_import.pk).update(status=PersonImport.Status.IMPORTING)
    raw = imports._DecryptedFile(the_import())
    rows = imports._rows(the_import(), raw)
    addresses = imports._Addresses()
    imports._deciding_rows_find(the_import(), addresses)
    assert imports._batch_import(
        the_import(), [next(rows), next(rows)], done_before=0, addresses=addresses
    )
    addresses.close()
    raw.close()
    assert Person.objects.count() == 2

    imports.person_import_run(import_id=str(person_import.pk))
    imports.person_import_run(import_id=str(person_import.pk))  # at least once: run again
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.DONE
    assert (person_import.created, person_import.merged, person_import.rows_done) == (5, 0, 5)
    assert Person.objects.count() == 5


def test_organisers_import_only_into_their_own_organisation(
    client, organiser, other_organisation, make_staff, upload
):
    client.force_login(organiser)
    response = client.post(
        ADD_URL,
        {
            "organisation": other_organisation.pk,
            "file_format": "action_network",
            "file": SimpleUploadedFile("x.csv", csv_bytes([an_row("a@example.org")])),
        },
    )
    assert response.status_code == 400
    assert not PersonImport.objects.exists()

    upload(csv_bytes([an_row("a@example.org")]))
    person_import = the_import()
    own = client.get(reverse("admin:people_personimport_changelist"))
    assert str(person_import.pk) in own.text
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    assert client.get(page_url(person_import)).status_code == 404
    assert client.post(page_url(person_import), {"do": "confirm"}).status_code == 404
    skipped = reverse("admin:people_personimport_skipped", args=[person_import.pk])
    assert client.get(skipped).status_code == 404
    listing = client.get(reverse("admin:people_personimport_changelist"))
    assert listing.status_code == 200
    assert str(person_import.pk) not in listing.text


def test_a_viewer_sees_an_import_but_cannot_start_one(client, organisation, make_staff, upload):
    upload(csv_bytes([an_row("a@example.org")]))
    viewer = make_staff("viewer", Membership.Role.VIEWER, organisation)
    client.force_login(viewer)
    assert client.get(page_url(the_import())).status_code == 200
    assert client.post(page_url(the_import()), {"do": "confirm"}).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    assert the_import().status == PersonImport.Status.READY


def test_the_progress_page_reloads_itself_while_the_file_is_read(as_organiser, upload):
    upload(csv_bytes([an_row("a@example.org")]))
    person_import = the_import()
    PersonImport.objects.filter(pk=person_import.pk).update(
        status=PersonImport.Status.IMPORTING, total_rows=4, rows_done=2
    )
    page = as_organiser.get(page_url(person_import))
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert '<progress max="100" value="50"' in page.text
    PersonImport.objects.filter(pk=person_import.pk).update(status=PersonImport.Status.DONE)
    assert "http-equiv" not in as_organiser.get(page_url(person_import)).text


def test_the_skipped_rows_download_lists_row_numbers_and_reasons(as_organiser, upload, confirm):
    upload(csv_bytes([an_row("ok@example.org"), an_row("nope")]))
    confirm(the_import())
    response = as_organiser.get(
        reverse("admin:people_personimport_skipped", args=[the_import().pk])
    )
    body = b"".join(response.streaming_content).decode()
    assert "3,not a valid email address" in body
    assert "nope" not in body
