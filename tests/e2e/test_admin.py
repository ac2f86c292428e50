"""The staff sign-in and the organisers' first screen in a real browser."""

import pytest
from playwright.sync_api import expect

from convoca.organisations.models import Membership, Organisation
from convoca.organisations.services import staff_member_create

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-organiser-password"


@pytest.fixture
def organiser(transactional_db):
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


def _try(page, password):
    page.locator("input[name=username]").fill("organiser")
    page.locator("input[name=password]").fill(password)
    page.locator("[type=submit]").first.click()
    page.wait_for_load_state()


def test_after_failed_sign_ins_the_browser_does_the_work_and_the_right_password_gets_in(
    page, organiser, settings
):
    settings.CONVOCA_POW_MAX_NUMBER = 5000
    page.goto("/admin/login/?next=https://evil.example/")
    for n in range(5):
        _try(page, f"guess-{n}")
    expect(page.locator("[data-pow-challenge]")).to_have_count(1)
    # The form waits for the proof of work, sends it, and the password is checked.
    _try(page, PASSWORD)
    expect(page.get_by_role("heading", name="Signatures in the last 7 days")).to_be_visible()
    assert page.url.endswith("/admin/")
    expect(page.get_by_role("link", name="New appeal")).to_be_visible()
