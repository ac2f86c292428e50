"""Signing benchmark: signing requests/s as a ratio to a one-INSERT view, and a row count.

For each database asked for (SQLite in the data folder, or a fresh PostgreSQL database),
prepares a throwaway data folder (demo content, an open appeal, the baseline's table),
starts the production web server as bench/run.py does (granian in WSGI mode with the
flags of ``convoca serve``, DEBUG off, bench.settings), then POSTs form-encoded bodies with
a unique email on every request, from 64 connections on 127.0.0.1:

- baseline: ``/bench/insert/``, a bare view that stores the email with one INSERT
  (bench/urls.py), acknowledged by 200;
- signing: ``/en/actions/bench-signing/sign/``, acknowledged by the 302 to the thank-you
  page; any other status is a failure.

Each round measures the baseline, then signing; the first round warms both up. The load
generator stops sending at the end of a window and waits for every answer, so the rows
can be counted exactly. After the load, the intakes the signing requests stored are
recorded as the task worker would record them (timed: the worker's rate), then the
stored rows must equal the acknowledged responses: signatures, distinct signers, new
people, queued confirmation emails, and the baseline's rows. The exit code is 1 when they
do not, or when a request failed or went unanswered; 2 when the run could not be made.
Missing the budget is reported, not an error. See docs/benchmarks.md.

    uv run python bench/signing.py [--database sqlite postgres] [--rounds 5] [--worker]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import run
from bench.prepare import SIGNING_SLUG
from convoca import cli

HOST = run.HOST
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/convoca_bench_signing"
DRAIN_SECONDS = 3
RESPONSE_TIMEOUT = 10

#: What a visitor without JavaScript sends: required fields, the honeypot empty, no
#: proof of work, no consent ticked, no optional question answered.
SIGN_FORM = {
    "given_name": "Ana",
    "family_name": "Bench",
    "email": "bench-BENCHID@example.org",
    "country": "FR",
    "website": "",
    "pow": "",
}


@dataclass(frozen=True)
class PostScenario:
    """POSTs of ``body`` (BENCHID made unique per request), acknowledged by ``ok_status``."""

    name: str
    path: str
    ok_status: int
    body: str


BASELINE = PostScenario(
    "insert", "/bench/insert/", 200, urllib.parse.urlencode({"email": SIGN_FORM["email"]})
)
SIGNING = PostScenario(
    "signing", f"/en/actions/{SIGNING_SLUG}/sign/", 302, urllib.parse.urlencode(SIGN_FORM)
)


@dataclass
class PostMeasurement:
    sent: int
    acked: int
    failed: int
    responses: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    other_status: int
    #: CPU time the server's processes spent per acknowledged request (see server_cpu).
    server_cpu_ms: float | None = None

    @property
    def per_second(self) -> float:
        return self.acked / self.seconds if self.seconds else 0.0

    @property
    def unanswered(self) -> int:
        return self.sent - self.responses


# --- Load generators ------------------------------------------------------------------


def wrk_post(
    wrk: str,
    url: str,
    scenario: PostScenario,
    tag: str,
    *,
    connections: int,
    seconds: int,
    client_header: str | None = None,
) -> PostMeasurement:
    """wrk with bench/wrk_post.lua: a unique body per request, answers awaited at the end.

    ``client_header``: every request also carries its own client address in this header
    (bench/signing_e2e.py: each request another visitor).
    """
    command = [
        wrk,
        "--threads",
        str(min(2, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{seconds + DRAIN_SECONDS}s",
        "--timeout",
        f"{RESPONSE_TIMEOUT}s",
        "--script",
        str(run.BENCH / "wrk_post.lua"),
        url,
        "--",
        tag,
        str(seconds),
        str(scenario.ok_status),
        scenario.body,
        *([client_header] if client_header else []),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures: {done.stderr or done.stdout}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return PostMeasurement(
        sent=data["sent"],
        acked=data["acked"],
        failed=data["failed"],
        responses=data["responses"],
        seconds=data["window_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        socket_errors=data["socket_errors"],
        other_status=data["other_status"],
    )


async def _python_post(
    url: str, scenario: PostScenario, tag: str, connections: int, seconds: float
) -> PostMeasurement:
    parsed = urllib.parse.urlsplit(url)
    head = (
        f"POST {parsed.path} HTTP/1.1\r\nHost: {HOST}:{parsed.port}\r\n"
        "User-Agent: convoca-bench\r\nAccept: */*\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Origin: http://{HOST}:{parsed.port}\r\nSec-Fetch-Site: same-origin\r\n"
    )
    latencies: list[float] = []
    counts = {"sent": 0, "acked": 0, "failed": 0, "socket_errors": 0, "other_status": 0}
    start = time.perf_counter()
    deadline = start + seconds
    last = start

    async def connection(number: int):
        nonlocal last
        sequence = 0
        while time.perf_counter() < deadline:
            writer = None
            try:
                reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
                while time.perf_counter() < deadline:
                    sequence += 1
                    body = scenario.body.replace("BENCHID", f"{tag}-{number}-{sequence}")
                    sent = time.perf_counter()
                    counts["sent"] += 1
                    writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n{body}".encode())
                    status = await asyncio.wait_for(run._read_response(reader), RESPONSE_TIMEOUT)
                    last = time.perf_counter()
                    latencies.append(last - sent)
                    if status == scenario.ok_status:
                        counts["acked"] += 1
                    else:
                        counts["failed"] += 1
                        counts["other_status"] = status
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                counts["socket_errors"] += 1
                await asyncio.sleep(0.05)
            finally:
                if writer is not None:
                    writer.close()

    await asyncio.gather(*(connection(n) for n in range(connections)))
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return PostMeasurement(
        responses=len(latencies),
        seconds=last - start,
        p50_ms=percentile(50),
        p99_ms=percentile(99),
        max_ms=percentile(100),
        **counts,
    )


def python_post(
    url: str, scenario: PostScenario, tag: str, *, connections: int, seconds: int
) -> PostMeasurement:
    """The built-in asyncio client: no install, but it takes a share of the server's CPU."""
    return asyncio.run(_python_post(url, scenario, tag, connections, seconds))


def server_cpu(group: int) -> float | None:
    """CPU seconds used so far by the processes of a process group (granian and its workers).

    Other load on a shared machine moves requests/s a lot and this much less, so it tells
    what a request costs. Linux only (None elsewhere); a database server's own CPU (for
    PostgreSQL, its backends) is not counted.
    """
    total = 0
    try:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # The command name may hold spaces: the fields that follow it are counted
                # from its closing parenthesis. pgrp is field 5, utime and stime 14 and 15.
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[2]) == group:
                    total += int(fields[11]) + int(fields[12])
    except OSError:
        return None
    return total / os.sysconf("SC_CLK_TCK") if total else None


# --- Databases --------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_database(url: str, *, keep: bool = False):
    """Create the database named in ``url`` afresh, and drop it afterwards unless ``keep``."""
    import psycopg
    from psycopg import sql

    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))

    def execute(statement):
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    try:
        execute(drop)
        execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise RuntimeError(f"cannot create the PostgreSQL database {name}: {exc}") from exc
    try:
        yield url
    finally:
        if not keep:
            with contextlib.suppress(psycopg.Error):
                execute(drop)


def database_url(database: str, data_dir: Path, args) -> contextlib.AbstractContextManager:
    if database == "postgres":
        return postgres_database(args.postgres_url)
    return contextlib.nullcontext(f"sqlite:///{data_dir / 'convoca.sqlite3'}")


def manage(data_dir: Path, url: str, *arguments: str, cache_url: str | None = None) -> dict:
    """Run bench.prepare in a child with the server's environment; return its JSON line.

    No timeout of its own: recording the intakes takes as long as it takes, and the
    run's --time-limit stops everything anyway.
    """
    done = subprocess.run(
        [sys.executable, "-m", "bench.prepare", *arguments],
        cwd=data_dir,
        env=run.child_env(data_dir, run.free_port(), url, cache_url),
        check=True,
        capture_output=True,
        text=True,
    )
    lines = done.stdout.splitlines()
    for line in lines:
        if not line.startswith("BENCH_JSON "):
            print(line)
    return next(
        (json.loads(x.removeprefix("BENCH_JSON ")) for x in lines if x.startswith("BENCH_JSON ")),
        {},
    )


@contextlib.contextmanager
def task_worker(*, data_dir: Path, url: str, args):
    """The task worker `convoca serve` starts beside the web server, if asked (--worker)."""
    if not args.worker:
        yield None
        return
    options = argparse.Namespace(host=HOST, port=0, workers=1, threads=1, no_worker=False)
    command = cli._server_commands(options)["task worker"]
    command[command.index("convoca.settings")] = "bench.settings"
    with (data_dir / "worker.log").open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=data_dir,
            env=run.child_env(data_dir, run.free_port(), url, args.cache_url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=run._die_with_parent if sys.platform == "linux" else None,
        )
        try:
            yield process
        finally:
            run.stop(process)


# --- A run ------------------------------------------------------------------------------


def measure_database(*, database: str, measure, args) -> dict:
    """Prepare a database, serve it, load the baseline then the signing view, count rows.

    Each round measures the baseline, then the signing view, against the same server;
    the first round warms each of them up first. The summary takes the median over the
    rounds: of each rate, latency percentile and ratio (one round's ratio divides the
    signing rate by the baseline measured just before it).
    """
    scenarios = (BASELINE, SIGNING)
    with (
        tempfile.TemporaryDirectory(prefix="convoca-bench-signing-") as tmp,
        database_url(database, Path(tmp), args) as url,
    ):
        data_dir = Path(tmp)
        step = ["signing", *(["--count-on-submit"] if args.count_on_submit else [])]
        before = manage(data_dir, url, *step, cache_url=args.cache_url)
        port = run.free_port()
        command = run.server_command(
            port=port, workers=args.workers, threads=args.threads, backpressure=None
        )
        run_tag = secrets.token_hex(3)
        warmups: dict[str, PostMeasurement] = {}
        rounds: list[dict[str, PostMeasurement]] = []
        with (
            run.running_server(
                data_dir=data_dir,
                port=port,
                command=command,
                database_url=url,
                cache_url=args.cache_url,
            ) as server,
            task_worker(data_dir=data_dir, url=url, args=args) as worker,
        ):
            worker_cpu_start = server_cpu(worker.pid) if worker else None

            def load(scenario: PostScenario, tag: str, seconds: int) -> PostMeasurement:
                before = server_cpu(server.pid)
                result = measure(
                    f"http://{HOST}:{port}{scenario.path}",
                    scenario,
                    f"{run_tag}-{tag}",
                    connections=args.connections,
                    seconds=seconds,
                )
                after = server_cpu(server.pid)
                if before is not None and after is not None and result.acked:
                    result.server_cpu_ms = (after - before) * 1000 / result.acked
                return result

            for number in range(1, args.rounds + 1):
                measured = {}
                for scenario in scenarios:
                    if number == 1 and args.warmup > 0:
                        warmups[scenario.name] = load(scenario, f"{scenario.name[0]}w", args.warmup)
                    measured[scenario.name] = load(
                        scenario, f"{scenario.name[0]}{number}", args.duration
                    )
                rounds.append(measured)
            if worker and worker.poll() is not None:
                raise RuntimeError(f"the task worker stopped (exit code {worker.returncode})")
            worker_cpu = (
                server_cpu(worker.pid) - (worker_cpu_start or 0)
                if worker and server_cpu(worker.pid) is not None
                else None
            )
        stored = manage(data_dir, url, "count", cache_url=args.cache_url)

    def row(m: PostMeasurement) -> dict:
        return {**asdict(m), "per_second": m.per_second, "unanswered": m.unanswered}

    totals = {}
    for scenario in scenarios:
        runs = [m for m in (warmups.get(scenario.name), *(r[scenario.name] for r in rounds)) if m]
        totals[scenario.name] = {
            "sent": sum(m.sent for m in runs),
            "acked": sum(m.acked for m in runs),
            "failed": sum(m.failed for m in runs),
            "unanswered": sum(m.unanswered for m in runs),
            "socket_errors": sum(m.socket_errors for m in runs),
            "other_status": next((m.other_status for m in runs if m.other_status), 0),
        }
    ratios = [r["signing"].per_second / r["insert"].per_second for r in rounds]
    summary = {
        name: {
            key: statistics.median(getattr(r[name], key) for r in rounds)
            for key in ("per_second", "p50_ms", "p99_ms")
        }
        for name in ("insert", "signing")
    }
    summary["ratio"] = statistics.median(ratios)
    if all(m.server_cpu_ms for r in rounds for m in r.values()):
        for name in ("insert", "signing"):
            summary[name]["server_cpu_ms"] = statistics.median(
                r[name].server_cpu_ms for r in rounds
            )
        # What the ratio tends to when the server has the CPU to itself.
        summary["cpu_ratio"] = statistics.median(
            r["insert"].server_cpu_ms / r["signing"].server_cpu_ms for r in rounds
        )
    acked = totals["signing"]["acked"]
    checks = {
        # When the request stores an intake and a worker records the signature later, what
        # was stored when the load ended is intakes plus any signatures already recorded.
        "stored at the end of the load == acknowledged": (
            stored["intakes_waiting"] + stored["signatures_at_end_of_load"],
            acked,
        ),
        "intakes left after recording == 0": (stored.get("intakes_left", 0), 0),
        "signatures == acknowledged": (stored["signatures"], acked),
        "distinct signers == signatures": (stored["signature_persons"], stored["signatures"]),
        "new people == signatures": (stored["persons"] - before["persons"], stored["signatures"]),
        "confirmation emails queued == signatures": (
            stored["confirmation_tasks"],
            stored["signatures"],
        ),
        "distinct confirmation emails queued == queued": (
            stored.get("confirmation_distinct", stored["confirmation_tasks"]),
            stored["confirmation_tasks"],
        ),
        "baseline rows == acknowledged": (stored["inserted"], totals["insert"]["acked"]),
        "baseline distinct emails == rows": (stored["inserted_distinct"], stored["inserted"]),
    }
    if args.count_on_submit:
        checks["counted == signatures"] = (stored["signatures_counted"], stored["signatures"])
    if stored.get("intakes_processed"):
        summary["worker_per_second"] = (
            stored["intakes_processed"] / stored["intakes_process_seconds"]
        )
        summary["worker_cpu_ms"] = (
            stored["intakes_process_cpu_seconds"] * 1000 / stored["intakes_processed"]
        )
    return {
        "database": database,
        "database_url": url if database == "postgres" else "sqlite:///<data folder>",
        "count_on_submit": args.count_on_submit,
        "task_worker": args.worker,
        "task_worker_cpu_seconds": worker_cpu,
        "cache_url": args.cache_url or "locmemcache://",
        "workers": args.workers,
        "threads": args.threads,
        "server_command": " ".join(["python", *command[1:]]),
        "summary": summary,
        "rounds": [
            {**{name: row(m) for name, m in r.items()}, "ratio": ratio}
            for r, ratio in zip(rounds, ratios, strict=True)
        ],
        "warmup": {name: row(m) for name, m in warmups.items()},
        "totals": totals,
        "stored": stored,
        "persons_before": before["persons"],
        "checks": {name: {"stored": a, "expected": b} for name, (a, b) in checks.items()},
        "budget_met": summary["ratio"] >= 0.5 and summary["signing"]["p99_ms"] < 100,
    }


def print_result(result: dict, args, client: str) -> None:
    print(
        f"\n{result['database']}: granian WSGI, {result['workers']} workers x "
        f"{result['threads']} threads; {args.connections} connections, {args.rounds} x "
        f"{args.duration} s measured per scenario after {args.warmup} s warm-up; "
        f"client {client}; count_on_submit={result['count_on_submit']}; "
        f"cache {result['cache_url']}; task worker "
        f"{'running' if result['task_worker'] else 'stopped'} during the load"
    )
    print(
        f"{'round':<6} {'scenario':<9} {'path':<34} {'per s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'ratio':>6} {'CPU ms':>7} {'acked':>7}"
    )

    def cpu(m: dict) -> str:
        return f"{m['server_cpu_ms']:.2f}" if m.get("server_cpu_ms") else "-"

    for number, measured in enumerate(result["rounds"], 1):
        for name, path in (("insert", BASELINE.path), ("signing", SIGNING.path)):
            m = measured[name]
            ratio = f"{measured['ratio']:.3f}" if name == "signing" else "1"
            print(
                f"{number:<6} {name:<9} {path:<34} {m['per_second']:>7.0f} {m['p50_ms']:>7.1f} "
                f"{m['p99_ms']:>7.1f} {ratio:>6} {cpu(m):>7} {m['acked']:>7}"
            )
    summary = result["summary"]
    for name, path in (("insert", BASELINE.path), ("signing", SIGNING.path)):
        m = summary[name]
        ratio = f"{summary['ratio']:.3f}" if name == "signing" else "1"
        print(
            f"{'median':<6} {name:<9} {path:<34} {m['per_second']:>7.0f} {m['p50_ms']:>7.1f} "
            f"{m['p99_ms']:>7.1f} {ratio:>6} {cpu(m):>7}"
        )
    if "cpu_ratio" in summary:
        print(
            f"  CPU ms: the server's CPU time per acknowledged request; the baseline's over "
            f"the signing's: {summary['cpu_ratio']:.3f}"
        )
    stored = result["stored"]
    if result["task_worker"]:
        print(
            f"  The task worker recorded {stored['signatures_at_end_of_load']} signatures during "
            f"the load, using {result['task_worker_cpu_seconds'] or 0:.1f} s of CPU; "
            f"{stored['intakes_waiting']} intakes were waiting at the end"
        )
    if "worker_per_second" in summary:
        print(
            f"  Afterwards, one process recorded the {stored['intakes_processed']} waiting "
            f"intakes as the task worker does: {summary['worker_per_second']:.0f} "
            f"signatures/s, {summary['worker_cpu_ms']:.2f} ms CPU each"
        )
    for name, total in result["totals"].items():
        print(
            f"  {name}, warm-up included: {total['sent']} sent, {total['acked']} acknowledged, "
            f"{total['failed']} failed, {total['unanswered']} unanswered, "
            f"{total['socket_errors']} socket errors"
        )
    for name, check in result["checks"].items():
        mark = "ok" if check["stored"] == check["expected"] else "MISMATCH"
        print(f"  {name}: {check['stored']} / {check['expected']} {mark}")
    for line, passed, detail in budget_lines(result):
        print(f"  {'PASS' if passed else 'FAIL'}  {result['database']}: {line} ({detail})")


def budget_lines(result: dict) -> list[tuple[str, bool, str]]:
    """The budget of DESIGN.md, line by line: (what, met, the figure)."""
    summary = result["summary"]
    checks = result["checks"]
    twice = [
        name
        for name in (
            "distinct signers == signatures",
            "new people == signatures",
            "distinct confirmation emails queued == queued",
            "baseline distinct emails == rows",
        )
        if name in checks and checks[name]["stored"] != checks[name]["expected"]
    ]
    # Lost: fewer stored than acknowledged. More stored than acknowledged is a request
    # the server took whose answer came after the client stopped waiting (unanswered):
    # the exit code reports it, but nothing acknowledged was lost.
    lost = [
        name
        for name in (
            "stored at the end of the load == acknowledged",
            "signatures == acknowledged",
            "confirmation emails queued == signatures",
        )
        if checks[name]["stored"] < checks[name]["expected"]
    ]
    totals = result["totals"]["signing"]
    if checks["signatures == acknowledged"]["stored"] > totals["sent"]:
        twice.append("more signatures than requests sent")
    return [
        (
            "signing per s >= 0.50 x the one-INSERT baseline",
            summary["ratio"] >= 0.5,
            f"ratio {summary['ratio']:.3f}, median of {len(result['rounds'])} rounds; "
            f"CPU ratio {summary.get('cpu_ratio', 0):.3f}",
        ),
        (
            "signing p99 < 100 ms at the connections given",
            summary["signing"]["p99_ms"] < 100,
            f"p99 {summary['signing']['p99_ms']:.0f} ms, p50 {summary['signing']['p50_ms']:.0f}",
        ),
        (
            "every acknowledged signature stored",
            not lost,
            f"{checks['signatures == acknowledged']['stored']} recorded for "
            f"{totals['acked']} acknowledged of {totals['sent']} sent"
            + (f", {totals['unanswered']} answered too late" if totals["unanswered"] else "")
            + (f"; {', '.join(lost)}" if lost else ""),
        ),
        (
            "none stored twice",
            not twice,
            "one signer, one person, one confirmation email per signature"
            + (f"; FAILED: {', '.join(twice)}" if twice else ""),
        ),
    ]


def failures(result: dict) -> list[str]:
    found = [
        f"{name}: {check['stored']} stored, {check['expected']} expected"
        for name, check in result["checks"].items()
        if check["stored"] != check["expected"]
    ]
    for name, total in result["totals"].items():
        if total["failed"] or total["unanswered"] or total["socket_errors"]:
            found.append(
                f"{name}: {total['failed']} failed (last other status "
                f"{total['other_status'] or '-'}), {total['unanswered']} unanswered, "
                f"{total['socket_errors']} socket errors"
            )
    return [f"{result['database']}: {x}" for x in found]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    serve_defaults = cli.build_parser().parse_args(["serve"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        nargs="+",
        choices=["sqlite", "postgres"],
        default=["sqlite"],
        help="databases to measure, each in a fresh database (default: sqlite)",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help=f"the PostgreSQL database to create, use and drop (default: {POSTGRES_URL})",
    )
    parser.add_argument(
        "--cache-url",
        help="the server's CACHE_URL, where the rate limiter counts (default: "
        "locmemcache://, the default of `convoca serve`)",
    )
    parser.add_argument(
        "--worker",
        action="store_true",
        help="run the task worker during the load, as `convoca serve` does (default: "
        "stopped; the waiting intakes are recorded after the load)",
    )
    parser.add_argument(
        "--count-on-submit",
        action="store_true",
        help="sign an appeal that counts at once (default: counted on confirmation)",
    )
    parser.add_argument("--connections", type=int, default=64, help="(default: 64)")
    parser.add_argument(
        "--duration", type=int, default=5, help="seconds measured per scenario (default: 5)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="baseline-then-signing measurements per database, alternating, so that other "
        "load on the machine weighs on both alike; the medians are reported (default: 3)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="seconds of warm-up per scenario, before the first round (default: 2)",
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
        default=serve_defaults.threads,
        help=f"request threads per worker (default, as `convoca serve`: {serve_defaults.threads})",
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (default: wrk when available, else the Python client)",
    )
    parser.add_argument("--time-limit", type=int, help="stop everything after this many seconds")
    args = parser.parse_args(argv)
    if args.connections < 1 or args.duration <= 0 or args.rounds < 1 or args.warmup < 0:
        parser.error(
            "--connections, --duration and --rounds must be positive, --warmup not negative"
        )
    args.database = list(dict.fromkeys(args.database))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = None if args.client == "python" else run.wrk_find(install=True)
    if wrk:
        client = run.wrk_version(wrk)
        measure = functools.partial(wrk_post, wrk)
    elif args.client == "wrk":
        sys.exit("bench: wrk is not installed and could not be installed.")
    else:
        client = "python asyncio"
        measure = python_post
        if args.client == "auto":
            print(
                "bench: wrk unavailable; using the Python client, which competes for the "
                "CPU, so figures are lower than with wrk.",
                file=sys.stderr,
            )

    # Preparing takes about a minute. Afterwards, recording the waiting intakes in one
    # process runs at a fraction of the rate they were accepted: allow ten times the load.
    signing_load = args.warmup + args.rounds * args.duration
    per_database = (
        300
        + 2 * (args.warmup + DRAIN_SECONDS + args.rounds * (args.duration + DRAIN_SECONDS + 10))
        + 10 * signing_load
    )
    time_limit = args.time_limit or per_database * len(args.database)

    host = run.machine()
    started = datetime.now(UTC)
    results = []

    def body():
        for database in args.database:
            result = measure_database(database=database, measure=measure, args=args)
            results.append(result)
            print_result(result, args, client)

    code = run.run_bounded(body, time_limit=time_limit, host=host)
    if code:
        return code
    run.write_report(
        kind="signing",
        script="bench/signing.py",
        argv=argv,
        started=started,
        host=host,
        client=client,
        args=args,
        databases=results,
    )
    print("\nBudget (DESIGN.md), on a machine that may be shared:")
    for result in results:
        for line, passed, detail in budget_lines(result):
            print(f"  {'PASS' if passed else 'FAIL'}  {result['database']}: {line} ({detail})")
    problems = [problem for result in results for problem in failures(result)]
    for problem in problems:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
