"""Import memory benchmark: an Action Network export of a million rows in constant memory.

Issue 15: "Streams: 1,000,000 rows in constant memory"; "an Action Network export of
100,000 generated rows imports with a progress bar, and again with no change. Figures:
the import's rows/s and peak memory in docs/benchmarks.md."

Generates an Action Network activists export (its columns: ``uuid``, ``first_name``,
``last_name``, ``email``, ``zip_code``, ``can2_user_address``, ``can2_user_city``,
``can2_state_abbreviated``, ``country``, ``language``, ``can2_phone``,
``can2_subscription_status``, ``can2_user_tags``) of ``--small`` rows and of ``--rows``
rows, written to disk as it is made: about 3% unsubscribed, 1% bad addresses, 1% an
address repeated from earlier in the file, names with accents, a few formula cells.
Each size is imported in a process of its own, against a fresh database (SQLite in a
throwaway data folder, or ``--database postgres``), through the same services the admin
uses: ``person_import_create`` (the upload encrypted to disk, then the preview's reading
pass), ``person_import_confirm`` (the import, batch by batch), then the same file a second
time, which must add no one, record no consent and change no row.

It prints, for each size, rows/s of the preview pass and of the import, the figures of
the report, and the process's peak resident set (``VmHWM``) against its size after
Django started; then the ratio of the large run's peak to the small run's. Constant
memory means a ratio near 1 (budget: at most 1.5). The upload through the web server is
not part of it: Django writes an upload larger than 2.5 MB to a temporary file, chunk by
chunk, and the import reads that file the same way.

    uv run python bench/import_memory.py                      # 10,000 and 1,000,000 rows
    uv run python bench/import_memory.py --rows 100000        # a quicker try
    uv run python bench/import_memory.py --database postgres  # PostgreSQL (127.0.0.1)
    uv run python bench/import_memory.py --again small        # the large file imported once

The machine is shared: run the million once. Results go to bench/results/import-*.json.
The exit code is 1 when a count is wrong or the second import changed something, 0
otherwise; the memory ratio is printed as PASS or FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/convoca_import_bench"
MEMORY_RATIO_BUDGET = 1.5

HEADER = [
    "uuid", "first_name", "last_name", "email", "zip_code", "can2_user_address",
    "can2_user_city", "can2_state_abbreviated", "country", "language", "can2_phone",
    "can2_subscription_status", "can2_user_tags",
]  # fmt: skip
GIVEN = ["Ana", "José", "María", "Łukasz", "Zoë", "Kwame", "Nguyễn", "Siobhán", "Ana María"]
FAMILY = ["García", "Núñez", "O'Brien", "Smith", "Müller", "Da Silva", "Ng", "Kowalski"]
CITIES = [("Tucson", "AZ", "US", "en"), ("Madrid", "", "ES", "es"), ("Lima", "", "PE", "es"),
          ("Glasgow", "", "GB", "en"), ("Ciudad de México", "", "MX", "es")]  # fmt: skip


def file_generate(path: Path, rows: int, *, seed: int = 15) -> dict:
    """Write an Action Network export of ``rows`` rows; return what an import must find."""
    rng = random.Random(seed)
    expected = {"rows": rows, "skipped": 0, "repeated": 0, "subscribed_unique": 0}
    subscribed: set[int] = set()
    recent: deque[int] = deque(maxlen=1000)  # people of earlier rows, to repeat
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            roll = rng.random()
            person = n
            status = "unsubscribed" if rng.random() < 0.03 else "subscribed"
            if roll < 0.01:
                email = f"not-an-address-{n}"
                expected["skipped"] += 1
            elif roll < 0.02 and recent:
                # An address seen earlier in the file, this time subscribed: it
                # merges, and gives a consent only if the earlier row did not.
                person = rng.choice(recent)
                email = f"activist{person}@example.org"
                status = "subscribed"
                expected["repeated"] += 1
            else:
                email = f"activist{n}@example.org"
                recent.append(n)
            city, state, country, language = CITIES[n % len(CITIES)]
            given = "=cmd|' /C calc'!A0" if n % 5000 == 7 else GIVEN[n % len(GIVEN)]
            if "@" in email and status == "subscribed":
                subscribed.add(person)
            writer.writerow(
                [
                    f"action_network:{n:08x}-0000-4000-8000-000000000000",
                    given,
                    FAMILY[(n // 7) % len(FAMILY)],
                    email,
                    f"{10000 + n % 89999}",
                    f"{n % 900 + 1} Calle Mayor",
                    city,
                    state,
                    country,
                    language,
                    f"+1 520 555 {n % 10000:04d}",
                    status,
                    "volunteer, newsletter",
                ]
            )
    expected["subscribed_unique"] = len(subscribed)
    subscribed.clear()
    expected["people"] = rows - expected["skipped"] - expected["repeated"]
    return expected


# --- The child process: one import, measured ----------------------------------------------


def _status_kb(field: str) -> int | None:
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def child(path: Path, *, again: bool = True) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoca.settings")
    os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
    django.setup()
    import logging

    logging.getLogger("django.tasks").setLevel(logging.WARNING)

    from django.core.files import File
    from django.core.management import call_command
    from django.db.models import Max

    from convoca.organisations.models import Membership, Organisation
    from convoca.organisations.services import staff_member_create
    from convoca.people.imports import person_import_confirm, person_import_create
    from convoca.people.models import Consent, Person, PersonImport

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(
        name="Solidarity Network Tucson", slug="snt", country="US", status="active"
    )
    user = staff_member_create(
        username="organiser",
        email="organiser@example.org",
        password="a-long-bench-password",
        role=Membership.Role.ORGANISER,
        organisation=organisation,
    )

    def one_import() -> dict:
        started = time.perf_counter()
        cpu_started = time.process_time()
        with path.open("rb") as handle:
            person_import = person_import_create(
                organisation=organisation,
                user=user,
                file_format=PersonImport.Format.ACTION_NETWORK,
                upload=File(handle, name="activists.csv"),
                language="en",
            )
        analysed = time.perf_counter()
        cpu_analysed = time.process_time()
        person_import.refresh_from_db()
        assert person_import.status == PersonImport.Status.READY, person_import.status
        person_import_confirm(person_import=person_import)
        finished = time.perf_counter()
        cpu_finished = time.process_time()
        person_import.refresh_from_db()
        rows = person_import.total_rows
        return {
            "status": person_import.status,
            "rows": rows,
            "preview": {
                "new": person_import.preview_new,
                "merged": person_import.preview_merged,
                "skipped": person_import.preview_skipped,
                "subscribed": person_import.preview_consents,
            },
            "report": {
                "created": person_import.created,
                "merged": person_import.merged,
                "skipped": person_import.skipped,
                "consents": person_import.consents,
                "unsubscribed": person_import.unsubscribed,
            },
            "store_and_preview_seconds": round(analysed - started, 2),
            "store_and_preview_rows_per_second": round(rows / (analysed - started)),
            "import_seconds": round(finished - analysed, 2),
            "import_rows_per_second": round(rows / (finished - analysed)),
            # On a shared machine the process waits for a core: its own CPU time says
            # what the import costs, apart from the neighbours.
            "store_and_preview_cpu_seconds": round(cpu_analysed - cpu_started, 2),
            "import_cpu_seconds": round(cpu_finished - cpu_analysed, 2),
            "import_rows_per_cpu_second": round(rows / max(0.01, cpu_finished - cpu_analysed)),
        }

    baseline = _status_kb("VmRSS")
    first = one_import()
    peak_first = _status_kb("VmHWM")

    def state():
        return {
            "people": Person.objects.count(),
            "people_last_change": str(Person.objects.aggregate(last=Max("updated_at"))["last"]),
            "consents": Consent.objects.count(),
            "consents_in_force": Consent.objects.filter(withdrawn_at__isnull=True).count(),
        }

    before = state()
    second = one_import() if again else None
    return {
        "first": first,
        "again": second,
        "state_after_first": before,
        "state_after_again": state(),
        "rss_after_setup_kb": baseline,
        "rss_peak_kb": peak_first,
        "rss_peak_growth_kb": peak_first - baseline,
        "rss_peak_both_kb": _status_kb("VmHWM"),
    }


# --- The parent: two sizes, compared ------------------------------------------------------


def run_size(rows: int, args, *, again: bool) -> dict:
    from bench.signing import postgres_database

    with tempfile.TemporaryDirectory(prefix="convoca-import-bench-") as folder:
        data_dir = Path(folder)
        path = data_dir / "activists.csv"
        started = time.perf_counter()
        expected = file_generate(path, rows)
        print(
            f"{rows:>9,} rows: file of {path.stat().st_size / 1e6:,.1f} MB written in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        database = (
            postgres_database(args.postgres_url)
            if args.database == "postgres"
            else contextlib.nullcontext(f"sqlite:///{data_dir / 'convoca.sqlite3'}")
        )
        with database as url:
            env = {
                **os.environ,
                "CONVOCA_DATA_DIR": str(data_dir / "data"),
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "convoca.settings",
                "PYTHONPATH": str(ROOT),
            }
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(path),
                    *([] if again else ["--no-again"]),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"the import of {rows} rows failed")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    result["expected"] = expected
    return result


def check(result: dict) -> list[str]:
    """What a correct import must show; an empty list if it does."""
    errors = []
    expected, first, again = result["expected"], result["first"], result["again"]
    rows = expected["rows"]
    if first["status"] != "done":
        errors.append(f"{rows}: status {first['status']}")
    if first["report"]["created"] != expected["people"]:
        errors.append(f"{rows}: created {first['report']['created']}, not {expected['people']}")
    if first["report"]["skipped"] != expected["skipped"]:
        errors.append(f"{rows}: skipped {first['report']['skipped']}, not {expected['skipped']}")
    if first["preview"]["new"] != first["report"]["created"]:
        errors.append(f"{rows}: the preview said {first['preview']['new']} new")
    if first["report"]["consents"] != expected["subscribed_unique"]:
        errors.append(
            f"{rows}: {first['report']['consents']} consents, "
            f"expected {expected['subscribed_unique']}"
        )
    if again is None:
        return errors
    if again["status"] != "done" or again["report"]["created"] or again["report"]["consents"]:
        errors.append(f"{rows}: the second import: {again['status']}, {again['report']}")
    if result["state_after_first"] != result["state_after_again"]:
        errors.append(
            f"{rows}: the second import changed {result['state_after_first']} "
            f"into {result['state_after_again']}"
        )
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--again",
        choices=["both", "small"],
        default="both",
        help="which sizes are imported a second time (it must change nothing)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-again", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, again=not args.no_again)))
        return 0

    results = {}
    errors = []
    for name, rows in (("small", args.small), ("large", args.rows)):
        result = run_size(rows, args, again=name == "small" or args.again == "both")
        results[name] = result
        errors += check(result)
        first, again = result["first"], result["again"]
        print(
            f"{rows:>9,} rows: preview {first['store_and_preview_rows_per_second']:,} rows/s, "
            f"import {first['import_rows_per_second']:,} rows/s ({first['import_seconds']:,.1f} s, "
            f"{first['import_rows_per_cpu_second']:,} rows per CPU second)"
            + (
                f"; again: {again['import_rows_per_second']:,} rows/s, "
                f"created {again['report']['created']}, consents {again['report']['consents']}"
                if again
                else ""
            ),
            flush=True,
        )
        print(
            f"{'':>9}  report {first['report']}; peak RSS {result['rss_peak_kb'] / 1024:,.0f} MB "
            f"(+{result['rss_peak_growth_kb'] / 1024:,.0f} MB over Django started)",
            flush=True,
        )
    ratio = results["large"]["rss_peak_kb"] / results["small"]["rss_peak_kb"]
    growth_ratio = results["large"]["rss_peak_growth_kb"] / max(
        1, results["small"]["rss_peak_growth_kb"]
    )
    verdict = "PASS" if ratio <= MEMORY_RATIO_BUDGET else "FAIL"
    print(
        f"peak RSS, {args.rows:,} rows against {args.small:,}: {ratio:.2f} "
        f"(growth over start-up: {growth_ratio:.2f}); budget {MEMORY_RATIO_BUDGET}: {verdict}"
    )
    for error in errors:
        print("ERROR", error)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"import-{args.database}-{stamp}.json").write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "database": args.database,
                "results": results,
                "peak_ratio": round(ratio, 3),
                "growth_ratio": round(growth_ratio, 3),
                "errors": errors,
            },
            indent=2,
        )
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
