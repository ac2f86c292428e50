"""What an organiser notices after changing fundraisers in the admin.

The admin writes through the same services as the demo and the tests.
"""

from django.urls import reverse

from convoca.donations.models import Donation, Fundraiser
from convoca.organisations.models import Membership


def texts_form_data(fundraiser):
    """The change form's text blocks as they stand: one per language the fundraiser has."""
    versions = list(fundraiser.versions.all())
    data = {"versions-TOTAL_FORMS": len(versions), "versions-INITIAL_FORMS": len(versions)}
    for i, version in enumerate(versions):
        data |= {
            f"versions-{i}-id": version.pk,
            f"versions-{i}-shared": fundraiser.pk,
            f"versions-{i}-language": version.language,
            f"versions-{i}-title": version.title,
            f"versions-{i}-summary": version.summary,
        }
    return data


def test_closing_a_fundraiser_from_the_admin_stops_it_taking_gifts(
    client, organiser, fundraiser, give, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:donations_fundraiser_changelist"),
            {"action": "close_fundraisers", "_selected_action": [fundraiser.pk]},
        )
    assert response.status_code == 302
    client.logout()
    response, session = give(fundraiser)
    assert response.status_code == 409
    assert session is None
    assert not Donation.objects.exists()
    page = client.get(fundraiser.get_absolute_url()).text
    assert "This fundraiser is closed. Thank you to everyone who gave." in page


def test_opening_a_draft_fundraiser_from_the_admin_lets_it_take_gifts(
    client, organiser, make_fundraiser, give
):
    draft = make_fundraiser(status=Fundraiser.Status.DRAFT)
    response, _session = give(draft)
    assert response.status_code != 303
    client.force_login(organiser)
    client.post(
        reverse("admin:donations_fundraiser_changelist"),
        {"action": "open_fundraisers", "_selected_action": [draft.pk]},
    )
    client.logout()
    response, session = give(draft)
    assert response.status_code == 303
    assert session["amount_total"] == 2500


def test_an_organiser_of_another_organisation_cannot_close_our_fundraiser(
    client, make_staff, other_organisation, fundraiser, give
):
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    client.post(
        reverse("admin:donations_fundraiser_changelist"),
        {"action": "close_fundraisers", "_selected_action": [fundraiser.pk]},
    )
    change = reverse("admin:donations_fundraiser_change", args=[fundraiser.pk])
    assert client.post(change, {"status": "closed"}).status_code == 404
    fundraiser.refresh_from_db()
    assert fundraiser.status == Fundraiser.Status.OPEN
    client.logout()
    response, _session = give(fundraiser)
    assert response.status_code == 303


def test_a_fundraiser_closed_in_its_form_takes_no_gifts(client, organiser, fundraiser, give):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:donations_fundraiser_change", args=[fundraiser.pk]),
        {
            "organisation": fundraiser.organisation_id,
            "slug": fundraiser.slug,
            "status": "closed",
            **texts_form_data(fundraiser),
            "currency": fundraiser.currency,
            "goal": "5000",
            "suggested_amounts": "10 25 50",
            "minimum_amount": "1",
            "allow_monthly": "on",
            "show_donors": "on",
        },
    )
    assert response.status_code == 302, response.text
    client.logout()
    response, _session = give(fundraiser)
    assert response.status_code == 409


def test_a_fundraiser_deleted_in_the_admin_leaves_the_sitemap_at_once(
    client, organiser, fundraiser, django_capture_on_commit_callbacks
):
    assert "send-a-delegation" in client.get("/sitemap.xml").text  # now cached
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:donations_fundraiser_delete", args=[fundraiser.pk]), {"post": "yes"}
        )
    assert response.status_code == 302, response.text
    client.logout()
    assert "send-a-delegation" not in client.get("/sitemap.xml").text
