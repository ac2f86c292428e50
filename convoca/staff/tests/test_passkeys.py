"""Passkeys as a second factor, answered by a software authenticator (no browser)."""

import pytest
from django.test import Client

from convoca.core.models import AuditEntry
from convoca.staff.models import Passkey
from convoca.staff.tests.conftest import sign_in
from convoca.staff.tests.soft_authenticator import SoftPasskey, page_options


@pytest.fixture
def passkey(browser, organiser, required):
    """The organiser's passkey, registered through the pages."""
    key = SoftPasskey()
    sign_in(browser)
    page = browser.get("/admin/account/passkey/")
    answer = key.create(page_options(page))
    done = browser.post(
        "/admin/account/passkey/", {"name": "laptop", "credential": answer, "next": "/admin/"}
    )
    assert done.status_code == 200
    assert "data-recovery-codes" in done.text
    return key


def _second_step(client):
    sign_in(client)
    return page_options(client.get("/admin/account/second-factor/"))


def test_a_registered_passkey_is_the_second_step(passkey, organiser):
    assert Passkey.objects.get(user=organiser).name == "laptop"
    client = Client()
    options = _second_step(client)
    response = client.post("/admin/account/second-factor/", {"credential": passkey.get(options)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("origin", "rp_id"),
    [
        ("https://evil.example", "evil.example"),  # a look-alike site's own passkey prompt
        ("https://evil.example", ""),  # our relying party, asked from a look-alike page
        ("http://testserver", "evil.example"),  # a passkey made for another site
    ],
)
def test_a_passkey_answer_made_for_another_site_is_refused_and_audited(
    passkey, organiser, origin, rp_id
):
    client = Client()
    options = _second_step(client)
    answer = passkey.get(options, origin=origin, rp_id=rp_id)
    response = client.post("/admin/account/second-factor/", {"credential": answer})
    assert response.status_code == 200
    assert "The passkey was not accepted" in response.text
    assert client.get("/admin/").status_code == 302
    entry = AuditEntry.objects.get(verb="second-factor-refused")
    assert (entry.user, entry.target) == (organiser, "passkey")


def test_a_passkey_answer_is_accepted_once(passkey):
    client = Client()
    answer = passkey.get(_second_step(client))
    assert client.post("/admin/account/second-factor/", {"credential": answer}).status_code == 302
    other = Client()
    _second_step(other)
    replayed = other.post("/admin/account/second-factor/", {"credential": answer})
    assert "The passkey was not accepted" in replayed.text


def test_a_cloned_passkey_whose_count_goes_back_is_refused(passkey):
    first = Client()
    first.post("/admin/account/second-factor/", {"credential": passkey.get(_second_step(first))})
    clone = Client()
    answer = passkey.get(_second_step(clone), count=1)  # the original has counted past 1
    assert (
        "The passkey was not accepted"
        in clone.post("/admin/account/second-factor/", {"credential": answer}).text
    )


def test_another_members_passkey_does_not_pass_for_this_member(passkey, make_staff, organisation):
    from convoca.organisations.models import Membership

    make_staff("ana", Membership.Role.ORGANISER, organisation)
    anas_key = SoftPasskey()
    ana = Client()
    sign_in(ana, "ana")
    ana.post(
        "/admin/account/passkey/",
        {"credential": anas_key.create(page_options(ana.get("/admin/account/passkey/")))},
    )
    client = Client()
    options = _second_step(client)  # as organiser
    response = client.post("/admin/account/second-factor/", {"credential": anas_key.get(options)})
    assert "The passkey was not accepted" in response.text


def test_a_passkey_registered_from_another_site_is_refused(browser, organiser, required):
    sign_in(browser)
    page = browser.get("/admin/account/passkey/")
    answer = SoftPasskey().create(page_options(page), origin="https://evil.example")
    response = browser.post("/admin/account/passkey/", {"name": "x", "credential": answer})
    assert "The passkey could not be added" in response.text
    assert not Passkey.objects.exists()
    assert AuditEntry.objects.filter(verb="second-factor-refused").exists()
