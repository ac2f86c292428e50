"""Fill a throwaway data folder for a benchmark run: run by bench/run.py in a child process.

The environment names the folder (CONVOCA_DATA_DIR) and the settings (bench.settings).
"""

import sys

import django


def main() -> int:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import Resolver404, resolve

    from convoca.coalition.models import Organisation
    from convoca.core.demo import demo_load

    if settings.DEBUG:
        sys.exit("bench: DEBUG must be off; the figures are for the production set-up.")
    try:
        resolve("/bench/fixed/", urlconf="convoca.urls")
    except Resolver404:
        pass
    else:
        sys.exit("bench: /bench/fixed/ resolves in convoca.urls; it belongs in bench.urls only.")
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    demo_load()
    print(f"bench: demo content loaded ({Organisation.objects.count()} organisations).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
