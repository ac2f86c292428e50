"""The organiser interface: offline gifts, totals by month, the export, scoping per organisation."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from convoca.core.models import AuditEntry
from convoca.donations.exports import gift_export_header
from convoca.donations.models import Fundraiser, OfflineGift
from convoca.donations.selectors import fundraiser_figures
from convoca.organisations.models import Membership
from convoca.people.services import person_erase

pytestmark = pytest.mark.django_db

COLUMNS = {name: i for i, name in enumerate(gift_export_header())}

#: The texts' blocks of the add form: an English and a Spanish title.
LEGAL_FUND_TEXTS = {
    "versions-TOTAL_FORMS": 2, "versions-INITIAL_FORMS": 0,
    "versions-0-language": "en", "versions-0-title": "Legal fund",
    "versions-1-language": "es", "versions-1-title": "Fondo legal",
}  # fmt: skip


def _add_offline(client, fundraiser, **fields):
    data = {
        "fundraiser": fundraiser.pk,
        "amount": "150",
        "method": "cash",
        "received_on": "2026-11-14",
        "donors": "12",
        "note": "Bucket at the rally",
        **fields,
    }
    return client.post(reverse("admin:donations_offlinegift_add"), data)


def test_an_organiser_enters_a_cash_collection_and_the_public_bar_moves(
    client, organiser, fundraiser
):
    client.force_login(organiser)
    response = _add_offline(client, fundraiser)
    assert response.status_code == 302, response.content.decode()[:2000]
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.offline, figures.donors) == (15000, 15000, 12)
    client.logout()
    page = client.get(fundraiser.get_absolute_url()).content.decode()
    assert 'value="15000"' in page
    assert "12 donors" in page


def test_editing_and_deleting_an_offline_gift_moves_the_totals_by_the_difference(
    client, organiser, fundraiser
):
    client.force_login(organiser)
    _add_offline(client, fundraiser)
    gift = OfflineGift.objects.get()
    change = reverse("admin:donations_offlinegift_change", args=[gift.pk])
    client.post(
        change,
        {
            "fundraiser": fundraiser.pk,
            "amount": "120.50",
            "method": "cash",
            "received_on": "2026-11-14",
            "donors": "10",
            "note": "Counted again",
        },
    )
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (12050, 10)
    client.post(reverse("admin:donations_offlinegift_delete", args=[gift.pk]), {"post": "yes"})
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (0, 0)
    assert fundraiser.months.get().amount == 0


def test_a_named_offline_gift_counts_its_donor_once_with_their_online_gift(
    client, organiser, fundraiser, give, webhook, stripe_standin
):
    _r, session = give(fundraiser, email="ana@example.org")
    webhook(stripe_standin.complete(session)[0])
    client.force_login(organiser)
    _add_offline(
        client,
        fundraiser,
        method="transfer",
        amount="40",
        donor_email="ana@example.org",
        donor_given_name="Ana",
    )
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (6500, 1)


def test_totals_page_lists_each_month_online_and_offline(
    client, organiser, fundraiser, give, webhook, stripe_standin
):
    _r, session = give(fundraiser)
    webhook(stripe_standin.complete(session)[0])
    client.force_login(organiser)
    _add_offline(client, fundraiser, received_on="2026-10-03", amount="75")
    page = client.get(reverse("admin:donations_fundraiser_totals", args=[fundraiser.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-month="2026-10"' in text
    online_month = fundraiser.months.exclude(month=date(2026, 10, 1)).get()
    assert online_month.online_amount == 2500
    assert fundraiser.months.get(month=date(2026, 10, 1)).offline_amount == 7500
    assert "100\u00a0EUR" in text  # raised in all


def test_another_organisations_organiser_sees_no_fundraiser_of_ours(
    client, make_staff, other_organisation, fundraiser
):
    outsider = make_staff("outsider", Membership.Role.ORGANISER, other_organisation)
    client.force_login(outsider)
    assert (
        client.get(reverse("admin:donations_fundraiser_totals", args=[fundraiser.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("admin:donations_fundraiser_export", args=[fundraiser.pk])).status_code
        == 404
    )
    listing = client.get(reverse("admin:donations_fundraiser_changelist")).content.decode()
    assert "Send a delegation" not in listing
    response = _add_offline(client, fundraiser)
    assert response.status_code == 200  # the form again: not a fundraiser they may choose
    assert OfflineGift.objects.count() == 0


def _parse(response):
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_export_streams_every_gift_neutralises_formulas_and_is_audited(
    client, organiser, fundraiser, give, webhook, stripe_standin
):
    _r, session = give(fundraiser, given_name='=HYPERLINK("http://x")', news="on")
    webhook(stripe_standin.complete(session)[0])
    client.force_login(organiser)
    _add_offline(client, fundraiser, note="+SUM(A1)")
    assert (
        client.get(reverse("admin:donations_fundraiser_export", args=[fundraiser.pk])).status_code
        == 405
    )
    response = client.post(reverse("admin:donations_fundraiser_export", args=[fundraiser.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, online, offline = _parse(response)
    assert header == gift_export_header()
    assert online[COLUMNS["given name"]] == '\'=HYPERLINK("http://x")'
    assert online[COLUMNS["email"]] == "ana@example.org"
    assert online[COLUMNS["amount"]] == "25"
    assert online[COLUMNS["may be contacted"]] == "yes"
    assert offline[COLUMNS["note"]] == "'+SUM(A1)"
    assert offline[COLUMNS["amount"]] == "150"
    entry = AuditEntry.objects.get()
    assert (entry.verb, entry.user, entry.count) == ("export donations", organiser, 2)


def test_an_erased_donor_stays_in_the_export_without_personal_data(
    client, organiser, fundraiser, give, webhook, stripe_standin
):
    _r, session = give(fundraiser, listed="on", public_name="Ana T.")
    webhook(stripe_standin.complete(session)[0])
    donor = fundraiser.donors.get()
    person_erase(person=donor.person)
    client.force_login(organiser)
    _header, row = _parse(
        client.post(reverse("admin:donations_fundraiser_export", args=[fundraiser.pk]))
    )
    assert row[COLUMNS["email"]] == ""
    assert row[COLUMNS["public name"]] == ""
    assert row[COLUMNS["counted"]] == "25"
    page = client.get(fundraiser.get_absolute_url()).content.decode()
    assert "Ana T." not in page
    assert fundraiser_figures(fundraiser).raised == 2500


def test_a_viewer_sees_totals_but_cannot_export(client, make_staff, organisation, fundraiser):
    viewer = make_staff("viewer", Membership.Role.VIEWER, organisation)
    client.force_login(viewer)
    page = client.get(reverse("admin:donations_fundraiser_totals", args=[fundraiser.pk]))
    assert page.status_code == 200
    assert "Export the gifts as CSV" not in page.content.decode()
    assert (
        client.post(reverse("admin:donations_fundraiser_export", args=[fundraiser.pk])).status_code
        == 403
    )


def test_an_organiser_creates_a_fundraiser_with_amounts_as_people_write_them(
    client, organiser, organisation
):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:donations_fundraiser_add"),
        {
            "organisation": organisation.pk,
            "slug": "legal-fund",
            "status": "open",
            **LEGAL_FUND_TEXTS,
            "currency": "USD",
            "goal": "10000",
            "suggested_amounts": "10, 25 50",
            "minimum_amount": "5",
            "allow_monthly": "on",
            "show_donors": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    fundraiser = Fundraiser.objects.get(slug="legal-fund")
    assert (fundraiser.goal, fundraiser.suggested_amounts, fundraiser.minimum_amount) == (
        1_000_000,
        [1000, 2500, 5000],
        500,
    )


def test_the_donor_list_shows_each_donor_and_whether_they_may_be_emailed(
    client, organiser, fundraiser, give, webhook, stripe_standin
):
    _r, yes = give(fundraiser, email="a@example.org", given_name="Alba", news="on")
    _r, no = give(fundraiser, email="b@example.org", given_name="Bruno")
    give(fundraiser, email="c@example.org", given_name="Celia")  # never paid
    webhook(stripe_standin.complete(yes)[0])
    webhook(stripe_standin.complete(no)[0])
    client.force_login(organiser)
    page = client.get(reverse("admin:donations_donor_changelist")).content.decode()
    assert "Alba López" in page
    assert "Bruno López" in page
    assert "Celia" not in page
    donors = {d.person.given_name: d for d in fundraiser.donors.all()}
    detail = client.get(reverse("admin:donations_donor_change", args=[donors["Alba"].pk]))
    assert "a@example.org" in detail.content.decode()


def test_organisers_read_donations_and_payments_and_only_coordinators_the_provider_events(
    client, organiser, coordinator, fundraiser, give, webhook, stripe_standin
):
    _r, session = give(fundraiser, amount_choice="5000")
    webhook(stripe_standin.complete(session)[0])
    client.force_login(organiser)
    donations = client.get(reverse("admin:donations_donation_changelist"))
    assert "50 EUR" in donations.content.decode()
    payments = client.get(reverse("admin:donations_payment_changelist"))
    assert payments.status_code == 200
    assert "50 EUR" in payments.content.decode()
    assert client.get(reverse("admin:donations_webhookevent_changelist")).status_code == 403
    client.force_login(coordinator)
    events = client.get(reverse("admin:donations_webhookevent_changelist")).content.decode()
    assert "checkout.session.completed" in events
