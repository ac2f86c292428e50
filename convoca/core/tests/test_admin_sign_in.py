"""The staff sign-in: failures are throttled, a right password is not refused for others' errors."""

import html
import json
import re

import pytest
from django.test import Client

from convoca.core.tests.test_pow import payload, solve
from convoca.organisations.models import Membership

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _light_work(settings):
    settings.CONVOCA_POW_MAX_NUMBER = 2000  # solved in Python here, not in a browser
    settings.CONVOCA_SIGN_IN_ACCOUNT_POW_MAX_NUMBER = 20_000


def sign_in(client, username="organiser", password=PASSWORD, **extra):
    return client.post("/admin/login/", {"username": username, "password": password, **extra})


def pow_answer(response) -> str:
    """Solve the proof of work the page carries, as core/pow.js does in the browser."""
    found = re.search(r'data-pow-challenge="([^"]+)"', response.text)
    assert found, "the page asks for no proof of work"
    challenge = json.loads(html.unescape(found[1]))
    number, _hashes = solve(challenge)
    return payload(challenge, number)


def test_right_password_signs_in_after_fifty_failures_from_other_addresses(organiser):
    for n in range(50):
        failed = sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), password=f"guess-{n}")
        assert failed.status_code == 200
    response = sign_in(Client(REMOTE_ADDR="203.0.113.7"))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_team_behind_one_address_signs_in_as_often_as_it_needs(make_staff, organisation):
    for name in ("ana", "bea", "carla"):
        make_staff(name, Membership.Role.ORGANISER, organisation)
    statuses = [
        sign_in(Client(REMOTE_ADDR="192.0.2.10"), username=name).status_code
        for _ in range(12)
        for name in ("ana", "bea", "carla")
    ]
    assert statuses == [302] * 36  # more than the old 10 per account and 30 per address


def test_after_five_failures_the_form_asks_for_a_proof_of_work_that_lets_the_right_password_in(
    organiser,
):
    client = Client(REMOTE_ADDR="192.0.2.20")
    assert "data-pow-challenge" not in client.get("/admin/login/").text
    responses = [sign_in(client, password=f"guess-{n}") for n in range(5)]
    assert "data-pow-challenge" not in responses[3].text
    assert "data-pow-challenge" in responses[4].text
    assert "data-pow-challenge" in client.get("/admin/login/").text

    # Without the work (a browser without JavaScript) the password is not even checked.
    unsolved = sign_in(client)
    assert unsolved.status_code == 200
    assert "your browser must first do a short check" in unsolved.text
    assert "_auth_user_id" not in client.session

    response = sign_in(client, pow=pow_answer(unsolved))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_proof_of_work_message_is_in_spanish(organiser):
    client = Client(REMOTE_ADDR="192.0.2.21", headers={"accept-language": "es"})
    for n in range(5):
        sign_in(client, password=f"guess-{n}")
    assert "tu navegador debe hacer antes una breve comprobación" in sign_in(client).text


def test_failures_on_other_accounts_never_block_the_right_password_beyond_the_proof_of_work(
    organiser,
):
    client = Client(REMOTE_ADDR="192.0.2.30")
    last = None
    for n in range(36):  # nine on each of four other accounts
        answer = pow_answer(last) if last and "data-pow-challenge" in last.text else ""
        last = sign_in(client, username=f"someone-{n % 4}", password=f"guess-{n}", pow=answer)
        assert last.status_code == 200
    response = sign_in(client, pow=pow_answer(last))
    assert response.status_code == 302


def test_after_ten_failures_on_one_account_each_try_costs_a_long_proof_of_work_not_a_lockout(
    organiser, settings
):
    client = Client(REMOTE_ADDR="192.0.2.40")
    page = client.get("/admin/login/")
    for n in range(10):
        answer = pow_answer(page) if "data-pow-challenge" in page.text else ""
        page = sign_in(client, password=f"guess-{n}", pow=answer)
        assert page.status_code == 200
    # The challenge now asks for much more work than the usual one.
    found = re.search(r'data-pow-challenge="([^"]+)"', page.text)
    assert json.loads(html.unescape(found[1]))["maxnumber"] == 20_000

    # Without the long work (or with the short one) even the right password is not checked.
    short = sign_in(client)
    assert short.status_code == 200
    assert "your browser must first do a longer check" in short.text
    assert "_auth_user_id" not in client.session
    # Nobody else is slowed down.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.41")).status_code == 302
    # The person whose account it is, behind the same address, does the work and gets in.
    response = sign_in(client, pow=pow_answer(short))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_long_proof_of_work_costs_a_guesser_as_much_as_anyone(organiser):
    client = Client(REMOTE_ADDR="192.0.2.42")
    page = client.get("/admin/login/")
    for n in range(10):
        answer = pow_answer(page) if "data-pow-challenge" in page.text else ""
        page = sign_in(client, password=f"guess-{n}", pow=answer)
    wrong = sign_in(client, password="guess-10", pow=pow_answer(page))
    assert wrong.status_code == 200
    assert "Please enter the correct username and password" in wrong.text
    # The next try needs another long proof: one solution buys one guess.
    assert "your browser must first do a longer check" in sign_in(client).text


def test_a_solved_proof_of_work_passes_only_once(organiser):
    client = Client(REMOTE_ADDR="192.0.2.50")
    for n in range(4):
        sign_in(client, password=f"guess-{n}")
    page = sign_in(client, password="guess-4")
    answer = pow_answer(page)
    assert sign_in(client, password="guess-5", pow=answer).status_code == 200
    replayed = sign_in(client, pow=answer)
    assert "your browser must first do a short check" in replayed.text


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/admin/", "/accounts/profile/", "/en/no-such-page/"],
)
def test_signing_in_with_a_next_outside_the_admin_lands_on_the_admin_index(organiser, next_url):
    client = Client()
    page = client.get("/admin/login/", {"next": next_url})
    assert page.status_code == 200
    response = client.post(
        f"/admin/login/?next={next_url}", {"username": "organiser", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


def test_signing_in_with_a_next_in_the_admin_goes_there(organiser):
    response = Client().post(
        "/admin/login/?next=/admin/actions/action/", {"username": "organiser", "password": PASSWORD}
    )
    assert response["Location"] == "/admin/actions/action/"


def test_guesses_in_flight_are_counted_before_their_passwords_are_checked(organiser):
    from django.test import RequestFactory

    from convoca.core.antibot import sign_in_attempt_start

    # Ten guesses sent at once, none of them answered yet: each already holds its place.
    in_flight = RequestFactory().post("/admin/login/", REMOTE_ADDR="192.0.2.60")
    gates = [sign_in_attempt_start(in_flight, account="organiser") for _ in range(11)]
    assert [gate.needs_long_pow for gate in gates] == [False] * 10 + [True]
    held = sign_in(Client(REMOTE_ADDR="192.0.2.60"))
    assert "your browser must first do a longer check" in held.text
