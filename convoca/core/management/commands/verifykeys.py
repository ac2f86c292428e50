from django.core.management.base import BaseCommand

from convoca.core.crypto import keyring_verify


class Command(BaseCommand):
    help = "Stop with an explanation if the data keys cannot read the database's personal data."

    def handle(self, *args, **options):
        keyring_verify(force=True)
        if options["verbosity"] > 1:
            self.stdout.write("The data keys match the database.")
