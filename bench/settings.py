"""The production settings, plus the baseline view's URL (bench/urls.py).

Only the benchmark server uses this module; ``convoca serve`` never loads it,
so nothing under bench/ is reachable in production.
"""

from convoca.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"
