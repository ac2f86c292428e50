"""A letter goes to each target once the writer confirms: emails, caps, digests, bounces."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convoca.actions.models import Signature
from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver
from convoca.letters.models import Letter, LetterDelivery, Target
from convoca.letters.services import letter_digests_send

pytestmark = pytest.mark.django_db


def _to(sink, address):
    return [m for m in sink.messages if m["to"] == [address]]


def _body(message):
    return message["message"].get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_each_target_receives_the_letter_once_after_the_writer_confirms(
    smtp_sink, house, make_letter, write, confirm
):
    campaign = make_letter(bodies=[house])
    response = write(campaign, postal_code="85719", city="Tucson", targets=[
        t.pk for t in Target.objects.filter(name__in=["Maria Alvarez", "John Whitaker"])
    ])  # fmt: skip
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # what they wrote, for them only
    assert "We send it by email to" in response.content.decode()
    assert _to(smtp_sink, "alvarez@house.example") == []  # not before confirming
    [confirmation] = _to(smtp_sink, "ana@example.org")
    assert "have your letter sent" in _body(confirmation)

    confirm(smtp_sink, "ana@example.org")
    confirm(smtp_sink, "ana@example.org")  # a second click sends nothing more

    for address in ("alvarez@house.example", "whitaker@house.example"):
        [message] = _to(smtp_sink, address)
        email = message["message"]
        assert email["Subject"] == "Please vote for the Medicine Act"
        body = _body(message)
        assert "Medicine must reach the clinics in my town." in body
        assert "Vote yes on the Medicine Act." in body
        assert "Ana López\nTucson 85719" in body
        assert "ana@example.org" not in message["raw"].decode()  # never, unless ticked
        assert email["Reply-To"] is None
        assert not email.is_multipart()  # plain text only
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {"queued"}


def test_the_writers_address_is_shown_and_replied_to_only_when_they_tick_it(
    smtp_sink, house, make_letter, write, confirm
):
    campaign = make_letter(bodies=[house])
    write(campaign, targets=[Target.objects.get(name="Maria Alvarez").pk], show_email="on",
          reply_to="on")  # fmt: skip
    confirm(smtp_sink, "ana@example.org")
    [message] = _to(smtp_sink, "alvarez@house.example")
    assert "ana@example.org" in _body(message)
    assert message["message"]["Reply-To"] == "Ana López <ana@example.org>"


def test_header_injection_and_markup_in_what_the_writer_types_reach_no_one(
    smtp_sink, house, make_letter, write, confirm
):
    campaign = make_letter(bodies=[house])
    write(
        campaign,
        targets=[Target.objects.get(name="Maria Alvarez").pk],
        given_name="Ana\r\nBcc: victim@example.org",
        city="Tucson\nX-Evil: 1",
        text='<script>alert(1)</script><b>Dear</b> friend,\r\nplease <a href="https://x.example">vote</a>.',
        reply_to="on",
    )
    confirm(smtp_sink, "ana@example.org")
    [message] = _to(smtp_sink, "alvarez@house.example")
    raw = message["raw"].decode()
    assert "victim@example.org" not in message["to"]
    assert "\nBcc:" not in raw and "\nX-Evil:" not in raw
    body = _body(message)
    assert "Ana Bcc: victim@example.org López" in body
    assert "Dear friend,\nplease vote." in body
    assert "<" not in body.split("-- ")[0].replace("<ana@", "")


def test_over_the_daily_cap_letters_wait_for_the_next_digest(
    smtp_sink, house, make_letter, write, confirm
):
    campaign = make_letter(bodies=[house], daily_cap=1)
    alvarez = Target.objects.get(name="Maria Alvarez")
    for name in ("ana", "bea", "cruz"):
        write(campaign, email=f"{name}@example.org", given_name=name.title(), targets=[alvarez.pk])
        confirm(smtp_sink, f"{name}@example.org")

    [alone] = _to(smtp_sink, "alvarez@house.example")
    assert "Ana López" in _body(alone)
    assert LetterDelivery.objects.filter(status="waiting").count() == 2

    assert letter_digests_send() == 1
    outbox_deliver()
    [_alone, digest] = _to(smtp_sink, "alvarez@house.example")
    assert digest["message"]["Subject"] == "Please vote for the Medicine Act: 2 letters"
    body = _body(digest)
    assert "Bea López, 85701" in body and "Cruz López, 85701" in body
    assert "Ana López" not in body
    assert "bea@example.org" not in digest["raw"].decode()

    # The task again the same day (a retry, a second worker): nothing more.
    assert letter_digests_send() == 0
    outbox_deliver()
    assert len(_to(smtp_sink, "alvarez@house.example")) == 2


def test_the_cap_starts_again_the_next_day(house, make_letter, write, commit_confirm):
    campaign = make_letter(bodies=[house], daily_cap=1)
    alvarez = Target.objects.get(name="Maria Alvarez")
    write(campaign, email="ana@example.org", targets=[alvarez.pk])
    commit_confirm("ana@example.org")
    LetterDelivery.objects.update(queued_at=timezone.now() - timedelta(days=1))
    write(campaign, email="bea@example.org", targets=[alvarez.pk])
    commit_confirm("bea@example.org")
    assert LetterDelivery.objects.filter(status="queued", in_digest=False).count() == 2


def test_a_digest_campaign_sends_each_target_one_email_a_day_listing_the_letters(
    smtp_sink, house, make_letter, write, confirm
):
    campaign = make_letter(bodies=[house], delivery="digest")
    both = [t.pk for t in Target.objects.filter(name__in=["Maria Alvarez", "John Whitaker"])]
    for name in ("ana", "bea", "cruz"):
        write(campaign, email=f"{name}@example.org", given_name=name.title(), postal_code="85719",
              targets=both)  # fmt: skip
        confirm(smtp_sink, f"{name}@example.org")
    assert _to(smtp_sink, "alvarez@house.example") == []

    assert letter_digests_send() == 2
    outbox_deliver()
    for address in ("alvarez@house.example", "whitaker@house.example"):
        [digest] = _to(smtp_sink, address)
        assert digest["message"]["Subject"] == "Please vote for the Medicine Act: 3 letters"
        assert _body(digest).count("Medicine must reach the clinics in my town.") == 3


def test_a_refused_address_is_marked_and_not_written_to_again(
    smtp_sink, house, make_letter, write, confirm
):
    smtp_sink.refused.add("alvarez@house.example")
    campaign = make_letter(bodies=[house])
    alvarez = Target.objects.get(name="Maria Alvarez")
    write(campaign, targets=[alvarez.pk])
    confirm(smtp_sink, "ana@example.org")

    alvarez.refresh_from_db()
    assert alvarez.email_bounced_at is not None
    assert LetterDelivery.objects.get().status == "failed"
    tries = OutboxEmail.objects.filter(kind="letters.letter").count()

    write(campaign, email="bea@example.org", targets=[alvarez.pk])
    response_page = confirm(smtp_sink, "bea@example.org")
    assert response_page is not None
    assert OutboxEmail.objects.filter(kind="letters.letter").count() == tries
    assert LetterDelivery.objects.filter(status="by_writer").count() == 1


def test_a_target_without_email_is_left_to_the_writer_with_the_filled_letter(
    congreso, make_letter, write, commit_confirm
):
    campaign = make_letter(bodies=[congreso])
    ruiz = Target.objects.get(name="Ana Ruiz")
    response = write(campaign, language="es", country="ES", postal_code="41001", city="Sevilla",
                     targets=[ruiz.pk], text="Mi texto.")  # fmt: skip
    page = response.content.decode()
    assert "Envíala tú" in page
    assert 'href="https://congreso.example/ruiz"' in page
    assert 'href="tel:+34910000000"' in page
    assert "Diputada Ana Ruiz" in page and "Mi texto." in page
    assert "Vote sí a la Ley de Medicinas." in page
    commit_confirm("ana@example.org")
    assert LetterDelivery.objects.get().status == "by_writer"
    assert not OutboxEmail.objects.filter(kind="letters.letter").exists()


def test_bad_input_is_explained_in_spanish_and_nothing_is_stored(house, make_letter, write):
    campaign = make_letter(bodies=[house])
    response = write(campaign, language="es", text="  ", email="ana@", targets=[])
    page = response.content.decode()
    assert response.status_code == 400
    assert "Escribe tu carta" in page
    assert "Elige al menos una persona" in page
    assert 'value="Ana"' in page
    assert not Signature.objects.exists() and not Letter.objects.exists()


def test_a_target_not_offered_for_the_place_cannot_be_chosen(house, congreso, make_letter, write):
    campaign = make_letter(bodies=[house])
    response = write(campaign, targets=[Target.objects.get(name="Lucía Pardo").pk])
    assert response.status_code == 400
    assert not Letter.objects.exists()


def test_a_second_letter_from_the_same_address_after_confirming_changes_nothing(
    smtp_sink, house, make_letter, write, confirm
):
    campaign = make_letter(bodies=[house])
    alvarez = Target.objects.get(name="Maria Alvarez")
    write(campaign, targets=[alvarez.pk])
    confirm(smtp_sink, "ana@example.org")
    again = write(campaign, targets=[alvarez.pk], text="Something else entirely.")
    assert again.status_code == 200
    assert Letter.objects.get().text == "Medicine must reach the clinics in my town."
    assert len(_to(smtp_sink, "alvarez@house.example")) == 1


def test_the_results_page_counts_letters_per_target_and_names_no_writer(
    client, smtp_sink, house, make_letter, write, confirm
):
    campaign = make_letter(bodies=[house])
    both = [t.pk for t in Target.objects.filter(name__in=["Maria Alvarez", "John Whitaker"])]
    write(campaign, postal_code="85719", targets=both)
    confirm(smtp_sink, "ana@example.org")
    alvarez = Target.objects.get(name="Maria Alvarez").pk
    write(campaign, email="bea@example.org", given_name="Bea", targets=[alvarez])
    confirm(smtp_sink, "bea@example.org")

    url = campaign.action.get_absolute_url() + "results/"
    page = client.get(url).content.decode()
    assert "3 letters to 2 decision-makers" in page
    assert "Ana" not in page and "Bea" not in page
    detail = client.get(campaign.action.get_absolute_url()).content.decode()
    assert "3 letters to 2 decision-makers" in detail
    assert "written by 2 people" in detail


def test_organisers_see_deliveries_per_target_and_others_do_not(
    client,
    smtp_sink,
    house,
    make_letter,
    write,
    confirm,
    organiser,
    make_staff,
    other_organisation,
):
    from convoca.organisations.models import Membership

    campaign = make_letter(bodies=[house])
    write(campaign, targets=[Target.objects.get(name="Maria Alvarez").pk])
    confirm(smtp_sink, "ana@example.org")

    client.force_login(organiser)
    page = client.get(f"/admin/letters/lettercampaign/{campaign.pk}/change/").content.decode()
    row = page.split("Representative Maria Alvarez</td>")[1].split("</tr>")[0]
    assert row.startswith("<td>1</td><td>1</td>")  # one letter, one sent
    listing = client.get("/admin/letters/letterdelivery/").content.decode()
    assert "Representative Maria Alvarez" in listing
    assert "ana@example.org" not in listing and "Medicine must reach" not in listing

    client.force_login(make_staff("stranger", Membership.Role.ORGANISER, other_organisation))
    assert client.get(f"/admin/letters/lettercampaign/{campaign.pk}/change/").status_code == 404
    assert "Maria Alvarez" not in client.get("/admin/letters/letterdelivery/").content.decode()


def test_erasing_the_writer_forgets_the_letter_and_unsent_letters_stay_unsent(
    house, make_letter, write, commit_confirm
):
    from convoca.people.models import Person
    from convoca.people.services import person_erase

    campaign = make_letter(bodies=[house], delivery="digest")
    write(campaign, targets=[Target.objects.get(name="Maria Alvarez").pk])
    commit_confirm("ana@example.org")
    person_erase(person=Person.objects.get())
    letter = Letter.objects.get()
    assert (letter.text, letter.locality, letter.purged_at is not None) == ("", "", True)
    assert letter_digests_send() == 0
