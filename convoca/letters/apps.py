from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "convoca.letters"
    label = "letters"
    verbose_name = _("Letters to decision-makers")

    def ready(self):
        from convoca.actions.models import Signature
        from convoca.actions.signals import signature_confirmed
        from convoca.core.outbox import permanent_failure_handler_register
        from convoca.letters import services
        from convoca.people.services import personal_data_handler_register

        # Explicit, and in the confirming transaction: deliveries commit with it.
        signature_confirmed.connect(
            services.letter_on_signature_confirmed,
            sender=Signature,
            dispatch_uid="letters.deliver_on_confirm",
        )
        permanent_failure_handler_register("letters", handler=services.target_email_refused)
        personal_data_handler_register(
            "letters",
            label=_("Letters"),
            export=services.letter_export_for_person,
            erase=services.letter_erase_for_person,
        )
