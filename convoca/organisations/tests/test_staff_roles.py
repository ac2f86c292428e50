"""Coordinators give and take staff roles in the admin; each change is on the audit trail."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from convoca.core.models import AuditEntry
from convoca.organisations.models import Membership


def test_a_role_given_in_the_admin_opens_the_organisation_and_is_audited(
    client, coordinator, organisation
):
    newcomer = get_user_model().objects.create_user(
        "newcomer", "newcomer@example.org", "a-long-test-password", is_staff=True
    )  # an account with no role yet
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:organisations_membership_add"),
        {"user": newcomer.pk, "organisation": organisation.pk, "role": "organiser"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = AuditEntry.objects.filter(verb="staff-role-given")
    assert (entry.user, entry.organisation_id) == (coordinator, organisation.pk)
    assert entry.target == f"staff member {newcomer.pk}: organiser"

    client.force_login(newcomer)
    page = client.get(reverse("admin:organisations_organisation_change", args=[organisation.pk]))
    assert page.status_code == 200


def test_a_role_taken_away_in_the_admin_closes_the_organisation_and_is_audited(
    client, coordinator, organiser, organisation
):
    membership = Membership.objects.get(user=organiser)
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:organisations_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=organiser).exists()
    [entry] = AuditEntry.objects.filter(verb="staff-role-removed")
    assert entry.target == f"staff member {organiser.pk}: organiser"

    client.force_login(organiser)
    page = client.get(reverse("admin:organisations_organisation_change", args=[organisation.pk]))
    assert page.status_code in (302, 403, 404)


def test_an_organiser_cannot_give_roles(client, organiser, organisation):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:organisations_membership_add"),
        {"user": organiser.pk, "organisation": organisation.pk, "role": "coordinator"},
    )
    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.filter(verb="staff-role-given").exists()
    assert not Membership.objects.filter(role="coordinator").exists()
