"""Where a signature's time goes: queries per signature and CPU per step, in one process.

Companion to bench/signing.py, for when its budget is missed. Prepares the same throwaway
data folder and database (``--database sqlite`` or ``postgres``), then, in one process
with bench.settings and no server, lists the queries one signature makes
(CaptureQueriesContext) and times each step of the signing path and the baselines,
through Django's request handler with its middleware. Times are CPU milliseconds of this
process (the least of several batches), so other load on the machine moves them little;
waiting for a lock or a disk does not show here, only in bench/signing.py.

    uv run python bench/signing_profile.py [--database postgres] [--cprofile]
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import run, signing
from bench.prepare import SIGNING_SLUG

BATCHES = 5
FORM_ENCODED = "application/x-www-form-urlencoded"
HOST = run.HOST


def cpu_ms(function, *, calls: int) -> tuple[float, float]:
    """CPU and wall milliseconds per call: the least over a few batches, after a warm-up."""
    for _ in range(10):
        function()
    best = None
    for _ in range(BATCHES):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(calls):
            function()
        result = (
            (time.process_time() - cpu) / calls * 1000,
            (time.perf_counter() - wall) / calls * 1000,
        )
        best = min(best or result, result)
    return best


def profile(args) -> None:
    """In the child: django is set up on the prepared data folder."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from convoca.actions.forms import SignatureForm, signature_form_clean
    from convoca.actions.models import SignatureIntake
    from convoca.actions.selectors import action_get_for_signing, action_get_public
    from convoca.actions.services import (
        SignatureData,
        signature_create,
        signature_intake_create,
        signature_intake_process,
    )
    from convoca.core import antibot
    from convoca.core.outbox import outbox_deliver
    from convoca.people.services import PersonData

    numbers = itertools.count()
    client = Client(HTTP_HOST=HOST, REMOTE_ADDR=HOST)

    def form(email: str | None = None) -> dict:
        return {**signing.SIGN_FORM, "email": email or f"profile-{next(numbers)}@example.org"}

    def post(path: str, data: dict):
        # Form-encoded, as browsers and the load generators send it (not multipart).
        return client.post(path, urlencode(data), content_type=FORM_ENCODED)

    def sign():
        response = post(signing.SIGNING.path, form())
        assert response.status_code == 302, response.status_code

    def insert():
        response = post(signing.BASELINE.path, {"email": f"p-{next(numbers)}@example.org"})
        assert response.status_code == 200, response.status_code

    def fixed():
        client.get("/bench/fixed/")

    def statements(title: str, function) -> None:
        with CaptureQueriesContext(connection) as queries:
            function()
        print(f"{connection.vendor}: {len(queries.captured_queries)} statements {title}")
        for query in queries.captured_queries:
            print(f"  {query['sql'][:110]}")

    sign()
    signature_intake_process()
    statements("per signing request", sign)
    statements("to record one intake (the worker's half)", signature_intake_process)

    translation.activate("en")
    action = action_get_public(language="en", slug=SIGNING_SLUG)
    request = RequestFactory().post(
        signing.SIGNING.path, urlencode(form()), content_type=FORM_ENCODED, REMOTE_ADDR=HOST
    )
    limits = settings.CONVOCA_RATE_LIMITS["sign-without-pow"]

    def data() -> SignatureData:
        person = PersonData(
            email=form()["email"], given_name="Ana", family_name="Bench", country="FR"
        )
        return SignatureData(person=person, form=f"actions:{SIGNING_SLUG}")

    def record_intakes() -> tuple[float, float]:
        """CPU and wall ms per intake recorded, the least over a few batches."""
        best = None
        for _ in range(BATCHES):
            for _ in range(args.calls):
                sign()
            waiting = SignatureIntake.objects.count()
            cpu, wall = time.process_time(), time.perf_counter()
            while signature_intake_process():
                pass
            result = (
                (time.process_time() - cpu) / waiting * 1000,
                (time.perf_counter() - wall) / waiting * 1000,
            )
            best = min(best or result, result)
        return best

    def confirmation_emails() -> tuple[float, float]:
        """CPU and wall ms per confirmation email taken from the outbox and handed to the mailer."""
        best = None
        for _ in range(BATCHES):
            for _ in range(args.calls):
                sign()
            while signature_intake_process():
                pass
            cpu, wall = time.process_time(), time.perf_counter()
            sent = outbox_deliver().sent
            result = (
                (time.process_time() - cpu) / sent * 1000,
                (time.perf_counter() - wall) / sent * 1000,
            )
            best = min(best or result, result)
        return best

    steps = [
        ("GET /bench/fixed/ (the middleware only)", fixed),
        ("POST /bench/insert/ (the baseline)", insert),
        ("POST sign/ (the whole signing request)", sign),
        ("  action_get_for_signing (remembered 10 s)", lambda: action_get_for_signing(
            language="en", slug=SIGNING_SLUG)),
        ("  action_get_public (not remembered: 2 queries)", lambda: action_get_public(
            language="en", slug=SIGNING_SLUG)),
        ("  signature_form_clean (what the view checks with)", lambda: signature_form_clean(
            QueryDict(urlencode(form())), action=action)),
        ("  SignatureForm(...).is_valid() (shown on errors)", lambda: SignatureForm(
            form(), action=action).is_valid()),
        (f"  rate_limit, {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1]}",
            lambda: antibot.rate_limit(request, scope="sign", email=form()["email"], **limits)),
        ("  signature_intake_create (one INSERT)", lambda: signature_intake_create(
            action=action, data=data())),
        ("signature_create, directly", lambda: signature_create(action=action, data=data())),
    ]  # fmt: skip
    print(f"\n{'step':<55} {'CPU ms':>7} {'wall ms':>8}")
    for name, function in steps:
        cpu, wall = cpu_ms(function, calls=args.calls)
        print(f"{name:<55} {cpu:>7.2f} {wall:>8.2f}")
        if name.startswith("  signature_intake_create"):
            while signature_intake_process():
                pass
    cpu, wall = record_intakes()
    print(f"{'signature_intake_process, per intake (the worker)':<55} {cpu:>7.2f} {wall:>8.2f}")
    cpu, wall = confirmation_emails()
    print(f"{'  its confirmation emails, per email (the worker)':<55} {cpu:>7.2f} {wall:>8.2f}")

    wsgi_insert, wsgi_sign = wsgi_interleaved(form)
    print(
        f"\nThrough the WSGI application (no test client), interleaved with the baseline, "
        f"CPU us per request, best and first quartile of 15 batches of 100:\n"
        f"  baseline {wsgi_insert[0]:.0f} / {wsgi_insert[3]:.0f}, "
        f"signing {wsgi_sign[0]:.0f} / {wsgi_sign[3]:.0f}, "
        f"ratio of the bests {wsgi_insert[0] / wsgi_sign[0]:.2f}"
    )

    if args.cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [sign() for _ in range(args.calls)])
        print("\nThe signing request alone:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        profiler = cProfile.Profile()
        profiler.runcall(signature_intake_process)
        profiler.runcall(outbox_deliver)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(50)


def wsgi_interleaved(form) -> tuple[list[float], list[float]]:
    """CPU us per request of the baseline and of signing, called as the server calls them."""
    import io

    from bench.wsgi import application

    numbers = itertools.count()

    def call(path: str, body: str, status: str) -> None:
        raw = body.encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": HOST,
            "REMOTE_ADDR": HOST,
            "HTTP_ORIGIN": f"http://{HOST}",
            "HTTP_SEC_FETCH_SITE": "same-origin",
            "CONTENT_TYPE": FORM_ENCODED,
            "CONTENT_LENGTH": str(len(raw)),
            "wsgi.input": io.BytesIO(raw),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        started = []
        response = application(environ, lambda s, h, e=None: started.append(s))
        b"".join(response)
        response.close()
        assert started[0].startswith(status), started

    def insert():
        call(signing.BASELINE.path, urlencode({"email": f"w-{next(numbers)}@example.org"}), "200")

    def sign():
        call(signing.SIGNING.path, urlencode(form()), "302")

    for _ in range(50):
        insert()
        sign()
    results: tuple[list[float], list[float]] = ([], [])
    for _ in range(15):
        for function, times in zip((insert, sign), results, strict=True):
            cpu = time.process_time()
            for _ in range(100):
                function()
            times.append((time.process_time() - cpu) / 100 * 1e6)
    return sorted(results[0]), sorted(results[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=signing.POSTGRES_URL)
    parser.add_argument("--calls", type=int, default=100, help="calls per batch (default: 100)")
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's view")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        profile(args)
        return 0
    with tempfile.TemporaryDirectory(prefix="convoca-bench-profile-") as tmp:
        data_dir = Path(tmp)
        with signing.database_url(args.database, data_dir, args) as url:
            signing.manage(data_dir, url, "signing")
            command = [sys.executable, "-m", "bench.signing_profile", "--child"]
            command += ["--calls", str(args.calls), *(["--cprofile"] if args.cprofile else [])]
            env = run.child_env(data_dir, run.free_port(), url)
            return subprocess.run(command, cwd=data_dir, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
