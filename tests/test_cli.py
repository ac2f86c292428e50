"""The ``convoca`` command, run as an operator runs it: in a fresh process."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PRODUCTION = {
    "SITE_URL": "https://convoca.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "Convoca <convoca@example.org>",
}


def _env(data_dir: Path, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "SITE_URL",
            "DEBUG",
            "EMAIL_URL",
            "CACHE_URL",
            "TASKS_BACKEND",
            "DJANGO_SETTINGS_MODULE",
            "DEFAULT_FROM_EMAIL",
        }
    }
    return {**env, "CONVOCA_DATA_DIR": str(data_dir), **extra}


def _convoca(data_dir: Path, *args, timeout=120, **extra):
    return subprocess.run(
        [sys.executable, "-m", "convoca.cli", *args],
        env=_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_production_configuration_passes_the_deploy_check(tmp_path):
    result = _convoca(
        tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_missing_production_setting_stops_start_up_with_a_clear_message(tmp_path):
    config = {**PRODUCTION}
    del config["EMAIL_URL"]
    result = _convoca(tmp_path, "serve", "--no-worker", "--port", str(_free_port()), **config)
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_email_providers_api_can_replace_smtp_in_production(tmp_path):
    config = {**PRODUCTION}
    del config["EMAIL_URL"]
    config["EMAIL_BACKEND"] = "anymail.backends.mailgun.EmailBackend"
    config["ANYMAIL_MAILGUN_API_KEY"] = "key-from-the-provider"
    check = _convoca(tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING", **config)
    assert check.returncode == 0, check.stderr
    shown = _convoca(
        tmp_path,
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; "
        "print(settings.MAILERS['default']['BACKEND'], settings.ANYMAIL['MAILGUN_API_KEY'])",
        **config,
    )
    assert shown.stdout.split() == [
        "anymail.backends.mailgun.EmailBackend",
        "key-from-the-provider",
    ]


def test_secrets_are_generated_once_readable_only_by_their_owner(tmp_path):
    assert _convoca(tmp_path, "manage", "check").returncode == 0
    secrets_file = tmp_path / "secrets.json"
    first = secrets_file.read_text()
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    assert _convoca(tmp_path, "manage", "check").returncode == 0
    assert secrets_file.read_text() == first


def test_a_lost_key_file_with_existing_data_refuses_to_start(tmp_path):
    assert _convoca(tmp_path, "manage", "migrate", "-v", "0").returncode == 0
    created = _convoca(
        tmp_path,
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from convoca.people.services import PersonData, person_upsert;"
        "person_upsert(data=PersonData(email='ana@example.org'))",
    )
    assert created.returncode == 0, created.stderr
    (tmp_path / "secrets.json").unlink()

    result = _convoca(tmp_path, "serve", "--no-worker", "--port", str(_free_port()), timeout=60)

    assert result.returncode != 0
    assert "Restore the secrets.json" in result.stderr
    assert "was created just now" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_another_port_links_to_that_port(tmp_path):
    port = _free_port()
    with subprocess.Popen(
        [
            *(sys.executable, "-m", "convoca.cli", "serve", "--no-worker"),
            *("--workers", "1", "--port", str(port)),
        ],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        try:
            output, deadline = "", time.monotonic() + 120
            while "is ready" not in output and time.monotonic() < deadline:
                line = process.stdout.readline()
                if not line:
                    break
                output += line
            assert f"Convoca is ready at http://127.0.0.1:{port}/" in output, output
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sitemap.xml") as response:
                sitemap = response.read().decode()
            assert f"<loc>http://127.0.0.1:{port}/en/</loc>" in sitemap
            assert ":8000" not in sitemap
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_a_site_url_given_by_the_operator_wins_over_the_port(tmp_path):
    """SITE_URL from the environment or the .env file; else where `serve` listens."""

    def site_url(**extra):
        return subprocess.run(
            [
                *(sys.executable, "-m", "convoca.cli", "manage", "shell", "--no-imports", "-c"),
                "from django.conf import settings; print(settings.SITE_URL)",
            ],
            env=_env(tmp_path, CONVOCA_SERVE_URL="http://127.0.0.1:8123", **extra),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()[-1]

    assert site_url() == "http://127.0.0.1:8123"
    assert site_url(SITE_URL="http://localhost:9000/") == "http://localhost:9000"
    (tmp_path / ".env").write_text("SITE_URL=http://localhost:9001\n")
    assert site_url() == "http://localhost:9001"


def test_demo_loads_a_bilingual_coalition_and_prints_a_working_login(tmp_path):
    port = _free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "convoca.cli", "demo", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        _check_demo(process, port, tmp_path)
    assert process.returncode == 0


def _idle_browsers_do_not_starve_the_next_visitor(port):
    """A browser keeps several connections open; the server must still answer others."""
    request = b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    idle = []
    try:
        for _ in range(12):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(request)
            assert b" 200 " in connection.recv(1000)
            idle.append(connection)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
            assert response.read() == b"ok"
    finally:
        for connection in idle:
            connection.close()


def _check_demo(process, port, data_dir):
    try:
        output, login = "", None
        # Migrating, collecting static files and loading every app's demo: slow on a busy machine.
        deadline = time.monotonic() + 240
        while login is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output += line
            login = re.search(r"Organiser login:\s+(\S+) / (\S+)", line)
        assert login, output
        assert "unsubscribed" not in output, output  # nothing stray before the banner
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/es/") as response:
            spanish = response.read().decode()
        assert "Comité de Solidaridad Internacional" in spanish
        assert '<html lang="es">' in spanish
        _idle_browsers_do_not_starve_the_next_visitor(port)
        check = subprocess.run(
            [
                sys.executable,
                "-m",
                "convoca.cli",
                "manage",
                "shell",
                "-c",
                "from django.contrib.auth import authenticate;"
                f"print(bool(authenticate(username='{login[1]}', password='{login[2]}')))",
            ],
            env=_env(data_dir),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert check.stdout.strip().splitlines()[-1] == "True", check.stderr
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("convoca demo did not stop on SIGTERM")


def test_migrate_brings_both_sqlite_files_up_to_date(tmp_path):
    """Signing forms wait in a file of their own; `convoca migrate` must not forget it."""
    import sqlite3
    from contextlib import closing

    assert _convoca(tmp_path, "migrate").returncode == 0

    def tables(name):
        with closing(sqlite3.connect(tmp_path / name)) as db:
            return {row[0] for row in db.execute("SELECT name FROM sqlite_master")}

    assert "actions_signatureintake" in tables("convoca-intake.sqlite3")
    assert "actions_signatureintake" not in tables("convoca.sqlite3")
    assert "actions_signature" in tables("convoca.sqlite3")
