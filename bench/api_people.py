"""OSDI API benchmark: people listed per second through /api/osdi/v1/people, as a ratio.

In a throwaway data folder (SQLite, or a fresh PostgreSQL database), N supporters of one
organisation are created through the services (``people_upsert``, a contact consent
each) and an API key is made for the organisation. Then, in this process:

- baseline: the same people read with the ORM as the API's queryset does, decrypted, in
  pages of 100 (``Person`` rows, ``values`` of what the API shows), no HTTP;
- api: an unmodified client's walk through the collection: ``GET /api/osdi/v1/people``
  with ``per_page=100``, following ``_links.next`` to the end, through Django's request
  handler and middleware (the test client, no network), the key checked, the page
  audited (the per-key rate limit raised for the walk).

Printed: rows/s of each, the ratio api / baseline, and the time of the first and the
last page (offset paging makes late pages dearer). Exit code 1 when the walk does not
return every person exactly once.

    uv run python bench/api_people.py [--people 20000] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mailing import HOST, TIME_LIMIT, setup_env  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/convoca_bench_api"
PER_PAGE = 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    signal.alarm(TIME_LIMIT)
    folder = Path(tempfile.mkdtemp(prefix="convoca-bench-api-"))
    env = setup_env(folder, args.database)
    # The walk is the figure, not the per-key limit (120 calls a minute by default).
    env["API_RATE_PER_MINUTE"] = "100000"
    if args.database == "postgres":
        env["DATABASE_URL"] = POSTGRES_URL
        for command in (["dropdb", "--if-exists"], ["createdb"]):
            subprocess.run(
                [*command, "-h", HOST, "-U", "postgres", "convoca_bench_api"], check=True
            )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from convoca.api.services import api_key_create
    from convoca.organisations.models import Organisation
    from convoca.people.models import Consent, Person
    from convoca.people.selectors import person_list_visible_to_organisations
    from convoca.people.services import PersonData, consent_give, people_upsert

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench", slug="bench", country="FR")
    started = time.monotonic()
    for first in range(0, args.people, 1000):
        with transaction.atomic():
            results = people_upsert(
                data=[
                    PersonData(email=f"p{n:07d}@example.org", given_name=f"P{n}", country="FR")
                    for n in range(first, min(first + 1000, args.people))
                ]
            )
            for result in results:
                consent_give(
                    person=result.person,
                    organisation=organisation,
                    purpose=Consent.Purpose.CONTACT,
                    wording="May email me.",
                    source="bench",
                )
    print(f"{args.people} people made in {time.monotonic() - started:.0f} s ({args.database})")
    _key, token = api_key_create(name="bench", organisation=organisation)

    def baseline() -> tuple[float, int]:
        visible = person_list_visible_to_organisations([organisation.pk]).order_by(
            "created_at", "pk"
        )
        started, seen = time.perf_counter(), 0
        for start in range(0, args.people, PER_PAGE):
            for person in visible[start : start + PER_PAGE]:
                _row = (person.pk, person.email, person.given_name, person.country, person.language)
                seen += 1
        return seen / (time.perf_counter() - started), seen

    def api() -> tuple[float, set, list[float]]:
        client = Client(HTTP_OSDI_API_TOKEN=token, HTTP_HOST="127.0.0.1:8000")
        url = f"/api/osdi/v1/people?per_page={PER_PAGE}"
        started, ids, pages = time.perf_counter(), [], []
        while url:
            page_started = time.perf_counter()
            response = client.get(url)
            pages.append(time.perf_counter() - page_started)
            if response.status_code != 200:
                raise SystemExit(f"bench: {url} answered {response.status_code}")
            body = response.json()
            ids += [p["identifiers"][0] for p in body["_embedded"]["osdi:people"]]
            url = body["_links"].get("next", {}).get("href", "")
            url = url.replace("http://127.0.0.1:8000", "")
        return len(ids) / (time.perf_counter() - started), ids, pages

    base_1, seen = baseline()
    rate, ids, pages = api()
    base_2, _seen = baseline()
    base = (base_1 + base_2) / 2
    print(f"  baseline, the ORM in pages of {PER_PAGE}: {base_1:.0f} and {base_2:.0f} rows/s")
    print(
        f"  api, GET /api/osdi/v1/people?per_page={PER_PAGE} to the end: {rate:.0f} rows/s "
        f"({len(pages)} pages; first {pages[0] * 1000:.0f} ms, last {pages[-1] * 1000:.0f} ms)"
    )
    print(f"  ratio api / baseline: {rate / base:.2f}")
    problems = []
    if len(ids) != args.people or len(set(ids)) != len(ids) or seen != args.people:
        problems.append(f"{len(ids)} listed ({len(set(ids))} distinct) for {args.people} people")
    if Person.objects.count() != args.people:
        problems.append("people count changed")
    for problem in problems:
        print(f"  FAIL: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
