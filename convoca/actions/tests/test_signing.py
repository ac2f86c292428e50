import re

from django.core import mail
from django.db import connection

from convoca.actions.models import Action, Signature, Tally
from convoca.actions.selectors import action_figures
from convoca.people.models import Consent, Person


def _confirm_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_signing_sends_a_confirmation_and_counts_after_confirming(client, appeal, sign, commit):
    response = commit(sign, appeal)
    assert response.status_code == 302
    assert response["Location"] == "/en/actions/lift-the-sanctions/thanks/"
    assert action_figures(appeal).count == 0

    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "Lift the sanctions" in message.subject
    link = _confirm_link(message)
    assert client.get(link).status_code == 200  # a mail scanner's visit changes nothing
    assert action_figures(appeal).count == 0

    confirmed = client.post(link)
    assert "confirmed and counted" in confirmed.text
    figures = action_figures(appeal)
    assert (figures.count, figures.countries) == (1, 1)
    client.post(link)  # twice is still once
    assert action_figures(appeal).count == 1


def test_the_same_email_in_another_case_is_one_signature_and_the_page_is_the_same(
    appeal, sign, commit
):
    first = commit(sign, appeal)
    second = commit(sign, appeal, email="  ANA@Example.ORG ", given_name="Impostor")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Signature.objects.count() == 1
    assert len(mail.outbox) == 1  # at most one confirmation email a day per address


def test_english_and_spanish_versions_share_one_count(client, appeal, make_action, sign, commit):
    spanish = make_action(
        language="es",
        slug="levanten-las-sanciones",
        title="Levanten las sanciones",
        translation_key=appeal.translation_key,
    )
    commit(sign, appeal, email="ana@example.org")
    commit(sign, spanish, email="bea@example.org")
    commit(sign, spanish, email="ana@example.org")  # signed already, in English
    for message in mail.outbox:
        client.post(_confirm_link(message))
    assert Signature.objects.count() == 2
    assert action_figures(appeal).count == action_figures(spanish).count == 2
    assert "Confirma tu firma" in mail.outbox[1].subject


def test_count_on_submit_counts_at_once_and_the_goal_moves_up(make_action, sign, commit):
    action = make_action(count_on_submit=True, goal=2)
    commit(sign, action, email="a@example.org")
    commit(sign, action, email="b@example.org")
    tally = Tally.objects.get(pk=action.translation_key)
    assert tally.count == 2
    assert tally.goal == 100


def test_invalid_input_is_explained_in_spanish_and_nothing_is_stored(make_action, sign):
    action = make_action(language="es", slug="levanten")
    response = sign(action, email="ana@", given_name="", country="")
    assert response.status_code == 400
    assert "Introduce una dirección de correo válida" in response.text
    assert "Escribe tu nombre." in response.text
    assert 'value="ana@"' in response.text
    assert Person.objects.count() == 0
    assert Signature.objects.count() == 0


def test_closed_action_takes_no_signature(make_action, sign):
    action = make_action(status=Action.Status.CLOSED)
    response = sign(action)
    assert response.status_code == 409
    assert Signature.objects.count() == 0


def test_consent_boxes_are_unticked_and_record_exactly_what_was_ticked(
    appeal, other_organisation, sign, commit
):
    appeal.co_sponsors.add(other_organisation)
    commit(sign, appeal, **{f"consent_{other_organisation.pk}": "on"})
    [consent] = Consent.objects.all()
    assert consent.organisation == other_organisation
    assert consent.wording == "Comité de Solidaridad may email me about its campaigns."
    assert consent.source == "actions:lift-the-sanctions"


def test_signature_details_are_encrypted_in_the_database(make_action, sign, commit):
    action = make_action(ask_organisation="optional", ask_role="optional", ask_comment="optional")
    commit(
        sign,
        action,
        organisation_name="Sindicato Minero",
        role="Secretaria General",
        comment="Solidaridad desde Oaxaca",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT organisation_name, role, comment FROM actions_signature")
        row = " ".join(cursor.fetchone())
    assert "Sindicato" not in row and "Secretaria" not in row and "Oaxaca" not in row
    assert Signature.objects.get().role == "Secretaria General"


def test_public_list_shows_only_what_each_signer_chose(client, make_action, sign, commit):
    action = make_action(count_on_submit=True, ask_organisation="optional", ask_role="optional")
    commit(sign, action, email="a@example.org", given_name="Hidden", visibility="hidden")
    commit(
        sign,
        action,
        email="b@example.org",
        given_name="Countryonly",
        visibility="country",
        country="AR",
    )
    commit(
        sign,
        action,
        email="c@example.org",
        given_name="Named",
        visibility="name",
        organisation_name="Secret Org",
    )
    commit(
        sign,
        action,
        email="d@example.org",
        given_name="Full",
        visibility="full",
        organisation_name="Teachers Union",
        role="President",
    )
    page = client.get("/en/actions/lift-the-sanctions/").text
    assert "Hidden" not in page and "Countryonly" not in page
    assert "Someone from Argentina" in page
    assert "Named" in page and "Secret Org" not in page
    assert "Full" in page and "Teachers Union" in page and "President" in page
    assert "@example.org" not in page


def test_pledgers_are_never_listed_only_counted(client, make_action, sign, commit):
    pledge = make_action(kind=Action.Kind.PLEDGE, slug="pledge", count_on_submit=True)
    commit(sign, pledge, given_name="Secretpledger", visibility="full")
    page = client.get("/en/actions/pledge/").text
    assert "Secretpledger" not in page
    assert "1 person has taken the pledge" in page
    assert Signature.objects.get().visibility == Signature.Visibility.HIDDEN


def test_confirming_puts_the_signer_on_the_news_lists_of_the_organisations_they_ticked(
    client, appeal, organisation, other_organisation, sign, commit
):
    from convoca.mailings.models import MailingList, Subscription
    from convoca.mailings.services import mailing_list_create

    def news_list(owner, slug):
        return mailing_list_create(
            organisation=owner,
            slug=slug,
            name={"en": "News"},
            description={},
            purpose=MailingList.Purpose.NEWS,
        )

    owner_news, sponsor_news = (
        news_list(organisation, "snt-news"),
        news_list(other_organisation, "csi-news"),
    )
    appeal.co_sponsors.add(other_organisation)
    commit(sign, appeal, **{f"consent_{other_organisation.pk}": "on"})
    assert not Subscription.objects.exists()  # nothing before the address is confirmed

    [message] = mail.outbox
    client.post(_confirm_link(message))

    subscription = Subscription.objects.get()
    assert subscription.mailing_list == sponsor_news
    assert subscription.status == Subscription.Status.SUBSCRIBED
    assert subscription.person.email == "ana@example.org"
    assert not owner_news.subscriptions.exists()  # its box stayed unticked


def test_the_language_switcher_and_hreflang_lead_to_the_other_versions_own_address(
    client, appeal, make_action
):
    make_action(
        language="es",
        slug="levanten-las-sanciones",
        title="Levanten las sanciones",
        translation_key=appeal.translation_key,
    )

    page = client.get("/en/actions/lift-the-sanctions/").text

    assert 'href="/es/acciones/levanten-las-sanciones/" lang="es"' in page
    assert 'hreflang="es" href="http://127.0.0.1:8000/es/acciones/levanten-las-sanciones/"' in page
    assert '<meta property="og:title" content="Lift the sanctions">' in page


def _shown_count(html: str) -> str:
    return re.search(r"([\d,.]+) (?:people|person|signatures?) ", html).group(1)


def test_after_confirming_the_action_page_shows_the_same_count_as_the_confirmation(
    client, appeal, sign, commit
):
    from django.test import Client

    Tally.objects.create(translation_key=appeal.translation_key, count=1503, goal=2000)
    page = appeal.get_absolute_url()
    assert _shown_count(Client().get(page).text) == "1,503"  # now a cached page
    commit(sign, appeal)
    [message] = mail.outbox

    confirmed = commit(client.post, _confirm_link(message))

    assert "1,504 signatures so far" in confirmed.text
    assert _shown_count(Client().get(page).text) == "1,504"


def test_a_count_moved_by_another_process_shows_on_cached_pages_within_a_second(
    appeal, monkeypatch, django_assert_num_queries
):
    from django.db.models import F
    from django.test import Client

    from convoca.core import caching

    Tally.objects.create(translation_key=appeal.translation_key, count=1503, goal=2000)
    page = appeal.get_absolute_url()
    Client().get(page)
    with django_assert_num_queries(0):  # within the second, a cached page costs no query
        assert _shown_count(Client().get(page).text) == "1,503"
    # What a confirmation in another web process or the worker leaves in the database:
    Tally.objects.filter(pk=appeal.translation_key).update(count=F("count") + 1)
    monkeypatch.setattr(caching, "GENERATION_TRUST_SECONDS", 0)  # the second has passed

    assert _shown_count(Client().get(page).text) == "1,504"
