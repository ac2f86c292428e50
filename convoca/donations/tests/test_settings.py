"""Stripe keys come in pairs: half a configuration would take money nobody hears about."""

import os
import subprocess
import sys


def test_a_stripe_key_without_its_webhook_secret_stops_start_up(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "STRIPE_WEBHOOK_SECRET"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "convoca.cli", "manage", "check"],
        env={**env, "CONVOCA_DATA_DIR": str(tmp_path), "STRIPE_SECRET_KEY": "sk_test_x"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or neither." in result.stderr
