from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "convoca.actions"
    label = "actions"
    verbose_name = _("Actions")

    def ready(self):
        from convoca.actions import audiences, services
        from convoca.actions.selectors import action_figures_version
        from convoca.core.caching import public_page_scope_register
        from convoca.people.services import personal_data_handler_register

        public_page_scope_register("action", action_figures_version)
        audiences.register()

        personal_data_handler_register(
            "signatures",
            label=_("Signatures"),
            export=services.signature_export_for_person,
            erase=services.signature_erase_for_person,
        )
