"""Signing staff in as a browser without JavaScript would: forms, redirects, codes from an app."""

import html
import re
import time
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import TOTP

PASSWORD = "a-long-test-password"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


class AppOnPhone:
    """An authenticator app holding a secret read off the enrolment page."""

    def __init__(self, secret: str):
        self.key = b32decode(secret + "=" * (-len(secret) % 8))

    def code(self, *, steps_ahead: int = 0) -> str:
        totp = TOTP(self.key, 30, 0, 6, 0)
        totp.time = time.time() + 30 * steps_ahead
        return f"{totp.token():06d}"


def sign_in(client, username="organiser", password=PASSWORD, next_url=""):
    url = "/admin/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password})


def enrol_app(client, next_url="/admin/"):
    """Add an authenticator app through the pages; return (app, recovery codes)."""
    page = client.get("/admin/account/app/", {"next": next_url})
    assert page.status_code == 200
    secret = re.search(r"data-secret>([A-Z2-7]+)<", page.text)[1]
    app = AppOnPhone(secret)
    done = client.post(
        "/admin/account/app/", {"name": "my phone", "code": app.code(), "next": next_url}
    )
    assert done.status_code == 200, done.status_code
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.text)
    return app, codes


def next_param(response) -> str:
    found = re.search(r'name="next" value="([^"]*)"', response.text)
    return html.unescape(found[1]) if found else ""


@pytest.fixture
def browser():
    """A browser on a laptop, without JavaScript."""
    return Client(headers={"user-agent": FIREFOX})


@pytest.fixture
def required(settings):
    settings.CONVOCA_STAFF_SECOND_FACTOR_REQUIRED = True
