"""Importing decision-makers and district tables from CSV: ready mappings, re-imports, bad rows."""

import pytest

from convoca.letters.imports import DISTRICT_MAPPINGS, TARGET_MAPPINGS, mapping_from_text
from convoca.letters.models import District, Target, TargetBody
from convoca.letters.services import ImportRefused, districts_import, targets_import
from convoca.organisations.models import Membership

from .conftest import LEGISLATORS, LEGISLATORS_HEADER, ZCCD, legislator

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(organisation):
    return TargetBody.objects.create(organisation=organisation, name="US House", country="US")


def _import(body, rows, mapping="us-house"):
    data = "\n".join([LEGISLATORS_HEADER, *rows]).encode()
    return targets_import(body=body, data=data, mapping=TARGET_MAPPINGS[mapping])


def test_the_us_legislators_file_gives_the_house_its_representatives_by_district(body):
    report = targets_import(body=body, data=LEGISLATORS, mapping=TARGET_MAPPINGS["us-house"])

    assert sorted(report.added) == [
        "Representative Dana Lee",
        "Representative John Whitaker",
        "Representative Maria Alvarez",
    ]
    alvarez = Target.objects.get(body=body, key="Z000001")
    assert (alvarez.district, alvarez.region, alvarez.language) == ("AZ-07", "AZ", "en")
    assert alvarez.web_form_url == "https://alvarez.house.example/contact"
    assert alvarez.phone == "202-225-0000"
    assert Target.objects.get(key="Z000004").district == "AK-00"  # an at-large seat
    assert not Target.objects.filter(key="Z000003").exists()  # a senator


def test_the_same_file_imported_again_changes_nothing(body):
    targets_import(body=body, data=LEGISLATORS, mapping=TARGET_MAPPINGS["us-house"])
    before = list(Target.objects.values_list("pk", "updated_at").order_by("pk"))

    again = targets_import(body=body, data=LEGISLATORS, mapping=TARGET_MAPPINGS["us-house"])

    assert not again.changed
    assert again.unchanged == 3
    assert list(Target.objects.values_list("pk", "updated_at").order_by("pk")) == before


def test_a_re_import_reports_who_changed_who_left_and_who_came_back(body):
    first = legislator("Z1", "Maria", "Alvarez", "rep", "AZ", "7")
    second = legislator("Z2", "John", "Whitaker", "rep", "AZ", "6")
    _import(body, [first, second])

    moved = legislator("Z1", "Maria", "Alvarez", "rep", "AZ", "7", phone="202-225-9999")
    report = _import(body, [moved])
    assert report.updated == ["Representative Maria Alvarez"]
    assert report.removed == ["Representative John Whitaker"]
    whitaker = Target.objects.get(key="Z2")
    assert not whitaker.active  # kept for the letters it received, no longer looked up
    assert Target.objects.get(key="Z1").phone == "202-225-9999"

    back = _import(body, [moved, second])
    assert back.restored == ["Representative John Whitaker"]
    assert Target.objects.get(key="Z2").active


def test_a_bad_row_is_reported_with_its_line_and_the_others_are_imported(body):
    rows = [
        legislator("Z1", "Maria", "Alvarez", "rep", "AZ", "7"),
        legislator("Z2", "John", "Whitaker", "rep", "AZ", "6", form="javascript:alert(1)"),
        legislator("Z3", "", "", "rep", "AZ", "5"),
        legislator("Z4", "Dana", "Lee", "rep", "AK", "0"),
    ]
    rows[2] = rows[2].replace('"Z3"', '""').replace('" "', '""')
    report = _import(body, rows)

    assert sorted(report.added) == ["Representative Dana Lee", "Representative Maria Alvarez"]
    assert [line for line, _problem in report.errors] == [3, 4]
    assert "javascript:alert(1)" in report.errors[0][1]
    assert "is not a web address" in report.errors[0][1]
    assert "no name" in report.errors[1][1]


def test_a_bad_row_of_a_known_member_leaves_them_as_they_were(body):
    _import(body, [legislator("Z1", "Maria", "Alvarez", "rep", "AZ", "7")])
    report = _import(body, [legislator("Z1", "Maria", "Alvarez", "rep", "AZ", "7", form="ftp://x")])
    assert report.errors and not report.removed
    assert Target.objects.get(key="Z1").active


def test_a_new_address_clears_the_mark_of_a_refused_one(organisation):
    body = TargetBody.objects.create(organisation=organisation, name="Council")
    header = "id,name,email\n"
    mapping = TARGET_MAPPINGS["parliament"]
    targets_import(
        body=body, data=(header + "c1,Rosa Díaz,rosa@old.example\n").encode(), mapping=mapping
    )
    Target.objects.update(email_bounced_at="2026-01-01T00:00:00Z")

    report = targets_import(
        body=body, data=(header + "c1,Rosa Díaz,rosa@new.example\n").encode(), mapping=mapping
    )

    assert report.updated == ["Rosa Díaz"]
    target = Target.objects.get()
    assert (target.email, target.email_bounced_at) == ("rosa@new.example", None)


def test_a_parliament_list_with_one_column_per_field(congreso):
    pardo = Target.objects.get(body=congreso, key="m1")
    assert (str(pardo), pardo.district, pardo.email, pardo.language) == (
        "Diputada Lucía Pardo", "Madrid", "lucia.pardo@congreso.example", "es",
    )  # fmt: skip
    ruiz = Target.objects.get(body=congreso, key="m3")
    assert (ruiz.email, ruiz.web_form_url) == ("", "https://congreso.example/ruiz")


def test_a_file_with_its_own_columns_is_read_through_the_organisers_mapping(organisation):
    body = TargetBody.objects.create(organisation=organisation, name="Concejo")
    mapping = mapping_from_text(
        "name = Nombre\nemail=Correo\ndistrict=Distrito\noffice=Cargo",
        allowed=("name", "email", "district", "office"),
    )
    data = "Nombre;Correo;Distrito;Cargo\nEva Ríos;eva@concejo.example;Centro;Concejala\n".encode()
    report = targets_import(body=body, data=data, mapping=mapping)
    assert report.added == ["Concejala Eva Ríos"]
    assert Target.objects.get().district == "Centro"


def test_a_mapping_line_that_names_no_field_is_refused():
    with pytest.raises(ImportRefused, match="Line 2 of the mapping"):
        mapping_from_text("name=Nombre\nfavourite_colour=Color", allowed=("name", "email"))


def test_a_file_without_the_columns_of_its_mapping_is_refused_and_changes_nothing(body):
    _import(body, [legislator("Z1", "Maria", "Alvarez", "rep", "AZ", "7")])
    with pytest.raises(ImportRefused, match="no column bioguide_id"):
        targets_import(
            body=body, data=b"name,email\nX,x@example.org\n", mapping=TARGET_MAPPINGS["us-house"]
        )
    assert Target.objects.get().active


def test_a_file_that_is_not_utf8_is_refused(body):
    with pytest.raises(ImportRefused, match="UTF-8"):
        targets_import(
            body=body, data="name\nLucía\n".encode("utf-16"), mapping=TARGET_MAPPINGS["parliament"]
        )


def test_the_zip_code_table_gives_congressional_districts_and_re_imports_report_changes(body):
    report = districts_import(body=body, data=ZCCD, mapping=DISTRICT_MAPPINGS["us-zccd"])
    assert len(report.added) == 4
    assert set(District.objects.filter(postal_code="85719").values_list("district", flat=True)) == {
        "AZ-06", "AZ-07",
    }  # fmt: skip

    again = districts_import(body=body, data=ZCCD, mapping=DISTRICT_MAPPINGS["us-zccd"])
    assert (again.added, again.removed, again.unchanged) == ([], [], 4)

    fewer = b"state_fips,state_abbr,zcta,cd\n04,AZ,85701,7\n04,AZ,85718,6\n04,AZ,bad,x\n"
    changed = districts_import(body=body, data=fewer, mapping=DISTRICT_MAPPINGS["us-zccd"])
    assert changed.removed == ["US 85719 → AZ-06", "US 85719 → AZ-07"]
    assert [line for line, _problem in changed.errors] == [4]
    assert District.objects.count() == 2


def test_a_district_file_with_no_usable_row_leaves_the_table_as_it_was(body):
    districts_import(body=body, data=ZCCD, mapping=DISTRICT_MAPPINGS["us-zccd"])
    with pytest.raises(ImportRefused, match="not changed"):
        districts_import(
            body=body,
            data=b"country,postal_code,region,district\nXX,1,,A\n",
            mapping=DISTRICT_MAPPINGS["generic"],
        )
    assert District.objects.count() == 4


def test_an_organiser_imports_a_file_in_the_admin_and_sees_what_changed(
    client, organiser, body, make_staff, other_organisation
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(organiser)
    url = f"/admin/letters/targetbody/{body.pk}/import-members/"
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("legislators-current.csv", LEGISLATORS),
            "mapping": "us-house",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 added" in page
    assert "Representative Maria Alvarez" in page
    assert Target.objects.filter(body=body).count() == 3

    bad = client.post(
        url, {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n"), "mapping": "us-house"}
    )
    assert "The file has no column bioguide_id" in bad.content.decode()

    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
