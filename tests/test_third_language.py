"""A third language is a setting: ``CONVOCA_LANGUAGES=en,es,pt`` needs no migration."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
assert [code for code, _name in settings.LANGUAGES] == ["en", "es", "pt"], settings.LANGUAGES
call_command("makemigrations", check=True, dry_run=True)
"""


def test_turning_on_portuguese_is_a_setting_and_not_a_schema_change(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {
        "CONVOCA_LANGUAGES": "en,es,pt",
        "CONVOCA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "convoca.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_a_language_django_does_not_know_is_refused_at_start(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"CONVOCA_LANGUAGES": "en,xx", "CONVOCA_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "CONVOCA_LANGUAGES" in result.stderr
