"""Registering for an event: once per person, the wait list, the email, the join link."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo as event_zone

import icalendar
from django.core import mail
from django.utils import timezone

from convoca.events.calendars import calendar_ics
from convoca.events.models import Registration
from convoca.events.services import registration_cancel
from convoca.people.models import Consent, Person


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/\S*/registration/\S+/|/\S*/inscripcion/\S+/)", body)[1]


def test_registering_lands_on_the_thank_you_page_without_a_stray_question_mark(
    make_event, register
):
    event = make_event(capacity=1)
    response = register(event)
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url() + "registered/"
    response = register(event, email="ben@example.org")
    assert response["Location"] == event.get_absolute_url() + "registered/?waitlist=1"


def test_calendar_uids_name_the_sites_host_without_its_port(webinar, settings):
    uids = set()
    for site_url in ["http://127.0.0.1:8000", "http://127.0.0.1:8123"]:
        settings.SITE_URL = site_url
        [event] = icalendar.Calendar.from_ical(calendar_ics([webinar])).walk("VEVENT")
        uids.add(str(event["uid"]))
        assert f"{site_url}/" in str(event["url"])  # the link names the port
    assert uids == {f"{webinar.translation_key}@127.0.0.1"}


def test_registering_twice_with_the_same_email_is_one_registration(webinar, register):
    first = register(webinar)
    second = register(webinar, email="ANA@example.org ")
    assert first.status_code == second.status_code == 302
    assert Registration.objects.count() == 1
    assert Person.objects.count() == 1


def test_registration_is_confirmed_by_email_with_details_a_valid_ics_and_a_cancel_link(
    webinar, register
):
    register(webinar)
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "You are registered: Sanctions kill: a webinar" in message.subject
    assert "https://meet.example.org/secret-room-42" in message.body
    assert "PST" in message.body or "PDT" in message.body  # the organiser's second zone
    assert "cancel" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics")
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/New_York"
    assert event.decoded("dtstart") == webinar.starts_at
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert "secret-room-42" in event["description"]


def test_the_join_link_is_never_on_the_public_page_or_public_calendar(webinar, client, register):
    page = client.get(webinar.get_absolute_url())
    assert page.status_code == 200
    assert "secret-room-42" not in page.content.decode()
    ics = client.get(webinar.get_absolute_url() + "calendar.ics")
    assert ics.status_code == 200
    assert b"secret-room-42" not in ics.content
    register(webinar)
    thanks = client.get(webinar.get_absolute_url() + "registered/")
    assert "secret-room-42" not in thanks.content.decode()


def test_the_registrants_own_page_shows_the_join_link_and_cancels(webinar, register, client):
    register(webinar)
    own_page = _link(mail.outbox[0].body)
    response = client.get(own_page)
    assert "https://meet.example.org/secret-room-42" in response.content.decode()
    response = client.post(own_page, {"cancel": "1"})
    assert "Your registration is cancelled." in response.content.decode()
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    assert "secret-room-42" not in client.get(own_page).content.decode()


def test_a_forged_registration_link_is_not_found(db, client):
    assert client.get("/en/events/registration/not-a-token/").status_code == 404


def test_a_full_event_puts_the_next_person_on_the_wait_list(make_event, register, client):
    event = make_event(capacity=1)
    register(event)
    response = register(event, email="ben@example.org", given_name="Ben")
    assert response.status_code == 302
    assert "waitlist=1" in response["Location"]
    ben = Registration.objects.get(person__email_index__isnull=False, status="waitlisted")
    assert ben.person.given_name == "Ben"
    [_first, waitlisted] = mail.outbox
    assert "On the wait list" in waitlisted.subject
    assert "secret-room-42" not in waitlisted.body
    assert (
        "Full: you can join the wait list." in client.get(event.get_absolute_url()).content.decode()
    )


def test_a_freed_place_moves_the_first_on_the_wait_list_up_with_an_email(
    make_event, register, commit
):
    event = make_event(capacity=1)
    register(event)
    register(event, email="ben@example.org", given_name="Ben")
    register(event, email="cleo@example.org", given_name="Cleo")
    ana = Registration.objects.get(status="confirmed")
    mail.outbox.clear()
    promoted = commit(registration_cancel, registration=ana)
    assert [r.person.given_name for r in promoted] == ["Ben"]
    [message] = mail.outbox
    assert message.to == ["ben@example.org"]
    assert "A place is yours" in message.subject
    assert "secret-room-42" in message.body
    statuses = {r.person.given_name: r.status for r in Registration.objects.all()}
    assert statuses == {"Ana": "cancelled", "Ben": "confirmed", "Cleo": "waitlisted"}


def test_the_news_box_records_a_consent_with_the_wording_seen(webinar, register):
    register(webinar, news="on")
    consent = Consent.objects.get()
    assert consent.organisation == webinar.organisation
    assert consent.purpose == Consent.Purpose.CONTACT
    assert "may email me about its campaigns" in consent.wording
    assert consent.source == "events:sanctions-kill"


def test_without_the_news_box_no_consent_is_recorded(webinar, register):
    register(webinar)
    assert not Consent.objects.exists()


def test_a_filled_honeypot_is_refused_with_a_message(webinar, register):
    response = register(webinar, website="http://spam.example")
    assert response.status_code == 400
    assert "This field must stay empty" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_visitor_without_javascript_is_held_to_the_stricter_limit(webinar, register, settings):
    settings.CONVOCA_RATE_LIMITS = {
        **settings.CONVOCA_RATE_LIMITS,
        "event-register-without-pow": {"per_client": (2, 3600), "per_email": (10, 3600)},
    }
    assert register(webinar, email="a@example.org").status_code == 302
    assert register(webinar, email="b@example.org").status_code == 302
    assert register(webinar, email="c@example.org").status_code == 429
    assert Registration.objects.count() == 2


def test_a_missing_email_is_explained_and_the_form_kept(webinar, register):
    response = register(webinar, email="")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter your email address" in body
    assert 'value="Ana"' in body


def test_registration_in_spanish_gets_a_spanish_email(make_event, register):
    event = make_event(language="es", title="Las sanciones matan", slug="las-sanciones-matan")
    response = register(event)
    assert response.status_code == 302
    assert response["Location"].startswith("/es/eventos/las-sanciones-matan/inscripcion-recibida/")
    [message] = mail.outbox
    assert message.subject == "Inscripción confirmada: Las sanciones matan"
    assert "Enlace para entrar: https://meet.example.org/secret-room-42" in message.body
    assert "/es/eventos/inscripcion/" in message.body


def test_extra_questions_are_asked_and_kept_encrypted(make_event, register):
    event = make_event(questions=["Your union?"])
    register(event, question_0="Teamsters Local 104")
    registration = Registration.objects.get()
    assert "Teamsters Local 104" in registration.answers
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM events_registration")
        assert "Teamsters" not in cursor.fetchone()[0]


def test_a_past_event_takes_no_registration(make_event, register):
    event = make_event(starts_at=timezone.now() - timedelta(hours=2))
    response = register(event)
    assert response.status_code == 409
    assert not Registration.objects.exists()


def test_the_spanish_event_page_reads_in_spanish_with_spanish_times(make_event, client):
    event = make_event(
        language="es",
        title="Las sanciones matan",
        slug="las-sanciones-matan",
        starts_at=timezone.make_aware(
            timezone.datetime(2030, 3, 26, 20, 0), timezone=event_zone("America/New_York")
        ),
    )
    page = client.get(event.get_absolute_url()).content.decode()
    assert "martes, 26 de marzo de 2030, de 20:00 a 21:00 EDT" in page
    assert "17:00 a 18:00 PDT" in page
    assert "Inscribirme" in page
    assert "En tu zona horaria:" in page
    assert "secret-room-42" not in page


def test_erasing_a_person_frees_their_place_and_their_answers(make_event, register, commit):
    from convoca.people.services import person_erase, person_export

    event = make_event(capacity=1, questions=["Your union?"])
    register(event, question_0="Teamsters")
    register(event, email="ben@example.org", given_name="Ben")
    ana = Registration.objects.order_by("created_at").first().person
    exported = person_export(person=ana)
    assert any("Teamsters" in str(value) for value in exported.values())
    mail.outbox.clear()
    commit(person_erase, person=ana)
    ana_registration = Registration.objects.get(person=ana)
    assert ana_registration.status == Registration.Status.CANCELLED
    assert ana_registration.answers == ""
    assert Registration.objects.exclude(person=ana).get().status == "confirmed"
    assert [m.to for m in mail.outbox] == [["ben@example.org"]]


def test_the_news_box_asks_to_confirm_a_subscription_to_the_organisations_news_list(
    webinar, register
):
    from convoca.mailings.models import MailingList, Subscription
    from convoca.mailings.services import mailing_list_create

    news = mailing_list_create(
        organisation=webinar.organisation,
        slug="snt-news",
        name={"en": "News from us", "es": "Noticias"},
        description={},
        purpose=MailingList.Purpose.NEWS,
    )
    register(webinar, news="on")
    subscription = Subscription.objects.get(mailing_list=news)
    assert subscription.status == Subscription.Status.PENDING  # double opt-in, not added
    assert subscription.person.email == "ana@example.org"
    assert "Please confirm your subscription" in [m.subject for m in mail.outbox]


def test_without_the_news_box_nobody_is_put_on_a_list(webinar, register):
    from convoca.mailings.models import MailingList, Subscription
    from convoca.mailings.services import mailing_list_create

    mailing_list_create(
        organisation=webinar.organisation,
        slug="snt-news",
        name={"en": "News from us"},
        description={},
        purpose=MailingList.Purpose.NEWS,
    )
    register(webinar)
    assert not Subscription.objects.exists()


def test_cancelling_an_event_tells_each_registrant_once(make_event, register, commit, client):
    from convoca.events.services import event_cancel

    event = make_event(capacity=1)
    register(event)
    register(event, email="ben@example.org", given_name="Ben")
    mail.outbox.clear()
    assert commit(event_cancel, event=event) == 2
    assert commit(event_cancel, event=event) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]
    assert mail.outbox[0].subject == "Cancelled: Sanctions kill: a webinar"
    assert "secret-room-42" not in mail.outbox[0].body
    assert "This event is cancelled." in client.get(event.get_absolute_url()).content.decode()
