"""The WSGI application of the benchmark server (bench/settings.py)."""

import os

from django.core.wsgi import get_wsgi_application

# Forced, not defaulted: a stray convoca.settings would silently drop the baseline.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
application = get_wsgi_application()
