"""The ``convoca`` command: run, demo, work, and look after an installation.

Every subcommand is a thin shell: the work is done by Django management
commands (``convoca manage <command>`` reaches any of them) and services.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoca.settings")
    import django

    try:
        django.setup()
    except Exception as exc:  # an ImproperlyConfigured says what to do; no traceback
        sys.exit(f"convoca: {exc}")


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def migrate_all() -> None:
    """Bring every database up to date: with SQLite, the signing intake's file too.

    Django's ``migrate`` does one database (``convoca manage migrate`` the
    main one); signing forms wait in a file of their own on SQLite
    (``actions/routers.py``), which would otherwise be forgotten.
    """
    from django.db import connections

    for alias in connections:
        _manage("migrate", "--noinput", "--verbosity", "0", "--database", alias)


def _prepare() -> None:
    """Migrate, collect static files, and check the keys against the data."""
    _setup_django()
    from django.core.exceptions import ImproperlyConfigured

    try:
        migrate_all()
        _manage("verifykeys")
        _manage("collectstatic", "--noinput", "--verbosity", "0")
    except ImproperlyConfigured as exc:
        sys.exit(f"convoca: {exc}")


def _python_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "django", *args, "--settings", "convoca.settings"]


#: Niceness of the task workers and the scheduler that ``convoca serve`` starts beside
#: the web server (docs/benchmarks.md, "Signing end to end").
BACKGROUND_NICENESS = 10
WEB_SERVER = "web server"


def _lower_priority() -> None:
    os.nice(BACKGROUND_NICENESS)


def _run_processes(
    commands: dict[str, list[str]], *, ready_url: str | None = None, on_ready=None
) -> int:
    """Start the processes, stop them all when one ends or on Ctrl-C/SIGTERM.

    Beside a web server, the other processes run at a lower CPU priority:
    a visitor's request goes first, and the backlog (signatures to record,
    emails to send) is worked through with the rest of the machine.
    """
    beside_web = WEB_SERVER in commands
    procs = {
        name: subprocess.Popen(
            cmd, preexec_fn=_lower_priority if beside_web and name != WEB_SERVER else None
        )
        for name, cmd in commands.items()
    }
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    announced = ready_url is None
    code = 0
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(
                        f"convoca: {name} stopped (exit code {proc.returncode}).", file=sys.stderr
                    )
                    code = proc.returncode or 1
                    stopping = True
            if not announced:
                try:
                    with urllib.request.urlopen(ready_url, timeout=1) as response:  # noqa: S310
                        announced = response.status == 200
                except OSError:
                    pass
                if announced and on_ready:
                    on_ready()
            time.sleep(0.3)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
    return code


def _server_commands(args) -> dict[str, list[str]]:
    # Few Python threads per process, so requests queue in granian rather
    # than on SQLite's write lock. No --backpressure: granian counts idle
    # keep-alive connections against it, so a browser's six connections
    # would starve the next visitor.
    web = "granian --interface wsgi convoca.wsgi:application --no-access-log --log-level warning"
    commands = {
        WEB_SERVER: [
            sys.executable, "-m", *web.split(),
            "--host", args.host, "--port", str(args.port),
            "--workers", str(args.workers), "--blocking-threads", str(args.threads),
            "--respawn-failed-workers",
        ],
    }  # fmt: skip
    if not args.no_worker:
        # More than one, so recording signatures and delivering their emails
        # (two tasks) run side by side rather than one after the other.
        for number in range(1, args.task_workers + 1):
            commands[f"task worker {number}"] = _python_command("db_worker", "--queue-name", "*")
        commands["scheduler"] = _python_command("crontask")
    return commands


def cmd_serve(args, *, on_ready=None) -> int:
    _prepare()
    url = serve_url(args.host, args.port)
    print(f"Convoca is starting at {url}/ (Ctrl-C stops it)", flush=True)
    return _run_processes(
        _server_commands(args),
        ready_url=f"{url}/health/",
        on_ready=on_ready or (lambda: print(f"Convoca is ready at {url}/", flush=True)),
    )


def cmd_demo(args) -> int:
    _prepare()
    from convoca.core.demo import demo_load

    login = demo_load()
    url = serve_url(args.host, args.port)

    def announce():
        print(
            "\n"
            f"  Convoca demo is running at   {url}/\n"
            f"  Organiser interface:         {url}/admin/\n"
            f"  Organiser login:             {login.username} / {login.password}\n"
            f"  Coordinator login:           {login.coordinator_username} / {login.password}\n"
            f"  Emails are printed here instead of being sent.\n",
            flush=True,
        )

    return cmd_serve(args, on_ready=announce)


def cmd_worker(args) -> int:
    _prepare()
    commands = {"task worker": _python_command("db_worker", "--queue-name", args.queues)}
    if args.with_scheduler:
        commands["scheduler"] = _python_command("crontask")
    return _run_processes(commands)


def cmd_scheduler(args) -> int:
    _prepare()
    return _run_processes({"scheduler": _python_command("crontask")})


def cmd_createstaff(args) -> int:
    _prepare()
    import getpass

    from convoca.organisations.models import Membership, Organisation
    from convoca.organisations.services import staff_member_create

    organisation = None
    if args.role != Membership.Role.COORDINATOR:
        organisation = Organisation.objects.filter(slug=args.organisation).first()
        if organisation is None:
            sys.exit(f"convoca: no organisation with the short name {args.organisation!r}.")
    password = os.environ.get("CONVOCA_STAFF_PASSWORD") or getpass.getpass("Password: ")
    user = staff_member_create(
        username=args.username,
        email=args.email,
        password=password,
        role=args.role,
        organisation=organisation,
    )
    print(f"Created {user.username} ({args.role}).")
    return 0


def cmd_rotatekeys(args) -> int:
    _prepare()
    from django.core.management.base import CommandError

    try:
        _manage("rotatekeys", *(["--no-new-key"] if args.no_new_key else []))
    except CommandError as exc:
        sys.exit(f"convoca: {exc}")
    return 0


def cmd_pledgekey(args) -> int:
    """Make an organisation's key pair, or open an export: offline, no database, no settings."""
    from convoca.core import sealing

    if args.action == "open":
        if not args.key:
            sys.exit("convoca: give the private key file: convoca pledgekey open FILE --key KEY")
        source = Path(args.csv)
        target = Path(args.out) if args.out else source.with_name(f"{source.stem}-opened.csv")
        try:
            private_key = sealing.private_key_read(Path(args.key))
            report = sealing.csv_open(source, target, private_key=private_key)
        except FileExistsError:
            sys.exit(f"convoca: {target} exists already; give another name with --out.")
        except (OSError, sealing.SealingError) as exc:
            sys.exit(f"convoca: {exc}")
        for line, column in report.failed:
            print(
                f"convoca: line {line}, column {column!r}: this key does not open it "
                "(sealed to another key?); left sealed.",
                file=sys.stderr,
            )
        print(f"Opened {report.opened} answers into {target} (readable only by you).")
        return 1 if report.failed else 0
    key_path = Path(args.key or "pledge-private-key.txt")
    public, private = sealing.key_pair_new()
    try:
        sealing.private_key_write(key_path, private, public)
    except FileExistsError:
        sys.exit(f"convoca: {key_path} exists already; it may hold your only private key.")
    except OSError as exc:
        sys.exit(f"convoca: {exc}")
    print(
        f"Private key written to {key_path} (readable only by you). Keep it, with a backup,\n"
        "on this computer, never on the server: without it the sealed answers cannot be read.\n"
        "Paste this public key into your organisation's page in the admin "
        "(Sealed pledge answers):\n\n"
        f"Public key: {public}"
    )
    return 0


def cmd_migrate(args) -> int:
    _setup_django()
    migrate_all()
    return 0


def cmd_manage(args) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["convoca manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convoca", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="Folder for the SQLite database, keys and uploads "
        "(default: $CONVOCA_DATA_DIR or ./data).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def server_options(p):
        p.add_argument("--host", default=DEFAULT_HOST)
        p.add_argument("--port", type=int, default=DEFAULT_PORT)
        p.add_argument(
            "--workers", type=int, default=min(os.cpu_count() or 1, 4), help="web server processes"
        )
        p.add_argument(
            "--threads",
            type=int,
            default=2,
            help="request threads per process; few, so requests do not queue on "
            "SQLite's write lock",
        )
        p.add_argument(
            "--task-workers",
            type=int,
            default=2,
            help="background task processes (default 2: one records signatures while "
            "another delivers email)",
        )
        p.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background workers and scheduler",
        )

    p = sub.add_parser("serve", help="migrate, then run the web server, worker and scheduler")
    server_options(p)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("demo", help="load demo content, print a login, then serve")
    server_options(p)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("worker", help="run a background task worker (production)")
    p.add_argument("--queues", default="*")
    p.add_argument(
        "--with-scheduler",
        action="store_true",
        help="also run the scheduler (run exactly one in a deployment)",
    )
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("scheduler", help="run the scheduler of periodic work (exactly one)")
    p.set_defaults(func=cmd_scheduler)
    p = sub.add_parser("createstaff", help="create a coordinator, organiser or viewer account")
    p.add_argument("username")
    p.add_argument("--email", required=True)
    p.add_argument("--role", choices=["coordinator", "organiser", "viewer"], default="organiser")
    p.add_argument("--organisation", help="the organisation's short name (slug)")
    p.set_defaults(func=cmd_createstaff)
    p = sub.add_parser(
        "rotatekeys",
        help="add a new data key, re-encrypt everything with it and retire the old one "
        "(while the site runs; run again to finish an interrupted rotation)",
    )
    p.add_argument("--retire", action="store_true", help=argparse.SUPPRESS)  # always done now
    p.add_argument(
        "--no-new-key",
        action="store_true",
        help="re-encrypt with the newest key already there (CONVOCA_DATA_KEYS)",
    )
    p.set_defaults(func=cmd_rotatekeys)
    p = sub.add_parser("migrate", help="bring every database up to date (serve does it too)")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser(
        "pledgekey",
        help="make the key pair that seals pledge answers (offline), or open an export with it",
        description="'convoca pledgekey new [--key FILE]' prints a public key to paste in the "
        "admin and writes the private key to FILE (mode 0600). 'convoca pledgekey open "
        "export.csv --key FILE [--out opened.csv]' writes a copy of the export with every "
        "sealed answer opened.",
    )
    p.add_argument("action", nargs="?", choices=["new", "open"], default="new")
    p.add_argument("csv", nargs="?", help="the export to open")
    p.add_argument("--key", help="the private key file (default for new: pledge-private-key.txt)")
    p.add_argument("--out", help="where 'open' writes (default: <export>-opened.csv)")
    p.set_defaults(func=cmd_pledgekey)
    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def serve_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches the server at, for links in emails."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (every interface: this machine is one)
        host = DEFAULT_HOST
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        os.environ["CONVOCA_DATA_DIR"] = str(args.data_dir.resolve())
    if hasattr(args, "port"):
        # Read by settings (as SITE_URL's default) here and in every process started.
        os.environ["CONVOCA_SERVE_URL"] = serve_url(args.host, args.port)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
