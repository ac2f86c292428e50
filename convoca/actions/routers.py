"""Where signing forms wait to be recorded: their own SQLite file, else the main database.

On SQLite every write to a file takes that file's one lock. The worker that
records signatures writes to the main file in batches; if the forms being
accepted went to the same file, each visitor's INSERT would wait behind a
batch. So with SQLite, ``settings.DATABASES["intake"]`` is a second file
holding only ``SignatureIntake``. On PostgreSQL there is no such alias and
everything stays in one database, where the recording and the deletion of
a batch share one transaction.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

INTAKE_ALIAS = "intake"


def intake_database() -> str:
    """The alias that holds ``SignatureIntake`` rows."""
    return INTAKE_ALIAS if INTAKE_ALIAS in settings.DATABASES else DEFAULT_DB_ALIAS


def _is_intake(model) -> bool:
    meta = getattr(model, "_meta", None)
    return meta is not None and meta.label_lower == "actions.signatureintake"


class IntakeRouter:
    def db_for_read(self, model, **hints):
        return intake_database() if _is_intake(model) else None

    def db_for_write(self, model, **hints):
        return intake_database() if _is_intake(model) else None

    def allow_relation(self, obj1, obj2, **hints):
        # An intake names its action by id across the two files (no constraint).
        return True if _is_intake(obj1) or _is_intake(obj2) else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if INTAKE_ALIAS not in settings.DATABASES:
            return None
        is_intake = app_label == "actions" and model_name == "signatureintake"
        if db == INTAKE_ALIAS:
            return is_intake
        return False if is_intake else None
