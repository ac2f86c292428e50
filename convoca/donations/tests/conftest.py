import pytest
from django.urls import reverse
from django.utils import translation

from convoca.donations.models import Fundraiser
from convoca.donations.providers import provider_cache_clear, provider_get
from convoca.donations.services import fundraiser_save
from convoca.donations.tests.stripe_standin import StripeStandIn

API_KEY = "sk_test_convoca"
WEBHOOK_SECRET = "whsec_test_convoca"


@pytest.fixture
def stripe_standin(settings):
    """Stripe's API on 127.0.0.1, and the settings that point the library at it."""
    standin = StripeStandIn(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET).start()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = standin.url
    settings.CONVOCA_CHECKOUT_ORIGINS = [standin.url]
    provider_cache_clear()
    yield standin
    standin.stop()
    provider_cache_clear()


@pytest.fixture
def stripe_provider(stripe_standin):
    return provider_get("stripe")


@pytest.fixture
def make_fundraiser(organisation):
    def make(texts=None, **fields):
        defaults = {
            "slug": "send-a-delegation",
            "organisation": organisation,
            "currency": "EUR",
            "goal": 500_000,
            "suggested_amounts": [1000, 2500, 5000],
            "status": Fundraiser.Status.OPEN,
        }
        texts = texts or {
            "en": {
                "title": "Send a delegation",
                "summary": "Five people to the hearings in Geneva.",
            },
            "es": {
                "title": "Enviar una delegación",
                "summary": "Cinco personas a las audiencias en Ginebra.",
            },
        }
        return fundraiser_save(fundraiser=Fundraiser(**{**defaults, **fields}), texts=texts)

    return make


@pytest.fixture
def fundraiser(make_fundraiser):
    return make_fundraiser()


@pytest.fixture
def webhook(client, stripe_standin, django_capture_on_commit_callbacks):
    """Deliver a Stripe event to our webhook as Stripe does: raw JSON, signed header."""

    def deliver(event, **sign_options):
        body, headers = stripe_standin.signed(event, **sign_options)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/donations/webhooks/stripe/",
                data=body,
                content_type="application/json",
                headers=headers,
            )

    return deliver


@pytest.fixture
def give(client, stripe_standin, django_capture_on_commit_callbacks):
    """POST the donate form as a browser without JavaScript would; return the checkout session."""

    def post(fundraiser, language="en", **fields):
        data = {
            "amount_choice": "2500",
            "frequency": "once",
            "given_name": "Ana",
            "family_name": "López",
            "email": "ana@example.org",
            **fields,
        }
        with translation.override(language):
            url = reverse("donations:donation-start", kwargs={"slug": fundraiser.slug})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        if response.status_code != 303:
            return response, None
        session_id = response["Location"].rsplit("/", 1)[-1]
        return response, stripe_standin.sessions[session_id]

    return post
