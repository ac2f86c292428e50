"""The production settings, plus the baselines' URLs (bench/urls.py).

Only the benchmark server uses this module; ``convoca serve`` never loads it,
so nothing under bench/ is reachable in production.
"""

from convoca.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"

# The signing benchmark (bench/signing.py) sends thousands of signatures from one
# client, 127.0.0.1, without a proof of work. The per-client limits would refuse all
# but the first 20, so they are raised out of the way; the per-email limit stays, as
# every benchmark signature has its own address. The rate limiter still counts every
# request in the cache, as in production.
CONVOCA_RATE_LIMITS = {
    scope: {**limits, "per_client": (10**9, limits["per_client"][1])}
    for scope, limits in CONVOCA_RATE_LIMITS.items()  # noqa: F405
}

# No task worker runs during a benchmark, so no confirmation email leaves; should one
# run against this data folder, the emails go nowhere instead of to its terminal.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
