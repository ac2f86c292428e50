from django.core.management.base import BaseCommand, CommandError

from convoca.core.rotation import BATCH, RotationError, key_rotation_run


class Command(BaseCommand):
    help = (
        "Add a new data-encryption key, re-encrypt all personal data with it and retire the old "
        "key once nothing uses it. Runs while the site runs; if it is interrupted, run it again "
        "to finish."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-new-key",
            action="store_true",
            help="re-encrypt with the newest key already there (after adding one to "
            "CONVOCA_DATA_KEYS yourself and restarting)",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH, help="rows per transaction")
        # Old keys are always retired once unused; kept so that old scripts still run.
        parser.add_argument("--retire", action="store_true", help="(always done)")

    def handle(self, *args, **options):
        def progress(line: str) -> None:
            if options["verbosity"]:
                self.stdout.write(line)

        try:
            report = key_rotation_run(
                new_key=not options["no_new_key"],
                batch=options["batch_size"],
                progress=progress,
            )
        except RotationError as exc:
            raise CommandError(str(exc)) from exc
        progress(f"Re-encrypted {report.reencrypted} values with version {report.version}.")
        if report.retired:
            progress(f"Retired versions: {', '.join(map(str, report.retired))}.")
        if report.unreadable:
            self.stderr.write(
                "These values do not decrypt with any key and were left as they are: "
                + "; ".join(report.unreadable[:20])
                + (" …" if len(report.unreadable) > 20 else "")
            )
        if report.kept:
            raise CommandError(
                f"Versions {', '.join(map(str, report.kept))} are still in use and were kept; "
                "run rotatekeys again to finish."
            )
