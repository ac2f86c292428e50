"""Two-factor sign-in for staff in a real browser: an authenticator app, then a passkey."""

import time
from base64 import b32decode
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django_otp.oath import TOTP
from playwright.sync_api import expect

from convoca.core.models import AuditEntry
from convoca.organisations.models import Membership, Organisation
from convoca.organisations.services import staff_member_create
from convoca.staff.models import Passkey

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-organiser-password"
DASHBOARD = "Signatures in the last 7 days"


@pytest.fixture
def organiser(transactional_db, settings):
    settings.CONVOCA_STAFF_SECOND_FACTOR_REQUIRED = True
    organisation = Organisation.objects.create(
        name="Solidarity Network Tucson", slug="snt", status=Organisation.Status.ACTIVE
    )
    return staff_member_create(
        username="organiser",
        email="organiser@example.org",
        password=PASSWORD,
        role=Membership.Role.ORGANISER,
        organisation=organisation,
    )


def _password(page):
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill("organiser")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("[type=submit]").first.click()
    page.wait_for_load_state()


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret + "=" * (-len(secret) % 8)), 30, 0, 6, 0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_an_organiser_enrols_an_authenticator_app_and_signs_in_with_its_code(
    new_context, organiser
):
    page = new_context().new_page()
    _password(page)
    expect(page.get_by_role("heading", name="Add an authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_label("Name of this app or phone").fill("my phone")
    page.get_by_label("The 6-digit code the app shows").fill(_code(secret))
    page.get_by_role("button", name="Add this app").click()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name=DASHBOARD)).to_be_visible()

    # Another browser: the password is not enough, the app's next code is.
    other = new_context().new_page()
    _password(other)
    expect(other.get_by_role("heading", name="Second step of signing in")).to_be_visible()
    other.goto("/admin/people/person/")
    expect(other.get_by_role("heading", name="Second step of signing in")).to_be_visible()
    field = other.get_by_label("Code from your authenticator app, or a recovery code")
    field.fill(_code(secret, steps_ahead=1))
    other.get_by_role("button", name="Confirm").click()
    other.wait_for_load_state()
    assert other.url.endswith("/admin/people/person/")


def test_an_organiser_registers_a_passkey_and_signs_in_with_it(new_context, organiser):
    context = new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    _password(page)
    page.get_by_role("link", name="Use a passkey or a security key instead").click()
    page.get_by_label("Name of this passkey").fill("laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    assert Passkey.objects.get(user=organiser).name == "laptop"
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name=DASHBOARD)).to_be_visible()

    # Signed out and in again on the same device: the passkey is the second step.
    page.context.clear_cookies()
    _password(page)
    expect(page.get_by_role("heading", name="Second step of signing in")).to_be_visible()
    with page.expect_request(lambda r: r.method == "POST" and "second-factor" in r.url) as sent:
        page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", name=DASHBOARD)).to_be_visible()

    # The answer the browser sent, replayed from elsewhere with the password, is refused.
    answer = parse_qs(sent.value.post_data)["credential"][0]
    thief = Client()
    thief.post("/admin/login/", {"username": "organiser", "password": PASSWORD})
    thief.get("/admin/account/second-factor/")
    replayed = thief.post("/admin/account/second-factor/", {"credential": answer})
    assert "The passkey was not accepted" in replayed.text
    assert thief.get("/admin/").status_code == 302
    assert AuditEntry.objects.filter(verb="second-factor-refused", target="passkey").exists()
