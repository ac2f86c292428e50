from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "convoca.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from convoca.api import services
        from convoca.people.services import personal_data_handler_register

        personal_data_handler_register(
            "custom_fields",
            label=_("Custom fields"),
            export=services.custom_fields_export_for_person,
            erase=services.custom_fields_erase_for_person,
        )
