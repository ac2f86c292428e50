"""A mail worker in its own process, for the tests that kill one: ``python -m ... <mailing id>``.

It loads Convoca's own settings with the test's data folder (the same keys),
database and SMTP sink from the environment, and runs the batch service a
task worker runs.
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoca.settings")
    import django

    django.setup()
    from convoca.mailings.sending import mailing_send_batch

    mailing_id, limit = int(sys.argv[1]), int(sys.argv[2])
    mailing_send_batch(mailing_id=mailing_id, limit=limit)
