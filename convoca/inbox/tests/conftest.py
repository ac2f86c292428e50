import socket

import pytest


@pytest.fixture
def send_contact(client, django_capture_on_commit_callbacks):
    """POST the contact form as a browser without JavaScript; run what follows the commit."""

    def post(language="en", **fields):
        data = {
            "name": "Ana López",
            "email": "ana@example.org",
            "subject": "press",
            "message": "Could someone speak on our radio programme on Friday?",
            **fields,
        }
        url = "/es/contacto/" if language == "es" else "/en/contact/"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


@pytest.fixture
def broken_mail_server(settings):
    """An SMTP server address where nothing listens: every send fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    return port
