"""Mailing benchmark: messages/s as a ratio to a bare smtplib loop, and exactly-once after a kill.

In a throwaway data folder (SQLite, or a fresh PostgreSQL database), makes N confirmed
subscribers (half English, half Spanish, most with a first name) and a mailing of a
realistic size (a newsletter of about 700 words: about 14 KB on the wire with its HTML
and plain-text parts), then, against an aiosmtpd sink on 127.0.0.1 in its own process:

- baseline: a bare ``smtplib`` loop over one connection sends one prebuilt message of
  the same size to each of the N addresses (nothing built per message);
- engine: ``mailing_send_now`` then a real task worker (``manage.py db_worker``) sends
  the mailing, batches by tasks, one SMTP connection per batch, each delivery claimed
  and committed as the engine does in production;
- kill: a second mailing; the worker is SIGKILLed when the sink has about half, the
  dead worker's claims are released (as the every-minute task does after the lease),
  and a new worker finishes.

The rate is measured at the sink, first message to last. The baseline runs before and
after the engine (the mean is used: the machine is shared). For both engine runs, the
sink must have received each of the N addresses exactly once: the exit code is 1 when
not. Missing the 0.70 budget is reported, not an error. See docs/benchmarks.md.

    uv run python bench/mailing.py [--messages 20000] [--database sqlite|postgres] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/convoca_bench_mailing"
TIME_LIMIT = 900

BODY_EN = """Dear {{ first_name }},

This week the coalition met with partners from twelve countries to plan the next
month of action. Here is what was decided, and how you can take part.

## The webinar on Tuesday

Our monthly webinar takes place on **Tuesday at 18:00 UTC**. Speakers from the
health workers' unions will explain how the sanctions block the delivery of
medicines, and what a humanitarian exemption would change in practice. You can
[register here](https://example.org/en/events/webinar-june/) and ask your questions
in advance.

## The week of action

From the 14th to the 21st, groups in more than forty cities will hold rallies,
vigils and public readings. If there is no event near you yet, you can host one: we
send a kit with posters, a short guide and the text of the appeal in both languages.
[Find an event or host one](https://example.org/en/events/week-of-action/).

## The appeal

More than 12,000 people have signed the appeal so far. Every signature is counted
and handed over with the others to the foreign ministry at the end of the week.
If you have not signed yet, [add your name](https://example.org/en/actions/appeal/),
and share it with three people who would.

## In the press

- An interview with our coordinator in a national daily, on the cost of the blockade
  for patients waiting for dialysis.
- A long report on the shipments of medical supplies that reached the port last month,
  and the ones still held in customs.
- A column by a former diplomat arguing for a new approach, quoting our open letter.

## Reading list

1. [The humanitarian exemption, explained](https://example.org/en/analysis/exemption/):
   what it covers, who decides, and why shipments still wait for months.
2. [Letters from the clinics](https://example.org/en/news/letters-from-the-clinics/):
   nurses and doctors describe a week without the medicines they need.
3. [The open letter of the 300 organisations](https://example.org/en/actions/letter/):
   read it, and see who has signed it in your country.
4. [How to host a vigil](https://example.org/en/guides/vigil/): a one-page guide, with
   the permits you may need and a checklist for the day.
5. [Our finances, in full](https://example.org/en/about/finances/): where every
   donation went last year, line by line.
6. [The map of the week of action](https://example.org/en/events/map/): every rally,
   vigil and reading, updated as hosts add theirs.

## From the working groups

The translation group finished the Spanish version of the briefing pack, and the
legal group published a note on what organisers should know before a rally. The
youth group is looking for volunteers who can give an hour a week to answer
messages from new supporters: reply to this email if you can help.

## Thank you

None of this happens without you: the people who sign, share, host, donate and show
up. Thank you for being part of it, and see you on Tuesday.

In solidarity,
The coordination team
"""

BODY_ES = BODY_EN.replace("Dear {{ first_name }},", "Querida, querido {{ first_name }}:")


# --- The sink, in its own process ------------------------------------------------------


def sink_main(port: int, out: str) -> None:
    """Count recipients; write the counts and first/last times on SIGTERM."""
    import threading

    from aiosmtpd.controller import Controller

    counts: Counter = Counter()
    times = []
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            now = time.monotonic()
            with lock:
                for address in envelope.rcpt_tos:
                    counts[address] += 1
                if not times:
                    times.append(now)
                times[1:] = [now]
                sizes.append(len(envelope.content))
            return "250 OK"

    sizes: list[int] = []
    controller = Controller(Handler(), hostname=HOST, port=port)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    Path(out + ".ready").write_text("1")
    done.wait()
    controller.stop()
    with lock:
        Path(out).write_text(
            json.dumps(
                {
                    "counts": counts,
                    "first": times[0] if times else 0,
                    "last": times[-1] if times else 0,
                    "messages": sum(counts.values()),
                    "mean_size": sum(sizes) / len(sizes) if sizes else 0,
                }
            )
        )


class Sink:
    def __init__(self, folder: Path, name: str):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = probe.getsockname()[1]
        self.out = str(folder / f"sink-{name}.json")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(self.port), self.out], cwd=ROOT
        )
        deadline = time.monotonic() + 20
        while not Path(self.out + ".ready").exists():
            if time.monotonic() > deadline:
                raise SystemExit("the SMTP sink did not start")
            time.sleep(0.05)

    def stop(self) -> dict:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        return json.loads(Path(self.out).read_text())


# --- The benchmark ------------------------------------------------------------------------


def setup_env(folder: Path, database: str) -> dict:
    env = {
        "CONVOCA_DATA_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "convoca.settings",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
        "DEFAULT_FROM_EMAIL": "Coalition <news@campaign.example.org>",
        "SITE_URL": "http://127.0.0.1:8000",
        "MAILINGS_CLAIM_LEASE_SECONDS": "300",
    }
    if database == "postgres":
        env["DATABASE_URL"] = POSTGRES_URL
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    return env


def prepare(count: int):
    from django.core.management import call_command

    from convoca.core.crypto import email_index
    from convoca.mailings.models import MailingList, Subscription
    from convoca.mailings.services import mailing_list_create
    from convoca.organisations.models import Organisation
    from convoca.people.models import Person

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(
        name="Bench Coalition", slug="bench", status=Organisation.Status.ACTIVE
    )
    alerts: MailingList = mailing_list_create(
        organisation=organisation,
        slug="bench-alerts",
        name={"en": "Alerts", "es": "Alertas"},
        description={},
    )
    names = ["Ana", "Bruno", "Chiara", "Dmitri", "Esperanza", "Farid", "", "Grace", "Hugo"]
    people = []
    for n in range(count):
        email = f"reader{n:06d}@example.org"
        people.append(
            Person(
                email_index=email_index(email),
                email=email,
                given_name=names[n % len(names)],
                language="es" if n % 2 else "en",
                country="MX" if n % 2 else "GB",
            )
        )
        if len(people) == 2000:
            Person.objects.bulk_create(people)
            people = []
    Person.objects.bulk_create(people)
    subscriptions = []
    for person_id in Person.objects.values_list("pk", flat=True).iterator(chunk_size=5000):
        subscriptions.append(
            Subscription(
                mailing_list=alerts, person_id=person_id, status=Subscription.Status.SUBSCRIBED
            )
        )
    Subscription.objects.bulk_create(subscriptions, batch_size=2000)
    return organisation, alerts


def make_mailing(organisation, alerts, title: str):
    from convoca.mailings.services import mailing_create

    return mailing_create(
        organisation=organisation,
        lists=[alerts],
        subject={"en": f"{title}: the week ahead", "es": f"{title}: la semana que viene"},
        body_markdown={"en": BODY_EN, "es": BODY_ES},
    )


def baseline(port: int, count: int, message: bytes) -> None:
    """A bare smtplib loop: one connection, one prebuilt message, N recipients."""
    conn = smtplib.SMTP(HOST, port)
    try:
        for n in range(count):
            conn.sendmail("news@campaign.example.org", [f"reader{n:06d}@example.org"], message)
    finally:
        conn.quit()


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.05",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )


def wait_sent(mailing_id: int, *, deadline: float, stop_at: int | None = None) -> int:
    from django.db import close_old_connections

    from convoca.mailings.models import Delivery, Mailing

    while time.monotonic() < deadline:
        close_old_connections()
        if stop_at is not None:
            done = Delivery.objects.filter(
                mailing_id=mailing_id, status__in=["sending", "sent"]
            ).count()
            if done >= stop_at:
                return done
        elif Mailing.objects.get(pk=mailing_id).status == Mailing.Status.SENT:
            return 0
        time.sleep(0.02 if stop_at is not None else 0.2)
    raise SystemExit("the mailing did not finish in time")


def check_exactly_once(result: dict, count: int) -> list[str]:
    counts = result["counts"]
    expected = {f"reader{n:06d}@example.org" for n in range(count)}
    problems = []
    missing = expected - set(counts)
    twice = [a for a, c in counts.items() if c > 1]
    extra = set(counts) - expected
    if missing:
        problems.append(f"{len(missing)} never received")
    if twice:
        problems.append(f"{len(twice)} received more than once")
    if extra:
        problems.append(f"{len(extra)} unexpected recipients")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="task workers, and batches of one mailing at once (each its own connection)",
    )
    parser.add_argument("--sink", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        sink_main(int(args.sink[0]), args.sink[1])
        return 0
    signal.alarm(TIME_LIMIT)
    folder = Path(tempfile.mkdtemp(prefix="convoca-bench-mailing-"))
    env = setup_env(folder, args.database)
    env["MAILINGS_PARALLEL_BATCHES"] = str(args.workers)
    if args.database == "postgres":
        subprocess.run(
            ["dropdb", "-h", HOST, "-U", "postgres", "--if-exists", "convoca_bench_mailing"],
            check=True,
        )
        subprocess.run(
            ["createdb", "-h", HOST, "-U", "postgres", "convoca_bench_mailing"], check=True
        )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from convoca.mailings.compose import MailingComposer, Recipient
    from convoca.mailings.models import Mailing
    from convoca.mailings.sending import deliveries_release_stale
    from convoca.mailings.services import mailing_resume_stalled, mailing_send_now

    count = args.messages
    started = time.monotonic()
    organisation, alerts = prepare(count)
    print(f"{count} subscribers ready in {time.monotonic() - started:.1f} s ({args.database})")

    sample_mailing = make_mailing(organisation, alerts, "Sample")
    sample = MailingComposer(sample_mailing).message_bytes(
        Recipient(
            delivery_id=1,
            person_id=alerts.pk,
            email="reader000000@example.org",
            given_name="Ana",
            language="en",
        )
    )
    Mailing.objects.filter(pk=sample_mailing.pk).delete()

    def run_baseline(name):
        sink = Sink(folder, name)
        baseline(sink.port, count, sample)
        result = sink.stop()
        rate = result["messages"] / (result["last"] - result["first"])
        print(f"  baseline ({name}): {rate:.0f} messages/s, {result['mean_size']:.0f} bytes each")
        return rate

    def run_engine(name, *, kill_at=None):
        sink = Sink(folder, name)
        env_run = {**env, "EMAIL_URL": f"smtp://{HOST}:{sink.port}"}
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": HOST, "port": sink.port},
            }
        }
        mailing = make_mailing(organisation, alerts, name)
        mailing_send_now(mailing=mailing)
        deadline = time.monotonic() + TIME_LIMIT
        processes = [worker(env_run) for _ in range(args.workers)]
        killed = None
        try:
            if kill_at:
                killed = wait_sent(mailing.pk, deadline=deadline, stop_at=kill_at)
                for process in processes:
                    process.send_signal(signal.SIGKILL)
                    process.wait(10)
                # What the every-minute task does once the lease is over.
                settings.MAILINGS_CLAIM_LEASE_SECONDS = 0
                released = deliveries_release_stale(mailing_id=mailing.pk)
                mailing_resume_stalled()
                settings.MAILINGS_CLAIM_LEASE_SECONDS = 300
                print(
                    f"  killed the worker(s) with {killed} handed over; "
                    f"{released} claimed deliveries released; new worker"
                )
                processes = [worker(env_run) for _ in range(args.workers)]
            wait_sent(mailing.pk, deadline=deadline)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
                process.wait(30)
        result = sink.stop()
        rate = result["messages"] / (result["last"] - result["first"])
        problems = check_exactly_once(result, count)
        verdict = "; ".join(problems) or f"each of the {count} received exactly once"
        shown = "" if kill_at else f"{rate:.0f} messages/s; "
        print(f"  engine ({name}): {shown}{verdict}")
        return rate, problems

    print("Sending (sink first to last message):")
    base_1 = run_baseline("baseline-1")
    engine_rate, problems = run_engine("engine")
    base_2 = run_baseline("baseline-2")
    # Not a multiple of a chunk or a batch: the kill lands in the middle of one.
    _, kill_problems = run_engine("kill-and-resume", kill_at=count // 2 + 37)
    base = (base_1 + base_2) / 2
    ratio = engine_rate / base
    print(
        f"\nengine {engine_rate:.0f}/s vs bare smtplib {base:.0f}/s: ratio {ratio:.2f} "
        f"({'meets' if ratio >= 0.70 else 'misses'} the 0.70 budget)"
    )
    print(
        json.dumps(
            {
                "database": args.database,
                "workers": args.workers,
                "messages": count,
                "engine": round(engine_rate),
                "baseline": round(base),
                "ratio": round(ratio, 2),
                "exactly_once": not problems,
                "kill_exactly_once": not kill_problems,
            }
        )
    )
    return 1 if problems or kill_problems else 0


if __name__ == "__main__":
    sys.exit(main())
