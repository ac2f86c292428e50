"""The coalition at work in a real browser: affiliating, joining a group, writing to the inbox."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from convoca.coalition.models import AffiliationRequest, WorkingGroup, WorkingGroupMember
from convoca.coalition.tests.helpers import working_group_make
from convoca.inbox.models import ContactMessage, ThreadEntry
from convoca.organisations.models import Membership, Organisation
from convoca.organisations.services import staff_member_create

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-coordinator-password"


@pytest.fixture
def coordinator(transactional_db):
    return staff_member_create(
        username="coordinator",
        email="coordinator@example.org",
        password=PASSWORD,
        role=Membership.Role.COORDINATOR,
    )


def _link_in(email_address: str, subject_part: str = "") -> str:
    [message] = [m for m in mail.outbox if m.to == [email_address] and subject_part in m.subject]
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _log_in(page, username, password):
    page.goto("/admin/login/?next=/admin/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("[type=submit]").click()
    expect(page.locator("input[name=password]")).to_have_count(0)


def test_an_organisation_applies_is_approved_and_its_contact_logs_in_as_its_organiser(
    new_context, coordinator, settings
):
    settings.CONVOCA_RATE_LIMITS = {
        **settings.CONVOCA_RATE_LIMITS,
        "affiliate-without-pow": {"per_client": (0, 3600), "per_email": (0, 3600)},
    }
    visitor = new_context().new_page()
    visitor.goto("/en/join-the-coalition/")
    visitor.get_by_label("Name of the organisation").fill("Brigada Obrera")
    visitor.get_by_label("Country").select_option("CL")
    visitor.get_by_label("What does your organisation do?").fill("Dockworkers' brigades.")
    visitor.get_by_label("Contact person: first name").fill("Rosa")
    visitor.get_by_label("Email").fill("rosa@brigada.example.org")
    visitor.get_by_role("button", name="Send the request").click()
    expect(visitor.get_by_role("heading", name="Request received")).to_be_visible()
    request = AffiliationRequest.objects.get()

    staff = new_context().new_page()
    _log_in(staff, "coordinator", PASSWORD)
    staff.goto(f"/admin/coalition/affiliationrequest/{request.pk}/change/")
    expect(staff.get_by_text("rosa@brigada.example.org")).to_be_visible()
    staff.get_by_label("Approve: create the organisation and invite its contact").check()
    staff.locator("[name=_save]").click()
    expect(staff.get_by_text("is now an organisation of the coalition")).to_be_visible()
    organisation = Organisation.objects.get(name="Brigada Obrera")

    contact = new_context().new_page()
    contact.goto(_link_in("rosa@brigada.example.org", "now part of"))
    contact.get_by_label("New password:", exact=True).fill("dockers-of-valparaiso")
    contact.get_by_label("New password confirmation").fill("dockers-of-valparaiso")
    contact.get_by_role("button", name="Set my password").click()
    expect(contact.get_by_role("heading", name="Password set")).to_be_visible()
    contact.get_by_role("link", name="Log in").click()
    _log_in(contact, "rosa@brigada.example.org", "dockers-of-valparaiso")
    contact.goto(f"/admin/organisations/organisation/{organisation.pk}/change/")
    expect(contact.locator("input[name=name]")).to_have_value("Brigada Obrera")
    contact.goto("/admin/organisations/organisation/")
    expect(contact.get_by_role("link", name="Brigada Obrera")).to_be_visible()


def test_a_person_joins_an_open_working_group_in_spanish(new_context, transactional_db, settings):
    settings.CONVOCA_RATE_LIMITS = {
        **settings.CONVOCA_RATE_LIMITS,
        "join-without-pow": {"per_client": (0, 3600), "per_email": (0, 3600)},
    }
    group = working_group_make(
        slug="media",
        name_en="Media and outreach",
        name_es="Medios y difusión",
        purpose_es="Redacta el Semanario.",
        joining=WorkingGroup.Joining.OPEN,
    )
    page = new_context(locale="es-ES").new_page()
    page.goto("/es/grupos-de-trabajo/media/")
    expect(page.get_by_text("Redacta el Semanario.")).to_be_visible()
    page.locator("input[name=given_name]").fill("Luis")
    page.locator("input[name=email]").fill("luis@example.org")
    page.get_by_role("button", name="Unirse al grupo").click()
    expect(page.get_by_role("heading", name="Revisa tu correo")).to_be_visible()

    page.goto(_link_in("luis@example.org"))
    page.get_by_role("button", name="Confirmar mi solicitud").click()
    expect(page.get_by_text("ya formas parte de este grupo")).to_be_visible()
    assert WorkingGroupMember.objects.get().group == group


def test_a_contact_message_is_stored_acknowledged_and_answered_from_the_inbox(
    new_context, coordinator, settings
):
    # Only a browser that solved the proof of work gets through.
    settings.CONVOCA_RATE_LIMITS = {
        **settings.CONVOCA_RATE_LIMITS,
        "contact-without-pow": {"per_client": (0, 3600), "per_email": (0, 3600)},
    }
    visitor = new_context(locale="es-ES").new_page()
    visitor.goto("/es/contacto/")
    visitor.get_by_label("Tu nombre").fill("Marta")
    visitor.get_by_label("Tu correo").fill("marta@example.org")
    visitor.get_by_label("¿De qué se trata?").select_option("press")
    visitor.get_by_label("Tu mensaje").fill("¿Podéis hablar en nuestra radio el viernes?")
    visitor.get_by_role("button", name="Enviar el mensaje").click()
    expect(visitor.get_by_role("heading", name="Mensaje recibido")).to_be_visible()
    message = ContactMessage.objects.get()
    assert message.body == "¿Podéis hablar en nuestra radio el viernes?"
    [acknowledgement] = mail.outbox
    assert acknowledgement.subject == "Hemos recibido tu mensaje a Convoca"

    staff = new_context().new_page()
    _log_in(staff, "coordinator", PASSWORD)
    staff.goto("/admin/inbox/contactmessage/")
    staff.get_by_role("link", name=re.compile("Marta")).first.click()
    expect(staff.get_by_text("¿Podéis hablar en nuestra radio el viernes?")).to_be_visible()
    staff.locator("textarea[name=reply]").fill("Sí: os llamamos el jueves.")
    staff.locator("textarea[name=note]").fill("Ask the media group.")
    staff.locator("[name=_continue]").click()
    expect(staff.get_by_text("Sí: os llamamos el jueves.")).to_be_visible()
    expect(staff.get_by_text("Ask the media group.")).to_be_visible()

    reply = mail.outbox[-1]
    assert reply.to == ["marta@example.org"]
    assert reply.subject == "Re: tu mensaje a Convoca"
    assert "Sí: os llamamos el jueves." in reply.body
    assert "Ask the media group" not in reply.body
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.ANSWERED
    assert ThreadEntry.objects.get(kind="reply").sent_at is not None


def test_without_javascript_errors_are_in_spanish_the_form_stays_filled_and_it_sends(
    new_context, transactional_db
):
    page = new_context(locale="es-ES", java_script_enabled=False).new_page()
    page.goto("/es/contacto/")
    page.locator("input[name=name]").fill("Marta")
    page.locator("input[name=email]").fill("marta@")
    page.get_by_role("button", name="Enviar el mensaje").click()
    expect(page.get_by_text("Introduce una dirección de correo válida")).to_be_visible()
    expect(page.get_by_text("Escribe tu mensaje.")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("Marta")
    assert ContactMessage.objects.count() == 0

    page.locator("input[name=email]").fill("marta@example.org")
    page.locator("textarea[name=message]").fill("Hola")
    page.get_by_role("button", name="Enviar el mensaje").click()
    expect(page.get_by_role("heading", name="Mensaje recibido")).to_be_visible()
    assert ContactMessage.objects.get().body == "Hola"

    page.goto("/es/unirse-a-la-coalicion/")
    page.locator("input[name=name]").fill("Brigada Obrera")
    page.get_by_role("button", name="Enviar la solicitud").click()
    expect(page.get_by_text("Elige el país donde trabaja tu organización.")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("Brigada Obrera")
