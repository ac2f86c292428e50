from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from convoca.core import keyring as keyring_module
from convoca.core.rotation import data_key_add, data_keys_retire, encrypted_data_reencrypt


class Command(BaseCommand):
    help = (
        "Add a new data-encryption key, re-encrypt all personal data with it and, with "
        "--retire, forget the old keys. Stop the web server and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retire", action="store_true")
        parser.add_argument(
            "--no-new-key",
            action="store_true",
            help="re-encrypt with the newest key already there (after adding one to "
            "CONVOCA_DATA_KEYS yourself)",
        )

    def handle(self, *args, **options):
        ring = settings.CONVOCA_KEYRING
        if not options["no_new_key"]:
            if ring.source == "environment":
                raise CommandError(
                    "The keys come from CONVOCA_DATA_KEYS: add a new version there "
                    "(e.g. '…,2:<base64 of 32 random bytes>'), restart, and run "
                    "rotatekeys --no-new-key."
                )
            try:
                version = data_key_add()
            except keyring_module.KeyringError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Added data key version {version}.")
        count = encrypted_data_reencrypt()
        self.stdout.write(
            f"Re-encrypted {count} rows with version {settings.CONVOCA_KEYRING.current_version}."
        )
        if options["retire"]:
            retired = data_keys_retire()
            self.stdout.write(f"Retired versions: {', '.join(map(str, retired)) or 'none'}.")
