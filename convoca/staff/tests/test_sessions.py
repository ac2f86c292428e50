"""Staff sessions: idle ones end, any can be signed out from the admin, roles apply at once."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from convoca.core.models import AuditEntry
from convoca.organisations.models import Membership
from convoca.staff.models import StaffSession
from convoca.staff.tests.conftest import sign_in


def test_a_session_idle_for_longer_than_the_setting_is_signed_out(organiser, settings):
    settings.CONVOCA_STAFF_IDLE_MINUTES = 30
    client = Client()
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    StaffSession.objects.update(last_seen_at=timezone.now() - timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200  # and that request counts as activity
    StaffSession.objects.update(last_seen_at=timezone.now() - timedelta(minutes=31))
    response = client.get("/admin/actions/action/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "signed out after a time without activity" in client.get(response["Location"]).text
    assert not StaffSession.objects.exists()


def test_signing_out_another_session_from_the_list_ends_it_on_its_next_request(organiser):
    laptop, phone = Client(), Client()
    sign_in(laptop)
    sign_in(phone)
    assert phone.get("/admin/").status_code == 200
    phone_session = StaffSession.objects.order_by("created_at").last()
    response = laptop.post(f"/admin/account/sessions/{phone_session.pk}/sign-out/")
    assert response["Location"] == "/admin/account/"
    assert phone.get("/admin/")["Location"].startswith("/admin/login/")
    assert laptop.get("/admin/").status_code == 200


def test_sign_out_everywhere_else_keeps_this_browser(organiser):
    laptop, phone, tablet = Client(), Client(), Client()
    for client in (laptop, phone, tablet):
        sign_in(client)
    laptop.post("/admin/account/sessions/others/sign-out/")
    assert phone.get("/admin/").status_code == 302
    assert tablet.get("/admin/").status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(verb="signed-out-everywhere", user=organiser).exists()


def test_sign_out_everywhere_includes_this_browser(organiser):
    laptop, phone = Client(), Client()
    sign_in(laptop)
    sign_in(phone)
    response = laptop.post("/admin/account/sessions/all/sign-out/")
    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 302
    assert phone.get("/admin/").status_code == 302


def test_another_members_session_cannot_be_signed_out(organiser, make_staff, organisation):
    make_staff("ana", Membership.Role.ORGANISER, organisation)
    ana, mine = Client(), Client()
    sign_in(ana, "ana")
    sign_in(mine)
    anas = StaffSession.objects.get(user__username="ana")
    assert mine.post(f"/admin/account/sessions/{anas.pk}/sign-out/").status_code == 404
    assert mine.post("/admin/account/sessions/not-a-session/sign-out/").status_code == 404
    assert ana.get("/admin/").status_code == 200


def test_a_coordinator_signs_a_member_out_everywhere(organiser, coordinator):
    member, desk = Client(), Client()
    sign_in(member)
    sign_in(desk, "coordinator")
    desk.post(
        "/admin/auth/user/",
        {"action": "sign_out_everywhere", "_selected_action": [organiser.pk]},
    )
    assert member.get("/admin/")["Location"].startswith("/admin/login/")
    entry = AuditEntry.objects.get(verb="signed-out-everywhere")
    assert (entry.user, entry.target) == (coordinator, "organiser")


def test_removing_a_members_role_takes_effect_on_their_next_request(organiser, organisation):
    client = Client()
    sign_in(client)
    assert client.get("/admin/actions/action/").status_code == 200
    Membership.objects.filter(user=organiser).delete()
    assert client.get("/admin/actions/action/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_coordinator_made_organiser_loses_the_coordinators_pages_at_once(
    coordinator, organisation
):
    client = Client()
    sign_in(client, "coordinator")
    assert client.get("/admin/auth/user/").status_code == 200
    Membership.objects.filter(user=coordinator).update(
        role=Membership.Role.ORGANISER, organisation=organisation
    )
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/actions/action/").status_code == 200


def test_a_deactivated_member_is_signed_out_on_their_next_request(organiser):
    client = Client()
    sign_in(client)
    organiser.is_active = False
    organiser.save()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_public_pages_do_not_read_the_staff_session(organiser, organisation):
    client = Client()
    sign_in(client)
    StaffSession.objects.update(last_seen_at=timezone.now() - timedelta(days=1))
    response = client.get("/en/")
    assert response.status_code == 200
    assert StaffSession.objects.exists()  # only the organiser interface checks it
