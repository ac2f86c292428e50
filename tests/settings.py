"""Settings for the test suite: Convoca's own, in a throwaway data folder.

``DATABASE_URL`` still chooses the database, so the same suite runs on
SQLite (default) and PostgreSQL.
"""

import os
import tempfile

os.environ["CONVOCA_DATA_DIR"] = tempfile.mkdtemp(prefix="convoca-test-")
os.environ.setdefault("CACHE_URL", "locmemcache://")
os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
os.environ.pop("SITE_URL", None)
os.environ.pop("DEBUG", None)

from convoca.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: connections from other threads then behave as in
    # production (WAL, the write lock) and are closed properly.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
    if "intake" in DATABASES:  # noqa: F405
        # The signing intake's file too: in memory, the live server's threads would
        # share one connection that nobody closes (a ResourceWarning, at random).
        DATABASES["intake"]["TEST"] = {"NAME": str(DATA_DIR / "test-intake.sqlite3")}  # noqa: F405

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_AUTOREFRESH = True

# Record every accepted signature at once, as the visitor's request ends.
CONVOCA_INTAKE_DEBOUNCE_SECONDS = 0
