"""``migrate`` for every database at once, unless ``--database`` names one.

On SQLite, signing forms wait in a file of their own (``actions/routers.py``),
so an installation has two databases to keep in step; forgetting the second
would leave the signing form without its table.
"""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections


class Command(DjangoMigrateCommand):
    help = (
        "Updates database schemas: every database in settings.DATABASES, or the one "
        "--database names."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=None)

    def get_check_kwargs(self, options):
        kwargs = super().get_check_kwargs(options)
        if options["database"] is None:
            kwargs["databases"] = list(connections)
        return kwargs

    def handle(self, *args, **options):
        if options["database"] is not None:
            return super().handle(*args, **options)
        for alias in connections:
            if options["verbosity"] >= 1 and len(connections.settings) > 1:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Database {alias}:"))
            super().handle(*args, **{**options, "database": alias})
        return None
