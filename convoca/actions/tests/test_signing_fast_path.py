"""The signing hot path: the quick check agrees with the form, forged requests are refused."""

import pytest
from django.http import QueryDict
from django.utils import translation

from convoca.actions.forms import SignatureForm, signature_form_clean
from convoca.actions.models import Action, Signature, SignatureIntake
from convoca.actions.services import action_save, signature_intake_process
from convoca.people.models import Consent

BASE = {
    "given_name": "Ana",
    "family_name": "López",
    "email": "ana@example.org",
    "country": "MX",
    "website": "",
}

SUBMISSIONS = [
    {},
    {"email": "  ANA@Example.ORG  ", "given_name": "  Ana  "},
    {"family_name": ""},
    {"given_name": ""},
    {"given_name": "   "},
    {"email": "not-an-address"},
    {"email": ""},
    {"email": "a" * 250 + "@example.org"},
    {"country": "XX"},
    {"country": ""},
    {"website": "https://spam.example"},
    {"given_name": "A" * 101},
    {"given_name": "Ana\x00"},
    {"given_name": "Ana\r\nBcc: x@example.org", "family_name": "\u202eLópez"},
    {"role": "Nurse", "organisation_name": "Union of Nurses", "members_represented": "25000"},
    {"role": "", "organisation_name": "Union of Nurses", "members_represented": "25000"},
    {"role": "Nurse", "organisation_name": "Union", "members_represented": "many"},
    {"role": "Nurse", "organisation_name": "Union", "members_represented": "-3"},
    {"role": "Nurse", "organisation_name": "Union", "members_represented": ""},
    {"visibility": "name"},
    {"visibility": "everything"},
    {"consent_OWNER": "on"},
    {"consent_OWNER": "on", "consent_COSPONSOR": "on"},
    {"consent_COSPONSOR": "false"},
    {"comment": "Solidarity!", "phone": "+34 600 000 000"},
]


@pytest.fixture
def asking_action(make_action, organisation, other_organisation):
    action = make_action(
        ask_organisation=Action.Ask.OPTIONAL,
        ask_role=Action.Ask.REQUIRED,
        ask_members=Action.Ask.OPTIONAL,
        show_signers=True,
    )
    action.co_sponsors.add(other_organisation)
    return Action.objects.select_related("shared__organisation").get(pk=action.pk)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("changes", SUBMISSIONS)
def test_the_quick_check_accepts_exactly_what_the_form_accepts_and_cleans_it_alike(
    asking_action, organisation, other_organisation, changes, language
):
    fields = {
        name.replace("OWNER", str(organisation.pk)).replace(
            "COSPONSOR", str(other_organisation.pk)
        ): v
        for name, v in {**BASE, **changes}.items()
    }
    data = QueryDict(mutable=True)
    data.update(fields)
    with translation.override(language):
        form = SignatureForm(data, action=asking_action)
        quick = signature_form_clean(data, action=asking_action)
        if form.is_valid():
            assert quick == (form.cleaned_data, form.consents())
        else:
            assert quick is None


def test_the_quick_check_follows_a_changed_action(appeal):
    data = QueryDict(mutable=True)
    data.update({**BASE})
    assert signature_form_clean(data, action=appeal) is not None
    action_save(action=appeal, shared={"ask_role": Action.Ask.REQUIRED})
    changed = Action.objects.get(pk=appeal.pk)
    assert signature_form_clean(data, action=changed) is None


def test_a_signature_through_the_quick_check_is_recorded_with_its_consents(
    appeal, sign, organisation
):
    response = sign(appeal, **{f"consent_{organisation.pk}": "on", "email": "Bea@Example.org"})
    assert response.status_code == 302
    signature_intake_process()  # already done by the task the request enqueued
    signature = Signature.objects.get()
    assert signature.person.email == "Bea@Example.org"
    assert Consent.objects.filter(person=signature.person, organisation=organisation).exists()


def test_a_refused_quick_check_shows_the_form_with_its_errors_and_values(appeal, sign):
    response = sign(appeal, email="not-an-address", given_name="Zenobia")
    assert response.status_code == 400
    assert "Please enter a valid email address" in response.text
    assert 'value="Zenobia"' in response.text
    assert not SignatureIntake.objects.exists() and not Signature.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://www.testserver"},
    ],
)
def test_a_form_posted_from_another_site_is_refused(client, appeal, headers):
    for url in (appeal.get_absolute_url() + "sign/", appeal.get_absolute_url() + "embed/sign/"):
        response = client.post(url, BASE, **headers)
        assert response.status_code == 403
        assert "The form expired" in response.text
    assert not SignatureIntake.objects.exists() and not Signature.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {},  # not a browser, or one too old to say: the rate limits apply
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "none"},
    ],
)
def test_a_form_posted_from_this_site_or_its_frame_is_taken(client, appeal, headers):
    response = client.post(appeal.get_absolute_url() + "sign/", BASE, **headers)
    assert response.status_code == 302
    framed = client.post(
        appeal.get_absolute_url() + "embed/sign/", {**BASE, "email": "bea@example.org"}, **headers
    )
    assert framed.status_code == 302
    assert SignatureIntake.objects.count() == 2  # waiting for the worker
