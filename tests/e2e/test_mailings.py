"""Subscribing, confirming, receiving a mailing and unsubscribing in one click, in a browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from convoca.mailings.models import Subscription
from convoca.mailings.services import mailing_create, mailing_list_create, mailing_send_now
from convoca.organisations.models import Organisation
from convoca.people.selectors import person_get_by_email

pytestmark = pytest.mark.e2e


@pytest.fixture
def alerts(transactional_db):
    organisation = Organisation.objects.create(
        name="Solidarity Network Tucson", slug="snt", country="US", status="active"
    )
    return mailing_list_create(
        organisation=organisation,
        slug="alerts",
        name={
            "en": "Alerts: webinars and mobilisations",
            "es": "Alertas: seminarios y movilizaciones",
        },
        description={
            "en": "One email when something happens.",
            "es": "Un correo cuando pasa algo.",
        },
    )


def test_a_visitor_subscribes_confirms_receives_in_spanish_and_unsubscribes_in_one_click(
    new_context, alerts
):
    page = new_context(locale="es-ES").new_page()
    page.goto("/es/listas/")
    page.get_by_role("link", name="Alertas: seminarios y movilizaciones").click()
    page.get_by_label("Nombre (opcional)").fill("Ana")
    page.get_by_label("Correo").fill("ana@example.org")
    page.get_by_role("button", name="Suscribirme").click()
    expect(page.get_by_role("heading", name="Revisa tu correo")).to_be_visible()

    [confirmation] = mail.outbox
    assert confirmation.subject == "Confirma tu suscripción"
    page.goto(re.search(r"https?://[^/\s]+(/\S+)", confirmation.body).group(1))
    page.get_by_role("button", name="Confirmar mi suscripción").click()
    expect(page.get_by_text("Alertas: seminarios y movilizaciones")).to_be_visible()
    person = person_get_by_email("ana@example.org")
    assert Subscription.objects.get(person=person).status == "subscribed"

    mailing = mailing_create(
        organisation=alerts.organisation,
        lists=[alerts],
        subject={"en": "Webinar on Tuesday", "es": "Seminario el martes"},
        body_markdown={
            "en": "Hello {{ first_name }}.",
            "es": "Hola {{ first_name }}, te esperamos.",
        },
    )
    mail.outbox.clear()
    mailing_send_now(mailing=mailing)
    [message] = mail.outbox
    assert message.subject == "Seminario el martes"
    assert "Hola Ana, te esperamos." in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(r"<(https?://[^>]+)>", message.extra_headers["List-Unsubscribe"])
    path = re.sub(r"^https?://[^/]+", "", unsubscribe.group(1))

    # A mail scanner or a curious click: the GET shows a button and changes nothing.
    page.goto(path)
    expect(page.get_by_role("button", name="Darme de baja")).to_be_visible()
    assert Subscription.objects.get(person=person).status == "subscribed"

    # The mail client's one-click button: a POST, answered at once, no redirect.
    response = page.request.post(path, form={"List-Unsubscribe": "One-Click"}, max_redirects=0)
    assert response.status == 200
    assert Subscription.objects.get(person=person).status == "unsubscribed"
    page.reload()
    expect(page.get_by_role("button", name="Darme de baja")).to_be_visible()
    assert Subscription.objects.get(person=person).status == "unsubscribed"


def test_an_organiser_composes_targets_sees_the_count_sends_and_watches_progress(
    new_context, alerts, settings
):
    from convoca.mailings.services import subscription_add_confirmed
    from convoca.organisations.models import Membership
    from convoca.organisations.services import staff_member_create
    from convoca.people.services import PersonData, person_upsert

    staff_member_create(
        username="organiser",
        email="organiser@example.org",
        password="a-long-test-password",
        role=Membership.Role.ORGANISER,
        organisation=alerts.organisation,
    )
    for email, country in [
        ("a@example.org", "MX"),
        ("b@example.org", "MX"),
        ("c@example.org", "GB"),
    ]:
        person = person_upsert(data=PersonData(email=email, country=country), confirmed=True).person
        subscription_add_confirmed(mailing_list=alerts, person=person, source="test")

    page = new_context().new_page()
    page.goto("/admin/mailings/mailing/add/")
    page.locator("input[name=username]").fill("organiser")
    page.locator("input[name=password]").fill("a-long-test-password")
    page.locator("input[name=password]").press("Enter")
    page.locator("input[name=subject_en]").fill("Rally on Saturday")
    page.locator("textarea[name=body_markdown_en]").fill("Dear {{ first_name }}, see you there.")
    page.get_by_label("Alerts: webinars and mobilisations").first.check()
    page.locator("select[name=countries]").select_option("MX")
    page.locator("select[name=organisation]").select_option(str(alerts.organisation_id))
    page.locator("[name=_continue]").click()
    expect(page.locator("#recipient-count")).to_have_text("This mailing reaches exactly 2 people.")

    mail.outbox.clear()
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("#figure-sent")).to_have_text("2")
    expect(page.locator("#figure-remaining")).to_have_text("0")
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
