"""The demo mailings, as an organiser of a fresh ``convoca demo`` sees them."""

import logging
from email import message_from_bytes, policy

import pytest
from django.urls import reverse

from convoca.core.demo import demo_load
from convoca.mailings.demo import demo_mail_folder
from convoca.mailings.models import Mailing, MailingList
from convoca.mailings.selectors import mailing_progress


@pytest.fixture
def demo(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    return demo_load()


def test_loading_the_demo_prints_and_logs_nothing(db, settings, caplog, capfd):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    caplog.set_level(logging.INFO)
    demo_load()
    assert [record.getMessage() for record in caplog.records] == []
    out, err = capfd.readouterr()
    assert "unsubscribed" not in out + err


def test_the_demo_has_two_lists_a_sent_mailing_with_figures_and_a_scheduled_one(
    client, demo, django_user_model
):
    public_lists = MailingList.objects.filter(is_public=True, subscriptions__status="subscribed")
    assert public_lists.distinct().count() == 2  # the working groups' lists are private
    sent = Mailing.objects.get(status=Mailing.Status.SENT)
    progress = mailing_progress(mailing=sent)
    assert progress.sent == progress.total > 50
    assert (progress.bounced, progress.complained, progress.unsubscribed) == (2, 1, 2)
    assert Mailing.objects.filter(status=Mailing.Status.SCHEDULED).count() == 1

    files = list(demo_mail_folder().glob("*.log"))
    assert files
    messages = [
        message_from_bytes(chunk.strip().encode(), policy=policy.default)
        for chunk in files[0].read_text().split("-" * 79)
        if chunk.strip()
    ]
    subjects = {m["Subject"] for m in messages}
    assert subjects == {
        "Webinar on Tuesday: medicines and sanctions",
        "Seminario el martes: medicinas y sanciones",
    }

    client.force_login(django_user_model.objects.get(username=demo.username))
    page = client.get(reverse("admin:mailings_mailing_progress", args=[sent.pk]))
    assert page.status_code == 200
    assert f'<td id="figure-sent">{progress.sent}</td>' in page.text
