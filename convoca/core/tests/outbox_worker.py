"""An outbox worker in its own process, for the tests that kill one: ``python -m ... <limit>``.

It loads Convoca's own settings with the test's data folder (the same keys),
database and SMTP sink from the environment, and runs the delivery service a
task worker runs.
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoca.settings")
    import django

    django.setup()
    from convoca.core.outbox import outbox_deliver

    outbox_deliver(limit=int(sys.argv[1]))
