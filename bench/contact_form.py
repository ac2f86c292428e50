"""Contact form in one process: POSTs through Django's test client, SQLite in a throwaway folder.

Each request validates the form, stores the message (encrypted) and its sender, and, with the
immediate tasks backend, renders and sends the acknowledgement to the in-memory mail backend.
Usage: ``uv run python bench/contact_form.py [count]``.
"""

import os
import sys
import time


def main(count: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"  # throwaway data folder
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from convoca.inbox.models import ContactMessage

    unlimited = {"per_client": (10**9, 3600), "per_email": (10**9, 3600)}
    settings.CONVOCA_RATE_LIMITS["contact-without-pow"] = unlimited
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    client = Client()
    started = time.perf_counter()
    for i in range(count):
        response = client.post(
            "/en/contact/",
            {
                "name": "Ana",
                "email": f"ana{i}@example.org",
                "subject": "general",
                "message": "Hello " * 50,
            },
        )
        assert response.status_code == 302, response.status_code
    elapsed = time.perf_counter() - started
    stored = ContactMessage.objects.count()
    acknowledged = ContactMessage.objects.exclude(acknowledged_at=None).count()
    print(
        f"{count} contact messages in {elapsed:.2f} s: {elapsed / count * 1000:.1f} ms each; "
        f"stored {stored}, acknowledged {acknowledged}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
