"""Organisations moved out of coalition without changing a row: every row and key is still there."""

import uuid
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from convoca.organisations.models import Membership, Organisation, OrganisationText

#: Before the move: the models are coalition's, and no app's keys point at organisations yet.
BEFORE = [("coalition", "0015_organisation_description_columns_remove"), ("organisations", None)]

#: Each app's foreign keys to an organisation: (app, model, field) -> how to make a row.
POINTING = {
    ("coalition", "WorkingGroup", "organisation"): {"slug": "sanctions"},
    ("coalition", "AffiliationRequest", "organisation"): {
        "name": "Network",
        "country": "US",
        "description": "A network.",
        "status": "approved",
    },
    ("people", "Tag", "organisation"): {"name": "speaker"},
    ("actions", "ActionShared", "organisation"): {},
    ("events", "SeriesShared", "organisation"): {
        "rule": "monthly",
        "first_start": datetime(2026, 1, 27, 18, tzinfo=UTC),
    },
    ("events", "CampaignShared", "organisation"): {
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 3, 8),
    },
    ("mailings", "MailingList", "organisation"): {"slug": "news"},
    ("mailings", "Mailing", "organisation"): {},
    ("core", "AuditEntry", "organisation"): {"verb": "export"},
    ("api", "ApiKey", "organisation"): {"name": "CRM", "prefix": "abcd", "key_hash": "x" * 64},
    ("donations", "Fundraiser", "organisation"): {"slug": "fund", "goal": 1000},
    ("inbox", "ContactMessage", "organisation"): {},
    ("publishing", "ArticleShared", "organisation"): {},
    ("publishing", "WeeklyLink", "organisation"): {
        "url": "https://example.org/",
        "title": "A link",
    },
    ("letters", "TargetBody", "organisation"): {"name": "Senate"},
}


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_every_organisation_membership_and_key_across_the_move(
    migrate_to,
):
    try:
        old = migrate_to(BEFORE)
        OldOrganisation = old.get_model("coalition", "Organisation")
        network = OldOrganisation.objects.create(name="Network", slug="network", status="active")
        committee = OldOrganisation.objects.create(name="Comité", slug="comite", country="MX")
        old.get_model("coalition", "OrganisationText").objects.create(
            shared=network, language="es", description="Una red."
        )
        User = old.get_model("auth", "User")
        organiser = User.objects.create(username="organiser", is_staff=True)
        coordinator = User.objects.create(username="coordinator", is_staff=True)
        OldMembership = old.get_model("coalition", "Membership")
        OldMembership.objects.create(user=organiser, organisation=network, role="organiser")
        OldMembership.objects.create(user=organiser, organisation=committee, role="viewer")
        OldMembership.objects.create(user=coordinator, organisation=None, role="coordinator")

        made = {}
        for (app, model, field), values in POINTING.items():
            row = old.get_model(app, model).objects.create(**{field: network, **values})
            made[app, model, field] = row.pk
        person = old.get_model("people", "Person").objects.create(
            id=uuid.uuid4(), email_index="index"
        )
        group = old.get_model("coalition", "WorkingGroup").objects.get()
        member = old.get_model("coalition", "WorkingGroupMember").objects.create(
            group=group, person=person, on_behalf_of=committee
        )
        consent = old.get_model("people", "Consent").objects.create(
            person=person, organisation=committee, purpose="contact"
        )
        action = old.get_model("actions", "ActionShared").objects.get()
        action.co_sponsors.add(committee)
        campaign = old.get_model("events", "CampaignShared").objects.get()
        campaign.endorsers.add(committee, network)

        # The admin's history and the permissions of an organisation, as coalition's.
        OldContentType = old.get_model("contenttypes", "ContentType")
        content_type, _ = OldContentType.objects.get_or_create(
            app_label="coalition", model="organisation"
        )
        permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
            content_type=content_type, codename="change_organisation", defaults={"name": "Can"}
        )
        organiser.user_permissions.add(permission)
        entry = old.get_model("admin", "LogEntry").objects.create(
            user=coordinator, content_type=content_type, object_id=str(network.pk),
            object_repr="Network", action_flag=2, change_message="[]",
        )  # fmt: skip
        tables = ["coalition_organisation", "coalition_organisationtext", "coalition_membership"]
        before = {table: _rows(table) for table in tables}

        migrate_to(None)

        assert {table: _rows(table) for table in tables} == before
        assert Organisation.objects.get(pk=network.pk).description == "Una red."
        assert set(
            Membership.objects.values_list("user__username", "organisation__slug", "role")
        ) == {
            ("organiser", "network", "organiser"),
            ("organiser", "comite", "viewer"),
            ("coordinator", None, "coordinator"),
        }
        assert OrganisationText.objects.get().shared_id == network.pk
        for (app, model, field), pk in made.items():
            Model = apps.get_model(app, model)
            assert Model.objects.filter(pk=pk, **{field: network.pk}).exists(), (app, model)
        assert apps.get_model("coalition", "WorkingGroupMember").objects.get(
            pk=member.pk
        ).on_behalf_of == Organisation.objects.get(pk=committee.pk)
        assert apps.get_model("people", "Consent").objects.get(pk=consent.pk).organisation.slug == (
            "comite"
        )
        shared_action = apps.get_model("actions", "ActionShared").objects.get(pk=action.pk)
        assert list(shared_action.co_sponsors.all()) == [Organisation.objects.get(pk=committee.pk)]
        shared_campaign = apps.get_model("events", "CampaignShared").objects.get(pk=campaign.pk)
        endorsers = shared_campaign.endorsers.values_list("slug", flat=True)
        assert set(endorsers) == {"network", "comite"}

        # The same content type, now the organisations app's: history and permissions follow.
        ContentType.objects.clear_cache()
        assert ContentType.objects.get_for_model(Organisation).pk == content_type.pk
        assert LogEntry.objects.get(pk=entry.pk).get_edited_object() == Organisation.objects.get(
            pk=network.pk
        )
        assert (
            get_user_model()
            .objects.get(pk=organiser.pk)
            .has_perm("organisations.change_organisation")
        )

        # And back: coalition's again, every row where it was.
        old = migrate_to(BEFORE)
        assert {table: _rows(table) for table in tables} == before
        assert old.get_model("coalition", "Organisation").objects.count() == 2
        assert (
            old.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk).app_label
            == "coalition"
        )
        assert (
            old.get_model("coalition", "WorkingGroupMember")
            .objects.get(pk=member.pk)
            .on_behalf_of_id
            == committee.pk
        )
    finally:
        migrate_to(None)
        ContentType.objects.clear_cache()
