import base64
import hashlib
import html
import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from convoca.core.antibot import pow_passed
from convoca.core.pow import pow_challenge_make, pow_verify


def solve(challenge):
    """Solve as pow.js does, counting the hashes: (number, hashes) or (None, hashes)."""
    hashes = 0
    for number in range(challenge["maxnumber"] + 1):
        hashes += 1
        digest = hashlib.sha256(f"{challenge['salt']}{number}".encode()).hexdigest()
        if digest == challenge["challenge"]:
            return number, hashes
    return None, hashes


def payload(challenge, number, **changes):
    """The field's value as pow.js sends it, with ``changes`` applied."""
    solution = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
        **changes,
    }
    return base64.b64encode(json.dumps(solution).encode()).decode()


@pytest.fixture
def solved():
    challenge = pow_challenge_make(scope="sign")
    number, _ = solve(challenge)
    return challenge, number


def test_correct_solution_passes(solved):
    challenge, number = solved
    assert pow_verify(payload(challenge, number), scope="sign")


def test_wrong_number_fails(solved):
    challenge, number = solved
    assert not pow_verify(payload(challenge, number + 1), scope="sign")


def test_tampered_signature_fails(solved):
    challenge, number = solved
    signature = challenge["signature"]
    tampered = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert not pow_verify(payload(challenge, number, signature=tampered), scope="sign")


def test_salt_with_a_later_expiry_fails(solved):
    challenge, number = solved
    salt = re.sub(r"expires=\d+", "expires=99999999999", challenge["salt"])
    assert not pow_verify(payload(challenge, number, salt=salt), scope="sign")


def test_expired_challenge_fails(settings):
    settings.CONVOCA_POW_TTL_SECONDS = -1
    challenge = pow_challenge_make(scope="sign")
    number, _ = solve(challenge)
    assert number is not None
    assert not pow_verify(payload(challenge, number), scope="sign")


def test_same_solution_passes_only_once(solved):
    challenge, number = solved
    assert pow_verify(payload(challenge, number), scope="sign")
    assert not pow_verify(payload(challenge, number), scope="sign")


def test_solution_for_one_form_fails_on_another():
    challenge = pow_challenge_make(scope="a")
    number, _ = solve(challenge)
    assert not pow_verify(payload(challenge, number), scope="b")
    assert pow_verify(payload(challenge, number), scope="a")


def test_other_algorithm_fails(solved):
    challenge, number = solved
    assert not pow_verify(payload(challenge, number, algorithm="SHA-1"), scope="sign")


def b64(text):
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        None,
        42,
        "not base64!",
        "é",
        "QUJD=",  # bad padding
        b64("not json"),
        b64("[1, 2, 3]"),
        b64('"a string"'),
        b64("{}"),
        b64('{"algorithm": "SHA-256"}'),
        b64('{"algorithm": "SHA-256", "challenge": 1, "number": 1, "salt": 1, "signature": 1}'),
        b64("[" * 1400),
        b64('{"signature": "\\ud800"}'),
        "A" * 100_000,
    ],
)
def test_malformed_payload_fails_without_raising(garbage):
    assert pow_verify(garbage, scope="sign") is False


@pytest.mark.parametrize("number", ["7", True, -1, 1.0, None])
def test_number_that_is_not_a_non_negative_integer_fails(solved, number):
    challenge, _ = solved
    assert not pow_verify(payload(challenge, number), scope="sign")


def test_worst_case_costs_at_most_maxnumber_hashes():
    challenge = pow_challenge_make(scope="sign")
    assert challenge["maxnumber"] == 50_000
    number, hashes = solve(challenge)
    assert number is not None
    assert hashes == number + 1 <= challenge["maxnumber"]
    assert pow_verify(payload(challenge, number), scope="sign")


def test_difficulty_follows_the_setting(settings):
    settings.CONVOCA_POW_MAX_NUMBER = 10
    challenge = pow_challenge_make(scope="sign")
    assert challenge["maxnumber"] == 10
    number, hashes = solve(challenge)
    assert number is not None and hashes <= 10


def test_form_without_an_answer_has_not_passed():
    request = RequestFactory().post("/sign/", {"name": "Ana"})
    assert not pow_passed(request, scope="sign")


def test_form_with_an_answer_passes_once(solved):
    challenge, number = solved
    data = {"pow": payload(challenge, number)}
    assert pow_passed(RequestFactory().post("/sign/", data), scope="sign")
    assert not pow_passed(RequestFactory().post("/sign/", data), scope="sign")


def test_field_carries_the_challenge_and_loads_the_solver_from_this_host():
    challenge = pow_challenge_make(scope="sign")
    rendered = render_to_string("core/pow_field.html", {"challenge": challenge})
    field = re.search(
        r'<input type="hidden" name="pow" value="" data-pow-challenge="([^"]*)">', rendered
    )
    assert field is not None
    assert json.loads(html.unescape(field[1])) == challenge
    assert '<script src="/static/core/pow.js" defer></script>' in rendered
