"""What a cached public page costs, in one process: CPU per request against the fixed response.

Companion to bench/run.py, for when its page ratios fall. Prepares a throwaway data folder
with the demo content (SQLite), then, with bench.settings and no server, calls the WSGI
application as granian does: the fixed response (the baseline) and each of bench/run.py's
page scenarios, after a first request has filled the page cache. Times are CPU
microseconds per request, the least of several batches, so other load on the machine
moves them little; ``--cprofile`` adds cProfile's view of the first page.

    uv run python bench/page_profile.py [--calls 1000] [--cprofile]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import run, signing

BATCHES = 5


def _get(application, path: str) -> str:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": run.HOST,
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": run.HOST,
        "REMOTE_ADDR": run.HOST,
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    started = []
    response = application(environ, lambda status, headers, exc=None: started.append(status))
    b"".join(response)
    response.close()
    return started[0]


def profile(args) -> None:
    """In the child: django is set up on the prepared data folder."""
    import django

    django.setup()
    from bench.wsgi import application

    scenarios = [run.BASELINE, *run.SCENARIOS]
    for scenario in scenarios:
        status = _get(application, scenario.path)
        assert status.startswith("200"), (scenario.path, status)
    print(f"{'scenario':<12} {'path':<36} {'CPU us':>7} {'ratio':>6}")
    baseline = None
    for scenario in scenarios:
        for _ in range(200):
            _get(application, scenario.path)
        best = None
        for _ in range(BATCHES):
            cpu = time.process_time()
            for _ in range(args.calls):
                _get(application, scenario.path)
            per_call = (time.process_time() - cpu) / args.calls * 1e6
            best = min(best or per_call, per_call)
        baseline = baseline or best
        print(f"{scenario.name:<12} {scenario.path:<36} {best:>7.0f} {baseline / best:>6.2f}")
    if args.cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        page = run.SCENARIOS[0].path
        profiler.runcall(lambda: [_get(application, page) for _ in range(args.calls)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per batch")
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's view")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        profile(args)
        return 0
    with tempfile.TemporaryDirectory(prefix="convoca-bench-pages-") as tmp:
        data_dir = Path(tmp)
        url = f"sqlite:///{data_dir / 'convoca.sqlite3'}"
        signing.manage(data_dir, url, "demo")
        command = [sys.executable, "-m", "bench.page_profile", "--child"]
        command += ["--calls", str(args.calls), *(["--cprofile"] if args.cprofile else [])]
        env = run.child_env(data_dir, run.free_port(), url)
        return subprocess.run(command, cwd=data_dir, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
