import re

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from convoca.coalition.models import AffiliationRequest
from convoca.organisations.models import Membership, Organisation
from convoca.organisations.selectors import organisation_ids_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def apply(client, django_capture_on_commit_callbacks):
    def post(language="en", **fields):
        data = {
            "name": "Brigada Obrera",
            "country": "CL",
            "city": "Valparaíso",
            "organisation_website": "brigada.example.org",
            "description": "Dockworkers organising solidarity brigades.",
            "relationship": "member",
            "given_name": "Rosa",
            "family_name": "Pérez",
            "email": "rosa@brigada.example.org",
            "message": "We met your delegation in March.",
            **fields,
        }
        url = "/es/unirse-a-la-coalicion/" if language == "es" else "/en/join-the-coalition/"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message["message"].get_content()).group(1)


def test_an_organisation_applies_and_its_contact_and_the_coordinators_are_told(
    apply, coordinator, smtp_sink, logo_with_gps
):
    response = apply(logo=logo_with_gps)

    assert response.status_code == 302
    assert response["Location"] == "/en/join-the-coalition/thanks/"
    request = AffiliationRequest.objects.get()
    assert request.status == AffiliationRequest.Status.PENDING
    assert request.website == "https://brigada.example.org"
    assert request.person.email == "rosa@brigada.example.org"
    assert request.message == "We met your delegation in March."
    with request.logo.open("rb") as stored, Image.open(stored) as logo:
        assert logo.format == "PNG"
        assert logo.size == (512, 256)
        assert not logo.getexif()
        assert not logo.info.get("exif")
    recipients = sorted(m["to"][0] for m in smtp_sink.messages)
    assert recipients == ["coordinator@example.org", "rosa@brigada.example.org"]
    assert Organisation.objects.count() == 0


def test_bad_input_is_explained_in_spanish_and_the_form_is_kept(apply):
    response = apply(language="es", name="", email="rosa@", organisation_website="not a url")

    assert response.status_code == 400
    assert "Escribe el nombre de tu organización." in response.text
    assert "Introduce una dirección de correo válida" in response.text
    assert 'value="Valparaíso"' in response.text
    assert AffiliationRequest.objects.count() == 0


def test_a_coordinator_asks_a_question_by_email_and_it_is_kept_with_the_request(
    apply, client, coordinator, smtp_sink, django_capture_on_commit_callbacks
):
    apply(language="es")
    request = AffiliationRequest.objects.get()
    smtp_sink.messages.clear()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/coalition/affiliationrequest/{request.pk}/change/",
            {"decision": "ask", "question": "How many members do you have?"},
        )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AffiliationRequest.Status.QUESTIONED
    [sent] = smtp_sink.messages
    assert sent["to"] == ["rosa@brigada.example.org"]
    assert sent["message"]["Reply-To"] == "coordinator@example.org"
    assert sent["message"]["Subject"] == "Una pregunta sobre la solicitud de Brigada Obrera"
    assert "How many members do you have?" in sent["message"].get_content()
    page = client.get(f"/admin/coalition/affiliationrequest/{request.pk}/change/").text
    assert "How many members do you have?" in page


def test_approval_creates_the_organisation_and_its_contact_sets_a_password_and_is_its_organiser(
    apply, client, coordinator, smtp_sink, logo_with_gps, django_capture_on_commit_callbacks
):
    apply(logo=logo_with_gps)
    request = AffiliationRequest.objects.get()
    smtp_sink.messages.clear()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/coalition/affiliationrequest/{request.pk}/change/", {"decision": "approve"}
        )

    organisation = Organisation.objects.get(name="Brigada Obrera")
    assert organisation.status == Organisation.Status.ACTIVE
    assert organisation.country == "CL"
    assert (
        organisation.text_in("description", "en") == "Dockworkers organising solidarity brigades."
    )
    assert organisation.logo
    user = get_user_model().objects.get(email="rosa@brigada.example.org")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).organisation == organisation
    [invitation] = smtp_sink.messages
    assert invitation["to"] == ["rosa@brigada.example.org"]

    client.logout()
    form_page = client.get(_link(invitation), follow=True)
    assert "Choose your password" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "dockers-of-valparaiso", "new_password2": "dockers-of-valparaiso"},
    )
    assert response["Location"] == "/en/organisers/password-set/"
    assert client.login(username="rosa@brigada.example.org", password="dockers-of-valparaiso")
    user.refresh_from_db()
    assert organisation_ids_for_user(user, can_edit=True) == {organisation.pk}
    page = client.get(f"/admin/organisations/organisation/{organisation.pk}/change/")
    assert page.status_code == 200
    # The link works once.
    assert "expired or was already used" in client.get(_link(invitation), follow=True).text


def test_approving_twice_makes_one_organisation(apply, coordinator):
    from convoca.coalition.services import affiliation_request_approve

    apply()
    request = AffiliationRequest.objects.get()
    first = affiliation_request_approve(request=request, reviewer=coordinator)
    second = affiliation_request_approve(request=request, reviewer=coordinator)
    assert first == second
    assert Organisation.objects.count() == 1


def test_an_organiser_cannot_see_affiliation_requests(apply, client, organiser):
    apply()
    client.force_login(organiser)
    request = AffiliationRequest.objects.get()
    response = client.get(f"/admin/coalition/affiliationrequest/{request.pk}/change/")
    assert response.status_code in (403, 404)
    assert client.get("/admin/coalition/affiliationrequest/").status_code == 403


def test_erasing_the_contact_keeps_the_organisations_details_but_not_theirs(apply):
    from convoca.people.services import person_erase, person_export

    apply()
    request = AffiliationRequest.objects.get()
    [exported] = person_export(person=request.person)["affiliation_requests"]
    assert exported["message"] == "We met your delegation in March."
    person_erase(person=request.person)
    request.refresh_from_db()
    assert (request.person, request.message, request.name) == (None, "", "Brigada Obrera")


def test_a_coordinator_can_send_an_approved_contact_a_new_link(
    apply, client, coordinator, smtp_sink, django_capture_on_commit_callbacks
):
    from convoca.coalition.services import affiliation_request_approve

    apply()
    request = AffiliationRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        affiliation_request_approve(request=request, reviewer=coordinator)
    smtp_sink.messages.clear()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/coalition/affiliationrequest/",
            {"action": "resend_invitation", "_selected_action": [str(request.pk)]},
        )

    [sent] = smtp_sink.messages
    assert sent["to"] == ["rosa@brigada.example.org"]
    assert "/en/organisers/set-password/" in sent["message"].get_content()


def test_a_coordinator_sees_and_edits_a_staff_accounts_roles(client, coordinator, organiser):
    client.force_login(coordinator)
    page = client.get(f"/admin/auth/user/{organiser.pk}/change/").text
    assert 'name="memberships-TOTAL_FORMS"' in page
    assert 'name="memberships-0-role"' in page


def test_coordinators_find_a_request_by_the_contacts_exact_email(apply, client, coordinator):
    apply()
    client.force_login(coordinator)
    url = "/admin/coalition/affiliationrequest/"
    assert "Brigada Obrera" in client.get(url, {"q": "ROSA@brigada.example.org"}).text
    assert "Brigada Obrera" not in client.get(url, {"q": "x@example.org"}).text


def test_an_existing_staff_account_with_the_contacts_email_becomes_its_organiser(
    apply, coordinator, make_staff, organisation
):
    from convoca.coalition.services import affiliation_request_approve

    existing = make_staff("rosa", Membership.Role.ORGANISER, organisation)
    existing.email = "Rosa@Brigada.example.org"
    existing.save()
    apply()
    new = affiliation_request_approve(
        request=AffiliationRequest.objects.get(), reviewer=coordinator
    )
    assert get_user_model().objects.filter(email__iexact="rosa@brigada.example.org").count() == 1
    assert organisation_ids_for_user(existing, can_edit=True) == {organisation.pk, new.pk}


def test_a_request_under_review_keeps_its_contact_through_the_purge_of_unconfirmed_people(
    apply, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from convoca.coalition.services import affiliation_request_decline
    from convoca.people.services import person_purge_unconfirmed

    apply()
    request = AffiliationRequest.objects.get()
    later = timezone.now() + timedelta(days=settings.CONVOCA_UNCONFIRMED_RETENTION_DAYS + 1)

    assert person_purge_unconfirmed(now=later) == 0
    request.refresh_from_db()
    assert request.person.email == "rosa@brigada.example.org"

    affiliation_request_decline(request=request, reviewer=None)
    assert person_purge_unconfirmed(now=later) == 1  # decided: the usual rule applies again


def test_declining_with_a_message_emails_the_reason_in_the_contacts_language_and_keeps_it(
    apply, client, coordinator, smtp_sink, django_capture_on_commit_callbacks
):
    apply(language="es")
    request = AffiliationRequest.objects.get()
    smtp_sink.messages.clear()
    client.force_login(coordinator)
    url = f"/admin/coalition/affiliationrequest/{request.pk}/change/"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "decline", "question": "We only take unions in the region."}
        )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AffiliationRequest.Status.DECLINED
    [sent] = smtp_sink.messages
    assert sent["to"] == ["rosa@brigada.example.org"]
    assert sent["message"]["Reply-To"] == "coordinator@example.org"
    assert (
        sent["message"]["Subject"]
        == "Sobre la solicitud de Brigada Obrera para unirse a la coalición"
    )
    body = sent["message"].get_content()
    assert "We only take unions in the region." in body and "decidido" in body
    assert "We only take unions in the region." in client.get(url).text
    assert Organisation.objects.count() == 0


def test_declining_without_a_message_emails_nobody(
    apply, client, coordinator, smtp_sink, django_capture_on_commit_callbacks
):
    apply()
    request = AffiliationRequest.objects.get()
    smtp_sink.messages.clear()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/coalition/affiliationrequest/{request.pk}/change/",
                    {"decision": "decline", "question": ""})  # fmt: skip

    request.refresh_from_db()
    assert request.status == AffiliationRequest.Status.DECLINED
    assert smtp_sink.messages == []
