"""Outbox benchmark: emails/s delivered from the outbox, as a ratio to a bare smtplib loop.

In a throwaway data folder (SQLite, or a fresh PostgreSQL database), writes N
transactional emails to the outbox (a confirmation request of about 1.5 KB, each to its
own address, address and message encrypted as in production), then, against an aiosmtpd
sink on 127.0.0.1 in its own process (``bench/mailing.py``'s):

- baseline: a bare ``smtplib`` loop over one connection sends one prebuilt message of
  the same size to each of the N addresses;
- outbox: ``outbox_deliver`` (what ``outbox_deliver_task`` runs) in this process until
  nothing is due: claims, decryption, one ``EmailMessage`` each, the "sending" commit
  before each final line, one connection per batch.

The rate is measured at the sink, first message to last. The sink must have received
each address exactly once: the exit code is 1 when not.

    uv run python bench/outbox.py [--emails 5000] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mailing import HOST, TIME_LIMIT, Sink, baseline, setup_env  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/convoca_bench_outbox"
BODY = (
    'Hello,\n\nPlease confirm your signature on the appeal "Lift the sanctions" by '
    "following this link:\n\nhttps://campaign.example.org/en/actions/confirm/{token}/\n\n"
    + "If you did not sign, ignore this email and nothing happens.\n"
    * 20
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emails", type=int, default=5000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    signal.alarm(TIME_LIMIT)
    folder = Path(tempfile.mkdtemp(prefix="convoca-bench-outbox-"))
    env = setup_env(folder, args.database)
    if args.database == "postgres":
        env["DATABASE_URL"] = POSTGRES_URL
        for command in (["dropdb", "--if-exists"], ["createdb"]):
            subprocess.run(
                [*command, "-h", HOST, "-U", "postgres", "convoca_bench_outbox"], check=True
            )
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.core.management import call_command

    from convoca.core.models import OutboxEmail
    from convoca.core.outbox import outbox_deliver, outbox_row

    call_command("migrate", verbosity=0)
    count = args.emails
    started = time.monotonic()
    rows = []
    for n in range(count):
        message = EmailMessage(
            subject="Confirm your signature",
            body=BODY.format(token=f"{n:032d}"),
            to=[f"signer{n:06d}@example.org"],
        )
        rows.append(outbox_row(kind="actions.confirmation", message=message, language="en"))
    OutboxEmail.objects.bulk_create(rows, batch_size=1000)
    print(f"{count} emails written in {time.monotonic() - started:.1f} s ({args.database})")
    sample = (
        EmailMessage(
            subject="Confirm your signature", body=BODY.format(token="0" * 32), to=["x@example.org"]
        )
        .message()
        .as_bytes()
        .replace(b"\n", b"\r\n")
    )

    def run_baseline(name):
        sink = Sink(folder, name)
        baseline(sink.port, count, sample)
        result = sink.stop()
        rate = result["messages"] / (result["last"] - result["first"])
        print(f"  baseline ({name}): {rate:.0f} messages/s, {result['mean_size']:.0f} bytes each")
        return rate

    base_1 = run_baseline("baseline-1")
    sink = Sink(folder, "outbox")
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": HOST, "port": sink.port},
        }
    }
    while outbox_deliver().done:
        pass
    result = sink.stop()
    rate = result["messages"] / (result["last"] - result["first"])
    base_2 = run_baseline("baseline-2")
    counts = result["counts"]
    wrong = {a: c for a, c in counts.items() if c != 1}
    problems = []
    if len(counts) != count:
        problems.append(f"{count - len(counts)} addresses missing")
    if wrong:
        problems.append(f"{len(wrong)} addresses received more than once")
    base = (base_1 + base_2) / 2
    print(f"  outbox: {rate:.0f} emails/s; {'; '.join(problems) or 'each exactly once'}")
    print(f"\noutbox {rate:.0f}/s vs bare smtplib {base:.0f}/s: ratio {rate / base:.2f}")
    print(json.dumps({"database": args.database, "emails": count, "outbox": round(rate),
                      "baseline": round(base), "ratio": round(rate / base, 2),
                      "exactly_once": not problems}))  # fmt: skip
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
