"""Two-factor sign-in for staff: enrolling, the second step, refusals, resets."""

import pytest
from django.test import Client

from convoca.core.models import AuditEntry
from convoca.organisations.models import Membership
from convoca.staff.models import AuthenticatorApp, RecoveryCode, StaffSession
from convoca.staff.tests.conftest import FIREFOX, enrol_app, sign_in

ADMIN_PAGES = ["/admin/", "/admin/actions/action/", "/admin/people/person/", "/admin/account/"]


def test_with_the_setting_a_password_alone_reaches_no_admin_page(browser, organiser, required):
    response = sign_in(browser)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/account/app/?next=")
    for url in ADMIN_PAGES:
        page = browser.get(url)
        assert page.status_code == 302, url
        assert page["Location"].startswith("/admin/account/app/"), url
    # Nor does a POST of an admin action or an export slip through.
    assert browser.post("/admin/actions/action/", {"action": "delete_selected"}).status_code == 302


def test_enrolling_an_app_and_signing_in_with_it_needs_no_javascript(browser, organiser, required):
    sign_in(browser, next_url="/admin/actions/action/")
    page = browser.get("/admin/account/app/", {"next": "/admin/actions/action/"})
    assert "<svg" in page.text  # the QR code, drawn by the server

    wrong = browser.post(
        "/admin/account/app/", {"name": "my phone", "code": "000000", "next": "/admin/"}
    )
    assert "That code does not match" in wrong.text
    assert not AuthenticatorApp.objects.filter(confirmed=True).exists()

    app, codes = enrol_app(browser, next_url="/admin/actions/action/")
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert browser.get("/admin/actions/action/").status_code == 200
    assert AuditEntry.objects.filter(verb="second-factor-added", user=organiser).exists()

    # Another day, another browser: the password, then the app's code.
    laptop = Client()
    response = sign_in(laptop, next_url="/admin/actions/action/")
    assert response["Location"] == (
        "/admin/account/second-factor/?next=%2Fadmin%2Factions%2Faction%2F"
    )
    assert laptop.get("/admin/").status_code == 302
    step = laptop.get(response["Location"])
    assert "Code from your authenticator app, or a recovery code" in step.text
    done = laptop.post(
        "/admin/account/second-factor/",
        {"code": app.code(steps_ahead=1), "next": "/admin/actions/action/"},
    )
    assert done.status_code == 302
    assert done["Location"] == "/admin/actions/action/"
    assert laptop.get("/admin/actions/action/").status_code == 200


def test_a_code_is_accepted_once_and_a_wrong_or_replayed_one_is_refused_and_audited(
    browser, organiser, required
):
    sign_in(browser)
    app, _codes = enrol_app(browser)
    code = app.code(steps_ahead=1)

    first = Client()
    sign_in(first)
    assert first.post("/admin/account/second-factor/", {"code": code}).status_code == 302

    replayed = Client()
    sign_in(replayed)
    again = replayed.post("/admin/account/second-factor/", {"code": code})
    assert again.status_code == 200
    assert "That code was not accepted" in again.text
    assert replayed.get("/admin/").status_code == 302
    wrong = replayed.post("/admin/account/second-factor/", {"code": "123456"})
    assert "That code was not accepted" in wrong.text
    refused = AuditEntry.objects.filter(verb="second-factor-refused", user=organiser)
    assert refused.count() == 2
    assert {entry.target for entry in refused} == {"code"}  # nothing says which check failed


def test_a_recovery_code_lets_in_once(browser, organiser, required):
    sign_in(browser)
    _app, codes = enrol_app(browser)
    lost_phone = Client()
    sign_in(lost_phone)
    typed = codes[3].upper().replace("-", " ")  # as read aloud and typed in a hurry
    assert lost_phone.post("/admin/account/second-factor/", {"code": typed}).status_code == 302
    assert lost_phone.get("/admin/").status_code == 200
    assert RecoveryCode.objects.count() == 9
    assert AuditEntry.objects.filter(verb="recovery-code-used").exists()

    thief = Client()
    sign_in(thief)
    reused = thief.post("/admin/account/second-factor/", {"code": codes[3]})
    assert reused.status_code == 200
    assert "That code was not accepted" in reused.text
    assert thief.get("/admin/people/person/").status_code == 302


def test_a_stolen_password_cannot_enrol_another_app(browser, organiser, required):
    sign_in(browser)
    enrol_app(browser)
    thief = Client()
    sign_in(thief)
    for url in ("/admin/account/app/", "/admin/account/passkey/"):
        page = thief.get(url)
        assert page.status_code == 302
        assert page["Location"].startswith("/admin/account/second-factor/")
    posted = thief.post("/admin/account/app/", {"name": "thief", "code": "123456"})
    assert posted.status_code == 302
    assert AuthenticatorApp.objects.count() == 1


def test_a_member_who_enrolled_is_asked_for_the_factor_even_when_the_site_does_not_require_it(
    browser, organiser
):
    assert browser.get("/admin/").status_code == 302
    sign_in(browser)
    assert browser.get("/admin/").status_code == 200  # no factor, none required
    browser.get("/admin/account/app/")
    enrol_app(browser)
    again = Client()
    response = sign_in(again)
    assert response["Location"].startswith("/admin/account/second-factor/")


def test_a_coordinator_can_require_a_second_factor_of_one_organisations_staff(
    make_staff, organisation, other_organisation
):
    make_staff("ana", Membership.Role.ORGANISER, organisation)
    make_staff("bea", Membership.Role.VIEWER, other_organisation)
    organisation.second_factor_required = True
    organisation.save()
    ana, bea = Client(), Client()
    assert sign_in(ana, "ana")["Location"].startswith("/admin/account/app/")
    assert ana.get("/admin/").status_code == 302
    assert sign_in(bea, "bea")["Location"] == "/admin/"
    assert bea.get("/admin/").status_code == 200


def test_only_coordinators_may_change_whether_an_organisation_requires_it(organiser, organisation):
    client = Client()
    sign_in(client)
    page = client.get(f"/admin/organisations/organisation/{organisation.pk}/change/")
    assert page.status_code == 200
    assert 'name="second_factor_required"' not in page.text


def test_a_coordinator_resets_a_members_factors_and_signs_them_out(browser, organiser, coordinator):
    sign_in(browser)
    browser.get("/admin/account/app/")
    enrol_app(browser)
    assert browser.get("/admin/").status_code == 200

    desk = Client()
    assert sign_in(desk, "coordinator")["Location"] == "/admin/"
    response = desk.post(
        "/admin/auth/user/",
        {"action": "reset_second_factors", "_selected_action": [organiser.pk]},
    )
    assert response.status_code == 302
    assert not AuthenticatorApp.objects.filter(user=organiser).exists()
    entry = AuditEntry.objects.get(verb="second-factors-reset")
    assert (entry.user, entry.target) == (coordinator, "organiser")

    # The member's open session ends on its next request; they sign in and enrol anew.
    assert browser.get("/admin/")["Location"].startswith("/admin/login/")
    assert sign_in(browser)["Location"] == "/admin/"


def test_an_organiser_cannot_reset_anyones_factors(organiser, coordinator):
    client = Client()
    sign_in(client)
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factors", "_selected_action": [coordinator.pk]},
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(verb="second-factors-reset").exists()


def test_the_second_step_speaks_spanish(organiser, required):
    client = Client(headers={"accept-language": "es", "user-agent": FIREFOX})
    sign_in(client)
    page = client.get("/admin/account/app/")
    assert "Añadir una aplicación de autenticación" in page.text
    enrol_app(client)
    other = Client(headers={"accept-language": "es"})
    sign_in(other)
    step = other.get("/admin/account/second-factor/")
    assert "Segundo paso" in step.text
    wrong = other.post("/admin/account/second-factor/", {"code": "000000"})
    assert "No se aceptó ese código" in wrong.text


def test_removing_the_last_factor_is_refused_while_one_is_required(browser, organiser, required):
    sign_in(browser)
    enrol_app(browser)
    [app] = AuthenticatorApp.objects.filter(user=organiser)
    response = browser.post(f"/admin/account/factors/{app.persistent_id}/remove/", follow=True)
    assert "add another before removing this one" in response.text
    assert AuthenticatorApp.objects.filter(pk=app.pk).exists()


def test_another_members_factor_cannot_be_removed(browser, organiser, make_staff, organisation):
    make_staff("ana", Membership.Role.ORGANISER, organisation)
    ana = Client()
    sign_in(ana, "ana")
    ana.get("/admin/account/app/")
    enrol_app(ana)
    [app] = AuthenticatorApp.objects.all()
    sign_in(browser)
    response = browser.post(f"/admin/account/factors/{app.persistent_id}/remove/")
    assert response.status_code == 404
    assert AuthenticatorApp.objects.filter(pk=app.pk).exists()


@pytest.mark.parametrize("next_url", ["/admin/no-such-page/", "/admin/actions/nothing-here/"])
def test_a_next_to_a_missing_admin_page_lands_on_the_index(browser, organiser, next_url):
    response = sign_in(browser, next_url=next_url)
    assert response["Location"] == "/admin/"


def test_sessions_are_listed_with_no_address_kept(browser, organiser):
    sign_in(browser)
    phone = Client(
        headers={
            "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) "
            "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
        },
        REMOTE_ADDR="203.0.113.99",
    )
    sign_in(phone)
    index = browser.get("/admin/")
    assert 'href="/admin/account/"' in index.text  # in the account menu
    page = browser.get("/admin/account/")
    assert page.status_code == 200
    assert "Firefox on Linux" in page.text
    assert "Safari on iOS" in page.text
    assert page.text.count("data-session") == 2
    stored = " ".join(str(v) for v in StaffSession.objects.values_list())
    assert "203.0.113.99" not in stored


def test_wrong_codes_from_a_password_thief_hold_the_member_up_minutes_not_days(
    browser, organiser, required
):
    from datetime import timedelta

    from django.utils import timezone

    sign_in(browser)
    app, _codes = enrol_app(browser)
    device = AuthenticatorApp.objects.get(user=organiser)
    for _n in range(40):  # forty wrong codes, each after the previous wait
        device.throttle_increment()
    device.throttling_failure_timestamp = timezone.now() - timedelta(minutes=9)
    device.save()
    member = Client()
    sign_in(member)
    response = member.post("/admin/account/second-factor/", {"code": app.code(steps_ahead=1)})
    assert response.status_code == 302
    assert member.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/account/"),
        ("get", "/admin/account/second-factor/"),
        ("post", "/admin/account/second-factor/"),
        ("get", "/admin/account/app/"),
        ("post", "/admin/account/app/"),
        ("get", "/admin/account/passkey/"),
        ("post", "/admin/account/recovery-codes/"),
        ("post", "/admin/account/factors/staff.authenticatorapp/1/remove/"),
        ("post", "/admin/account/sessions/all/sign-out/"),
    ],
)
def test_every_account_page_sends_a_visitor_to_sign_in(db, method, url):
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
