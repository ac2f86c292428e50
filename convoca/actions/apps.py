from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "convoca.actions"
    label = "actions"
    verbose_name = _("Actions")

    def ready(self):
        from convoca.actions import services
        from convoca.people.services import personal_data_handler_register

        personal_data_handler_register(
            "signatures",
            label=_("Signatures"),
            export=services.signature_export_for_person,
            erase=services.signature_erase_for_person,
        )
