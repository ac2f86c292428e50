"""Giving online: the form, Stripe Checkout (the local stand-in), the thank-you page, receipts."""

import pytest
from django.urls import reverse
from django.utils import translation

from convoca.donations.models import Donation, FundraiserTotal, Payment
from convoca.donations.selectors import fundraiser_figures
from convoca.people.models import Consent, Person

pytestmark = pytest.mark.django_db


def test_donate_form_sends_the_visitor_to_stripe_checkout_with_the_amount(
    give, fundraiser, stripe_standin
):
    response, session = give(fundraiser, amount_choice="5000")
    assert response["Location"] == session["url"]
    assert session["mode"] == "payment"
    assert session["amount_total"] == 5000
    assert session["currency"] == "eur"
    assert session["customer_email"] == "ana@example.org"
    assert session["success_url"].endswith(
        "/en/donate/send-a-delegation/thanks/?session_id={CHECKOUT_SESSION_ID}"
    )
    donation = Donation.objects.get()
    assert session["metadata"]["donation"] == str(donation.pk)
    assert donation.status == Donation.Status.PENDING
    assert donation.checkout_reference == session["id"]
    # Nothing counts before Stripe says it was paid.
    assert fundraiser_figures(fundraiser).raised == 0


def test_paid_checkout_counts_the_gift_and_emails_a_receipt(
    give, webhook, fundraiser, stripe_standin, smtp_sink, client
):
    _response, session = give(fundraiser, amount_choice="2500")
    [event] = stripe_standin.complete(session)
    assert webhook(event).status_code == 200
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (2500, 1)
    page = client.get(fundraiser.get_absolute_url()).content.decode()
    assert 'max="500000" value="2500"' in page
    assert "25\u00a0EUR raised of 5,000\u00a0EUR" in page
    assert "1 donor" in page
    [message] = smtp_sink.messages
    assert message["to"] == ["ana@example.org"]
    assert message["message"]["Subject"] == 'Receipt for your gift to "Send a delegation"'
    body = message["message"].get_content()
    assert "Hello Ana," in body
    assert "Amount: 25\u00a0EUR" in body
    assert "Solidarity Network Tucson" in body
    assert "manage" not in body  # one-off: no portal link


def test_receipt_is_in_spanish_for_a_donor_who_gave_from_the_spanish_page(
    give, webhook, fundraiser, stripe_standin, smtp_sink
):
    _response, session = give(fundraiser, language="es", other_amount="12,50")
    assert session["locale"] == "es"
    webhook(stripe_standin.complete(session)[0])
    [message] = smtp_sink.messages
    assert message["message"]["Subject"] == "Recibo de tu donación a «Enviar una delegación»"
    assert "Importe: 12,50\u00a0EUR" in message["message"].get_content()


def test_forged_success_address_shows_no_thanks_and_counts_nothing(give, fundraiser, client):
    _response, session = give(fundraiser)
    thanks = reverse("donations:donation-thanks", kwargs={"slug": fundraiser.slug})
    forged = client.get(thanks, {"session_id": "cs_test_made_up"})
    assert forged.status_code == 404
    assert "We have no record of this payment" in forged.content.decode()
    # The real session id, before Stripe's event: the page waits, nothing counts.
    waiting = client.get(thanks, {"session_id": session["id"]})
    assert "waiting for the payment service to confirm" in waiting.content.decode()
    assert "Ana" not in waiting.content.decode()
    assert Payment.objects.count() == 0
    assert fundraiser_figures(fundraiser).raised == 0


def test_thank_you_page_says_received_once_stripe_confirmed(
    give, webhook, fundraiser, stripe_standin, client
):
    _response, session = give(fundraiser)
    webhook(stripe_standin.complete(session)[0])
    thanks = reverse("donations:donation-thanks", kwargs={"slug": fundraiser.slug})
    page = client.get(thanks, {"session_id": session["id"]}).content.decode()
    assert "Your gift has been received" in page


def test_donor_list_shows_only_donors_who_chose_to_appear_under_their_chosen_name(
    give, webhook, fundraiser, stripe_standin, client
):
    _r, listed = give(fundraiser, email="a@example.org", listed="on", public_name="Ana from Tucson")
    _r, hidden = give(fundraiser, email="b@example.org", given_name="Berta")
    _r, _unpaid = give(fundraiser, email="c@example.org", listed="on", public_name="Carla")
    webhook(stripe_standin.complete(listed)[0])
    webhook(stripe_standin.complete(hidden)[0])
    page = client.get(fundraiser.get_absolute_url()).content.decode()
    assert "Ana from Tucson" in page
    assert "Berta" not in page
    assert "Carla" not in page
    assert "2 donors" in page
    person = Person.objects.get(
        pk=Donation.objects.get(checkout_reference=listed["id"]).donor.person_id
    )
    consent = Consent.objects.get(person=person, purpose=Consent.Purpose.PUBLIC_NAME)
    assert consent.wording == "Show my name in the list of donors"
    assert consent.organisation == fundraiser.organisation


def test_news_consent_is_recorded_only_once_the_gift_is_paid(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, news="on")
    assert not Consent.objects.filter(purpose=Consent.Purpose.CONTACT).exists()
    webhook(stripe_standin.complete(session)[0])
    consent = Consent.objects.get(purpose=Consent.Purpose.CONTACT)
    assert consent.wording == "Solidarity Network Tucson may email me about its campaigns."


def test_bad_amount_is_explained_and_the_form_keeps_its_values(give, fundraiser):
    response, session = give(fundraiser, amount_choice="", other_amount="abc")
    assert session is None
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an amount in numbers, like 25 or 25.50." in page
    assert 'value="ana@example.org"' in page
    response, _ = give(fundraiser, amount_choice="", other_amount="0.20")
    assert "The smallest gift is 1 EUR." in response.content.decode()


def test_without_stripe_keys_the_page_explains_online_giving_is_not_configured(
    fundraiser, client, settings
):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    page = client.get(fundraiser.get_absolute_url()).content.decode()
    assert "Online giving is not configured on this site yet." in page
    assert "<form" not in page.split('id="give-heading"')[1].split("</section>")[0]
    with translation.override("es"):
        spanish = client.get(fundraiser.get_absolute_url()).content.decode()
    assert "Las donaciones en línea aún no están configuradas en este sitio." in spanish
    url = reverse("donations:donation-start", kwargs={"slug": fundraiser.slug})
    assert client.post(url, {"amount_choice": "2500"}).status_code == 409
    assert (
        client.post(
            "/donations/webhooks/stripe/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert Donation.objects.count() == 0


def test_payment_service_down_leaves_nothing_charged_and_says_so(give, fundraiser, stripe_standin):
    stripe_standin.fail_with = 400
    response, _session = give(fundraiser)
    assert response.status_code == 503
    assert (
        "We could not reach the payment service. Nothing was charged." in response.content.decode()
    )
    assert FundraiserTotal.objects.filter(amount__gt=0).count() == 0


def test_closed_fundraiser_takes_no_online_gift(give, make_fundraiser):
    closed = make_fundraiser(slug="closed", status="closed")
    response, _session = give(closed)
    assert response.status_code == 409
    assert "This fundraiser is closed" in response.content.decode()


def test_a_donors_data_export_lists_their_gifts_and_erasure_forgets_their_public_name(
    give, webhook, fundraiser, stripe_standin, client
):
    from convoca.people.services import person_erase, person_export

    _r, session = give(fundraiser, listed="on", public_name="Ana from Tucson")
    webhook(stripe_standin.complete(session)[0])
    person = Person.objects.get()
    [record] = person_export(person=person)["donations"]
    assert record["public_name"] == "Ana from Tucson"
    assert record["given"] == 2500
    assert record["gifts"][0]["status"] == "paid"
    person_erase(person=person)
    assert "Ana from Tucson" not in client.get(fundraiser.get_absolute_url()).content.decode()
    assert Donation.objects.get().public_name == ""
    assert fundraiser_figures(fundraiser).raised == 2500


def test_the_list_of_fundraisers_shows_each_open_one_with_its_progress(
    client, make_fundraiser, django_assert_max_num_queries
):
    make_fundraiser()
    make_fundraiser(
        slug="legal-fund", texts={"en": {"title": "Legal fund"}, "es": {"title": "Fondo legal"}}
    )
    make_fundraiser(slug="draft", texts={"en": {"title": "Not yet"}}, status="draft")
    with django_assert_max_num_queries(3):
        page = client.get(reverse("donations:fundraiser-list")).content.decode()
    assert "Send a delegation" in page
    assert "Legal fund" in page
    assert "Not yet" not in page
    assert page.count("<progress") == 2
