"""Load benchmarks: every figure is a ratio to a fixed response served in the same run.

Starts the production web server (granian in WSGI mode, with the flags ``convoca serve``
uses, DEBUG off) on 127.0.0.1 against a throwaway data folder holding the demo content,
then loads each scenario the same way and prints requests/s, p50/p99 latency and the
ratio to the baseline: a view answering a fixed body through the same middleware, served
by the same server process (bench/urls.py). Results are also written to bench/results/.
Every request says ``Accept-Encoding: gzip, deflate, br``, as browsers do. Before the
load, one page of every kind (``PAGES``) is weighed as a browser receives it on a first
visit: the HTML and every stylesheet, script, icon and image it loads.
The exit code is non-zero if a scenario answered outside 2xx or lost a connection, if
the server left some of the connections unanswered (see connections_answered), or if a
page is over the 50 KB budget or loads something from another host.

    uv run python bench/run.py [--threads 1 2 4] [--connections 64] [--duration 10]
    uv run python bench/run.py --weigh-only     # the weights alone, no load
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import functools
import gzip
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

from convoca import cli

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
HOST = "127.0.0.1"
#: What every browser sends, so that each scenario is measured as browsers receive it.
ACCEPT_ENCODING = "gzip, deflate, br"


@dataclass(frozen=True)
class Scenario:
    """One URL loaded with GET on every connection, measured exactly like the baseline."""

    name: str
    path: str


BASELINE = Scenario("baseline", "/bench/fixed/")
# To add a figure, add a scenario; it gets its own warm-up, run and row.
SCENARIOS = [
    Scenario("home", "/en/"),
    Scenario("article", "/en/articles/end-the-sanctions/"),
    Scenario("fundraiser", "/en/donate/send-a-delegation/"),
    Scenario("appeal", "/en/actions/stop-the-blockade/"),
    Scenario("events", "/en/events/"),
]
#: DESIGN.md's page budget: under 50 KB transferred on first load (HTML, CSS, scripts,
#: icons and images), nothing from another host. Checked for one page of every kind, in
#: both languages where a kind's pages differ most, before the load runs: the run fails
#: if one is over.
PAGE_BUDGET_BYTES = 50 * 1024
PAGES = [
    Scenario("home", "/en/"),
    Scenario("home (es)", "/es/"),
    Scenario("article", "/en/articles/end-the-sanctions/"),
    Scenario("articles", "/en/articles/"),
    Scenario("press", "/en/in-the-media/"),
    Scenario("actions", "/en/actions/"),
    Scenario("appeal", "/en/actions/stop-the-blockade/"),
    Scenario("appeal (es)", "/es/acciones/fin-al-bloqueo/"),
    Scenario("pledge", "/en/actions/pledge-of-resistance/"),
    Scenario("open letter", "/en/actions/open-letter-trade-unionists/"),
    Scenario("endorsement", "/en/actions/endorse-the-joint-statement/"),
    Scenario("letter", "/en/letters/medicine-without-borders-act/"),
    Scenario(
        "letter, step two",
        "/en/letters/medicine-without-borders-act/?country=US&postal_code=85719",
    ),
    Scenario("letter results (es)", "/es/cartas/proposicion-humanitaria/resultados/"),
    Scenario("events", "/en/events/"),
    Scenario("events (es)", "/es/eventos/"),
    Scenario("event", "/en/events/rally-end-the-blockade-tucson/"),
    Scenario("webinar", "/en/events/series/solidarity-webinar/"),
    Scenario("week of action", "/en/campaigns/week-of-action/"),
    Scenario("week of action (es)", "/es/campanas/semana-de-accion/"),
    Scenario("host an event", "/en/campaigns/week-of-action/host/"),
    Scenario("weekly", "/en/weekly/1/"),
    Scenario("weekly list", "/en/weekly/"),
    Scenario("fundraisers", "/en/donate/"),
    Scenario("fundraiser", "/en/donate/send-a-delegation/"),
    Scenario("directory", "/en/organisations/"),
    Scenario("working groups", "/en/working-groups/"),
    Scenario("join", "/en/join-the-coalition/"),
    Scenario("search", "/en/search/?q=blockade"),
    Scenario("subscribe", "/en/lists/"),
    Scenario("contact", "/en/contact/"),
    Scenario("my data", "/en/my-data/"),
]


@dataclass
class Measurement:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class TimeLimitExceeded(Exception):
    pass


# --- Load generators ------------------------------------------------------------------


def wrk_find(*, install: bool) -> str | None:
    """Return wrk's path, installing it with apt-get first if allowed (CI starts clean)."""
    if found := shutil.which("wrk"):
        return found
    if not install or not shutil.which("apt-get") or os.geteuid() != 0:
        return None
    print("bench: installing wrk with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for commands in (
        [["apt-get", "install", "-y", "-qq", "wrk"]],
        [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]],
    ):
        try:
            for command in commands:
                subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"bench: {' '.join(command)} failed: {exc}", file=sys.stderr)
            continue
        if found := shutil.which("wrk"):
            return found
    return None


def wrk_version(wrk: str) -> str:
    # `wrk -v` prints its version and exits with status 1.
    run = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)
    return (run.stdout or run.stderr).split("[")[0].strip()


def wrk_measure(wrk: str, url: str, *, connections: int, seconds: int) -> Measurement:
    command = [
        wrk,
        "--threads",
        str(min(2, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--header",
        f"Accept-Encoding: {ACCEPT_ENCODING}",
        "--script",
        str(BENCH / "wrk_report.lua"),
        url,
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stderr or run.stdout}")
    line = next(x for x in run.stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Measurement(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
    )


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response, body included; return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for header in header_lines:
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        while await reader.readline() not in (b"\r\n", b""):
            pass
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return int(status_line.split()[1])


def _request(port: int, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"User-Agent: convoca-bench\r\nAccept: */*\r\nAccept-Encoding: {ACCEPT_ENCODING}\r\n\r\n"
    ).encode()


async def _python_load(url: str, connections: int, seconds: float) -> Measurement:
    parsed = urllib.parse.urlsplit(url)
    request = _request(parsed.port, parsed.path)
    latencies: list[float] = []
    counts = {"non_2xx": 0, "socket_errors": 0}
    start = time.perf_counter()
    deadline = start + seconds

    async def connection():
        while time.perf_counter() < deadline:
            writer = None
            try:
                reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
                while time.perf_counter() < deadline:
                    sent = time.perf_counter()
                    writer.write(request)
                    status = await asyncio.wait_for(_read_response(reader), 10)
                    latencies.append(time.perf_counter() - sent)
                    if not 200 <= status < 300:
                        counts["non_2xx"] += 1
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                counts["socket_errors"] += 1
                await asyncio.sleep(0.05)  # do not spin on a server that refuses
            finally:
                if writer is not None:
                    writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return Measurement(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(50) if latencies else 0.0,
        p99_ms=percentile(99) if latencies else 0.0,
        **counts,
    )


def python_measure(url: str, *, connections: int, seconds: float) -> Measurement:
    """A keep-alive HTTP/1.1 client on asyncio: no install, but it takes a core's share."""
    return asyncio.run(_python_load(url, connections, seconds))


ANSWER_TIMEOUT = 10


async def _answered(port: int, path: str, count: int) -> int:
    opened = await asyncio.gather(*(asyncio.open_connection(HOST, port) for _ in range(count)))
    try:
        for _reader, writer in opened:
            writer.write(_request(port, path))
        tasks = [asyncio.ensure_future(_read_response(reader)) for reader, _writer in opened]
        done, pending = await asyncio.wait(tasks, timeout=ANSWER_TIMEOUT)
        for task in pending:
            task.cancel()
        return sum(1 for task in done if not task.exception())
    finally:
        for _reader, writer in opened:
            writer.close()


def connections_answered(port: int, path: str, count: int) -> int:
    """Open ``count`` connections at once, send one request on each, count the answers.

    Browsers keep their connections open between pages. A server that caps open
    connections answers only some of them; a load generator cannot show that, because the
    connections it does get answered never fall idle and the others add no latency sample.
    """
    return asyncio.run(_answered(port, path, count))


# --- Page weight ------------------------------------------------------------------------


class _Assets(HTMLParser):
    """The stylesheets and scripts a page makes a browser load, and any absolute URL it loads."""

    def __init__(self):
        super().__init__()
        self.assets: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        rel = (values.get("rel") or "").split()
        if tag == "link" and ("stylesheet" in rel or "icon" in rel):
            self.assets.append(values.get("href") or "")
        elif tag == "script" and values.get("src"):
            self.assets.append(values["src"])
        elif tag == "img" and values.get("src"):
            self.images.append(values["src"])


def _get(port: int, path: str, encoding: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": encoding})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def page_weight(port: int, path: str) -> dict:
    """Bytes a first visit to ``path`` transfers: HTML, stylesheets, scripts, icons, images.

    Asked for with ``Accept-Encoding: gzip, deflate, br`` as a browser does, and counted as they
    come over the wire: ``as_served`` is what this server sends (Convoca gzips pages that
    hold no secret; whitenoise serves static files pre-compressed); ``html_gzip`` is the
    HTML's size once a compressing proxy in front gzips it, for comparison.
    """
    status, headers, body = _get(port, path, ACCEPT_ENCODING)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    html = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    parser = _Assets()
    parser.feed(html.decode("utf-8", errors="replace"))
    elsewhere = [
        url for url in parser.assets + parser.images if url.startswith(("http:", "https:", "//"))
    ]
    assets = {}
    for url in dict.fromkeys(parser.assets + parser.images):
        if url in elsewhere or url.startswith("data:"):
            continue
        asset_status, _headers, asset = _get(port, url, ACCEPT_ENCODING)
        if asset_status != 200:
            raise RuntimeError(f"{url} (from {path}) answered {asset_status}")
        assets[url] = len(asset)
    as_served = len(body) + sum(assets.values())
    html_gzip = len(gzip.compress(html, compresslevel=6))
    return {
        "path": path,
        "html_as_served": len(body),
        "html_encoding": headers.get("content-encoding", "identity"),
        "html_uncompressed": len(html),
        "html_gzip": html_gzip,
        "assets": assets,
        "as_served": as_served,
        "with_compressing_proxy": min(len(body), html_gzip) + sum(assets.values()),
        "images": len(parser.images),
        "other_hosts": elsewhere,
        "within_budget": as_served < PAGE_BUDGET_BYTES and not elsewhere,
    }


def page_weights(port: int) -> dict[str, dict]:
    """``page_weight`` of every page kind in ``PAGES``."""
    weights = {}
    for page in PAGES:
        try:
            weights[page.name] = page_weight(port, page.path)
        except RuntimeError as exc:
            weights[page.name] = {"path": page.path, "error": str(exc), "within_budget": False}
    return weights


def print_weights(weights: dict[str, dict]) -> None:
    print(
        f"\nFirst-load weight as a browser receives it (Accept-Encoding: {ACCEPT_ENCODING}); "
        f"budget {PAGE_BUDGET_BYTES // 1024} KB"
    )
    print(f"{'page':<20} {'path':<44} {'KB':>6} {'HTML KB':>8} {'files':>5}  verdict")
    for name, weight in weights.items():
        if "error" in weight:
            print(f"{name:<20} {weight['path']:<44} {weight['error']}")
            continue
        verdict = "within" if weight["within_budget"] else "OVER"
        if weight["other_hosts"]:
            verdict += f"; loads from other hosts: {weight['other_hosts']}"
        print(
            f"{name:<20} {weight['path']:<44} {weight['as_served'] / 1024:>6.1f} "
            f"{weight['html_as_served'] / 1024:>8.1f} {len(weight['assets']):>5}  {verdict} "
            f"({weight['html_encoding']}, {weight['html_uncompressed'] / 1024:.1f} KB unpacked)"
        )


# --- The server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def child_env(
    data_dir: Path, port: int, database_url: str | None = None, cache_url: str | None = None
) -> dict[str, str]:
    """The environment of the server and of the preparation: production, on throwaway data.

    Pinned here so that an exported DATABASE_URL or DEBUG cannot point the benchmark at
    real data or at the debug set-up; the children also run in the data folder, out of
    reach of a developer's .env. ``database_url`` and ``cache_url`` replace the SQLite file
    in the data folder and the in-memory cache (bench/signing.py --database, --cache-url).
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "CONVOCA_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url or f"sqlite:///{data_dir / 'convoca.sqlite3'}",
        "CACHE_URL": cache_url or "locmemcache://",  # the default of convoca/settings.py
        "DEBUG": "false",
        "SITE_URL": f"http://{HOST}:{port}",
    }


def prepare(data_dir: Path) -> None:
    """Migrate, collect static files and load the demo content, as `convoca demo` does."""
    subprocess.run(
        [sys.executable, "-m", "bench.prepare"],
        cwd=data_dir,
        env=child_env(data_dir, free_port()),
        check=True,
        timeout=600,
    )


def server_command(*, port: int, workers: int, threads: int, backpressure: int | None) -> list[str]:
    """The command `convoca serve` runs, serving bench.wsgi instead of convoca.wsgi.

    ``backpressure`` replaces the value `convoca serve` passes, to try others.
    """
    options = argparse.Namespace(
        host=HOST, port=port, workers=workers, threads=threads, no_worker=True
    )
    # Built by convoca.cli itself, so a change to `convoca serve` reaches the benchmark.
    command = cli._server_commands(options)["web server"]
    command[command.index("convoca.wsgi:application")] = "bench.wsgi:application"
    if backpressure is not None:
        if "--backpressure" in command:
            command[command.index("--backpressure") + 1] = str(backpressure)
        else:
            command += ["--backpressure", str(backpressure)]
    return command


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM even if this script is killed outright.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop(process: subprocess.Popen) -> None:
    """Stop granian and its workers (its own process group), forcibly if it lingers."""
    try:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def running_server(
    *,
    data_dir: Path,
    port: int,
    command: list[str],
    database_url: str | None = None,
    cache_url: str | None = None,
):
    log_path = data_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=data_dir,
            env=child_env(data_dir, port, database_url, cache_url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        try:
            wait_until_ready(process, port, log_path)
            yield process
        finally:
            stop(process)


def wait_until_ready(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the server stopped (exit code {process.returncode}):\n{log}")
        with contextlib.suppress(OSError):
            if http_status(port, "/health/") == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /health/ within 60 s")


def http_status(port: int, path: str) -> int:
    """One GET, redirects not followed: a scenario must answer 2xx itself."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


# --- A run ------------------------------------------------------------------------------


def measure_setting(*, data_dir: Path, threads: int, scenarios, measure, args) -> dict:
    """Start one server and measure the baseline, then each scenario, against it."""
    port = free_port()
    command = server_command(
        port=port, workers=args.workers, threads=threads, backpressure=args.backpressure
    )
    rows = []
    with running_server(data_dir=data_dir, port=port, command=command):
        answered = connections_answered(port, BASELINE.path, args.connections)
        weights = page_weights(port)
        for scenario in [BASELINE, *scenarios]:
            row = {"scenario": scenario.name, "path": scenario.path}
            rows.append(row)
            status = http_status(port, scenario.path)
            if not 200 <= status < 300:
                row["error"] = f"answered {status}"
                continue
            url = f"http://{HOST}:{port}{scenario.path}"
            if args.warmup > 0:
                measure(url, connections=args.connections, seconds=args.warmup)
            result = measure(url, connections=args.connections, seconds=args.duration)
            row.update(
                asdict(result),
                requests_per_second=result.requests_per_second,
            )
    baseline = rows[0].get("requests_per_second")
    for row in rows:
        if baseline and "requests_per_second" in row:
            row["ratio"] = row["requests_per_second"] / baseline
    return {
        "workers": args.workers,
        "threads": threads,
        "backpressure": int(command[command.index("--backpressure") + 1])
        if "--backpressure" in command
        else None,
        "server_command": " ".join(["python", *command[1:]]),
        "connections_answered": answered,
        "weights": weights,
        "rows": rows,
    }


def print_table(setting: dict, args, client: str) -> None:
    print(
        f"\ngranian WSGI, {setting['workers']} workers x {setting['threads']} threads "
        f"(backpressure {setting['backpressure']}); {args.connections} connections, "
        f"{args.duration} s per scenario after {args.warmup} s warm-up; client {client}"
    )
    print(
        f"{'scenario':<12} {'path':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'ratio':>6} {'non-2xx':>8} {'errors':>7}"
    )
    for row in setting["rows"]:
        if "error" in row:
            print(f"{row['scenario']:<12} {row['path']:<32} {row['error']}")
            continue
        ratio = f"{row['ratio']:.2f}" if "ratio" in row else "-"
        print(
            f"{row['scenario']:<12} {row['path']:<32} {row['requests_per_second']:>8.0f} "
            f"{row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {ratio:>6} "
            f"{row['non_2xx']:>8} {row['socket_errors']:>7}"
        )
    print_weights(setting["weights"])
    if setting["connections_answered"] < args.connections:
        print(
            f"Only {setting['connections_answered']} of {args.connections} connections opened "
            f"together were answered within {ANSWER_TIMEOUT} s: the others wait for a busy\n"
            f"connection to close, which the figures above do not show (with granian,\n"
            f"--backpressure caps the open connections of a worker, not its requests)."
        )


def failed(setting: dict, args) -> bool:
    return (
        setting["connections_answered"] < args.connections
        or any(
            "error" in row or row["non_2xx"] > 0 or row["socket_errors"] > 0
            for row in setting["rows"]
        )
        or any(not weight["within_budget"] for weight in setting["weights"].values())
    )


def machine() -> dict:
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg()[0],
    }


def run_bounded(body, *, time_limit: int, host: dict) -> int:
    """Run ``body()`` under a hard time limit; 0 when it finished, else an exit code.

    Shared by every bench script: warns when the machine is already busy,
    stops everything at the limit, on Ctrl-C or on SIGTERM (the caller's
    context managers stop the servers on the way out).
    """

    def time_up(*_args):
        raise TimeLimitExceeded

    def terminated(*_args):
        raise KeyboardInterrupt

    if host["load_average_at_start"] > 0.5:
        # Server and load generator share this machine's cores with everything else.
        print(
            f"bench: load average is {host['load_average_at_start']:.1f} before the run; "
            "figures will be low.",
            file=sys.stderr,
        )
    signal.signal(signal.SIGALRM, time_up)
    signal.signal(signal.SIGTERM, terminated)
    signal.alarm(time_limit)
    try:
        body()
    except TimeLimitExceeded:
        print(f"bench: stopped after the time limit of {time_limit} s.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted.", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.SubprocessError, OSError, KeyError) as exc:
        if isinstance(exc, subprocess.CalledProcessError) and exc.stderr:
            print(exc.stderr[-3000:], file=sys.stderr)
        print(f"bench: {exc!r}", file=sys.stderr)
        return 2
    finally:
        signal.alarm(0)
    return 0


def write_report(
    *, kind: str, script: str, argv, started, host: dict, client: str, args, **figures
) -> Path:
    """Write the run's figures, with what they were measured on, to bench/results/."""
    report = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join([f"uv run python {script}", *(sys.argv[1:] if argv is None else argv)]),
        "machine": host,
        "client": client,
        "versions": {
            "python": platform.python_version(),
            "django": version("django"),
            "granian": version("granian"),
        },
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        **figures,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{kind}-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nResults written to {path.relative_to(ROOT)}")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    serve_defaults = cli.build_parser().parse_args(["serve"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--connections",
        type=int,
        default=64,
        help="concurrent keep-alive connections (default: 64)",
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds measured per scenario (default: 10)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="seconds of unmeasured load before each scenario (default: 2)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=serve_defaults.workers,
        help=f"granian worker processes (default, as `convoca serve`: {serve_defaults.workers})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[serve_defaults.threads],
        help=f"request threads per worker; several values start one server "
        f"each (default, as `convoca serve`: {serve_defaults.threads})",
    )
    parser.add_argument(
        "--backpressure",
        type=int,
        help="granian's --backpressure per worker (default: what `convoca serve` passes)",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=[s.name for s in SCENARIOS],
        help="measure only this scenario (repeatable; default: all)",
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk (installed with apt-get if missing), the "
        "built-in Python client, or wrk when available (default)",
    )
    parser.add_argument(
        "--weigh-only",
        action="store_true",
        help="only weigh every page kind against the budget, without load (a few seconds)",
    )
    parser.add_argument(
        "--time-limit",
        type=int,
        help="stop everything after this many seconds (default: from the number of runs)",
    )
    args = parser.parse_args(argv)
    if args.connections < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--connections and --duration must be positive, --warmup not negative")
    return args


def weigh_only(args) -> int:
    """Weigh every page kind on a server with the demo content; 1 if one is over budget."""
    weights = {}

    def body():
        with tempfile.TemporaryDirectory(prefix="convoca-bench-") as tmp:
            data_dir = Path(tmp)
            prepare(data_dir)
            port = free_port()
            command = server_command(
                port=port, workers=1, threads=args.threads[0], backpressure=args.backpressure
            )
            with running_server(data_dir=data_dir, port=port, command=command):
                weights.update(page_weights(port))
        print_weights(weights)

    code = run_bounded(body, time_limit=args.time_limit or 900, host=machine())
    if code:
        return code
    if not all(weight["within_budget"] for weight in weights.values()):
        print("bench: a page is over its weight budget.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenarios = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]

    wrk = None if args.client == "python" else wrk_find(install=True)
    if wrk:
        client = wrk_version(wrk)
        measure = functools.partial(wrk_measure, wrk)
    elif args.client == "wrk":
        sys.exit("bench: wrk is not installed and could not be installed.")
    else:
        client = "python asyncio"
        measure = python_measure
    if args.client == "auto" and not wrk:
        print(
            "bench: wrk unavailable; using the Python client, which competes for the "
            "CPU, so figures are lower than with wrk.",
            file=sys.stderr,
        )

    per_scenario = args.warmup + args.duration + 10
    time_limit = args.time_limit or int(
        120 + len(args.threads) * (30 + (1 + len(scenarios)) * per_scenario)
    )

    host = machine()
    settings = []
    started = datetime.now(UTC)

    if args.weigh_only:
        return weigh_only(args)

    def body():
        with tempfile.TemporaryDirectory(prefix="convoca-bench-") as tmp:
            data_dir = Path(tmp)
            prepare(data_dir)
            for threads in args.threads:
                setting = measure_setting(
                    data_dir=data_dir,
                    threads=threads,
                    scenarios=scenarios,
                    measure=measure,
                    args=args,
                )
                settings.append(setting)
                print_table(setting, args, client)

    code = run_bounded(body, time_limit=time_limit, host=host)
    if code:
        return code
    write_report(
        kind="bench",
        script="bench/run.py",
        argv=argv,
        started=started,
        host=host,
        client=client,
        args=args,
        settings=settings,
    )
    if any(failed(setting, args) for setting in settings):
        print(
            "bench: a scenario answered outside 2xx or lost connections, the server "
            "left connections unanswered, or a page is over its weight budget.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
