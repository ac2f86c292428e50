"""The public forms work in a browser with JavaScript switched off."""

import pytest
from playwright.sync_api import expect

from convoca.people.services import PersonData, person_upsert

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_a_supporter_asks_for_their_data_without_javascript(page, transactional_db, mailoutbox):
    person_upsert(data=PersonData(email="ana@example.org", given_name="Ana"), confirmed=True)

    page.goto("/en/my-data/")
    page.get_by_label("Your email address").fill("ana@example.org")
    page.get_by_role("button", name="Send me the link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page).to_have_title("Check your email · Convoca")
    assert [message.to for message in mailoutbox] == [["ana@example.org"]]


def test_an_invalid_email_is_explained_next_to_the_field_and_kept(page, transactional_db):
    page.goto("/en/my-data/")
    page.get_by_label("Your email address").fill("ana at example")
    page.get_by_role("button", name="Send me the link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("See, download or erase your data")
    field = page.get_by_label("Your email address")
    expect(field).to_have_value("ana at example")
    message = "Please enter a valid email address, like ana@example.org."
    expect(field).to_have_accessible_description(message)
    expect(field).to_have_attribute("aria-invalid", "true")
    group = page.locator(".field.has-error")
    expect(group).to_have_count(1)
    expect(group).to_contain_text(message)
    expect(group.locator("input")).to_have_attribute("name", "email")
