"""The audit trail: every reach into supporters' data is recorded, and no one can rewrite it."""

import pytest
from django.urls import reverse

from convoca.core.audit import AUDIT_KINDS, audit_record
from convoca.core.models import AuditEntry
from convoca.organisations.models import Membership
from convoca.people.models import Consent
from convoca.people.services import PersonData, consent_give, person_upsert

TRAIL = reverse("admin:core_auditentry_changelist")


@pytest.fixture
def ana(organisation):
    person = person_upsert(
        data=PersonData(email="ana@example.org", given_name="Ana", city="Oaxaca"), confirmed=True
    ).person
    consent_give(
        person=person,
        organisation=organisation,
        purpose=Consent.Purpose.CONTACT,
        wording="SNT may email me.",
        source="test",
    )
    return person


def _entry():
    [entry] = AuditEntry.objects.all()
    return entry


def test_opening_a_supporters_page_is_recorded_without_their_personal_data(
    client, organiser, organisation, ana
):
    client.force_login(organiser)
    page = client.get(reverse("admin:people_person_change", args=[ana.pk]))
    assert page.status_code == 200 and "ana@example.org" in page.text
    entry = _entry()
    assert (entry.user, entry.organisation, entry.verb, entry.count) == (
        organiser,
        organisation,
        "view person",
        1,
    )
    assert entry.target == f"person {str(ana.pk)[:8]}"
    assert "ana" not in entry.target.lower()


def test_a_supporter_of_another_organisation_is_not_shown_and_leaves_no_entry(
    client, make_staff, other_organisation, ana
):
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    assert client.get(reverse("admin:people_person_change", args=[ana.pk])).status_code == 404
    assert not AuditEntry.objects.exists()


def test_listing_and_searching_supporters_is_recorded_with_the_rows_shown_not_the_term(
    client, coordinator, ana
):
    person_upsert(data=PersonData(email="bea@example.org", given_name="Bea"))
    client.force_login(coordinator)
    client.get(reverse("admin:people_person_changelist"))
    listed = _entry()
    assert (listed.verb, listed.count, listed.organisation) == ("list people", 2, None)
    assert listed.target == "people, page 1"

    found = client.get(reverse("admin:people_person_changelist"), {"q": "ana@example.org"})
    assert "ana@example.org" in found.text
    searched = AuditEntry.objects.exclude(pk=listed.pk).get()
    assert (searched.verb, searched.count) == ("search people", 1)
    assert "ana" not in searched.target and "example" not in searched.target

    client.get(reverse("admin:people_person_changelist"), {"q": "nobody@example.org"})
    assert AuditEntry.objects.count() == 2  # nothing shown, nothing reached


def test_the_other_pages_with_personal_data_are_recorded_too(client, coordinator, organisation):
    from convoca.inbox.services import ContactData, contact_message_create

    message = contact_message_create(
        data=ContactData(
            name="Dora", email="dora@example.org", subject="general", body="Hola", language="es"
        ),
        organisation=organisation,
    )
    client.force_login(coordinator)
    assert client.get(reverse("admin:inbox_contactmessage_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:inbox_contactmessage_change", args=[message.pk])).status_code
        == 200
    )
    assert sorted(AuditEntry.objects.values_list("verb", "count", "organisation")) == [
        ("list records", 1, None),
        ("view record", 1, organisation.pk),
    ]


def test_erasing_supporters_is_recorded(client, coordinator, ana):
    client.force_login(coordinator)
    client.post(
        reverse("admin:people_person_changelist"),
        {"action": "erase_selected", "_selected_action": [ana.pk]},
    )
    ana.refresh_from_db()
    assert ana.erased_at is not None
    assert _entry().verb == "erase people" and _entry().count == 1


def test_an_unknown_kind_is_refused_so_the_filter_lists_every_kind(organiser):
    with pytest.raises(ValueError, match="AUDIT_KINDS"):
        audit_record(user=organiser, verb="peeked")
    assert not AuditEntry.objects.exists()


@pytest.fixture
def trail(organiser, make_staff, organisation, other_organisation):
    other = make_staff("other", Membership.Role.ORGANISER, other_organisation)
    return [
        audit_record(
            user=organiser,
            verb="export signatures",
            target="Lift the sanctions",
            count=120,
            organisation=organisation,
        ),
        audit_record(user=other, verb="view person", target="person 1a2b3c4d", organisation=None),
    ]


def test_coordinators_read_the_trail_with_who_what_how_many_and_filters(
    client, coordinator, organiser, organisation, trail
):
    client.force_login(coordinator)
    page = client.get(TRAIL)
    assert page.status_code == 200
    assert "Lift the sanctions" in page.text and "120" in page.text
    assert str(AUDIT_KINDS["export signatures"]) in page.text  # the kind, in words
    assert "organiser" in page.text and "other" in page.text

    by_member = client.get(TRAIL, {"user__id__exact": organiser.pk})
    assert "Lift the sanctions" in by_member.text and "person 1a2b3c4d" not in by_member.text
    by_kind = client.get(TRAIL, {"verb": "view person"})
    assert "person 1a2b3c4d" in by_kind.text and "Lift the sanctions" not in by_kind.text
    by_org = client.get(TRAIL, {"organisation__id__exact": organisation.pk})
    assert "Lift the sanctions" in by_org.text and "person 1a2b3c4d" not in by_org.text
    today = trail[0].at.date()
    by_date = client.get(
        TRAIL, {"at__year": today.year, "at__month": today.month, "at__day": today.day}
    )
    assert "Lift the sanctions" in by_date.text
    by_other_date = client.get(TRAIL, {"at__year": today.year - 1})
    assert "Lift the sanctions" not in by_other_date.text


def test_no_one_adds_changes_or_deletes_an_entry_not_even_by_a_forged_post(
    client, coordinator, trail
):
    entry = trail[0]
    client.force_login(coordinator)
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    page = client.get(change)
    assert page.status_code == 200  # read only
    assert 'name="_save"' not in page.text and "Delete" not in page.text

    forged = {"target": "nothing to see", "count": "0", "verb": "view person", "_save": "Save"}
    assert client.post(change, forged).status_code == 403
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    add = reverse("admin:core_auditentry_add")
    assert client.get(add).status_code == 403
    assert client.post(add, forged).status_code == 403
    # The list has no bulk delete to call either.
    listing = client.post(
        TRAIL, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert listing.status_code in (200, 302)
    entry.refresh_from_db()
    assert (entry.target, entry.count) == ("Lift the sanctions", 120)
    assert AuditEntry.objects.count() == 2


def test_organisers_cannot_read_the_trail(client, organiser, trail):
    client.force_login(organiser)
    assert client.get(TRAIL).status_code == 403
    assert (
        client.get(reverse("admin:core_auditentry_change", args=[trail[0].pk])).status_code == 403
    )
