"""The donate form's defences: honeypot, proof of work, rate limits."""

import base64
import hashlib
import json

import pytest

from convoca.donations.models import Donation

pytestmark = pytest.mark.django_db


def _solved(client) -> str:
    challenge = client.get("/pow/challenge/?scope=donate").json()
    number = next(
        n
        for n in range(challenge["maxnumber"] + 1)
        if hashlib.sha256(f"{challenge['salt']}{n}".encode()).hexdigest() == challenge["challenge"]
    )
    solution = {k: challenge[k] for k in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**solution, "number": number}).encode()).decode()


def test_a_filled_honeypot_stops_the_gift_before_any_checkout(give, fundraiser, stripe_standin):
    response, session = give(fundraiser, website="http://spam.example")
    assert response.status_code == 400
    assert session is None
    assert Donation.objects.count() == 0
    assert stripe_standin.requests == []


def test_a_browser_that_solved_the_proof_of_work_gets_the_wider_limit(
    give, fundraiser, client, settings
):
    settings.CONVOCA_POW_MAX_NUMBER = 500
    settings.CONVOCA_RATE_LIMITS = {
        **settings.CONVOCA_RATE_LIMITS,
        "donate": {"per_client": (5, 3600), "per_email": (5, 3600)},
        "donate-without-pow": {"per_client": (0, 3600), "per_email": (0, 3600)},
    }
    without, _ = give(fundraiser)
    assert without.status_code == 429
    solution = _solved(client)
    with_pow, session = give(fundraiser, pow=solution)
    assert with_pow.status_code == 303
    assert session is not None
    # One solution buys one gift: sent again, it is no proof of work.
    again, _ = give(fundraiser, pow=solution)
    assert again.status_code == 429
