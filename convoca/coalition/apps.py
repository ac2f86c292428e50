from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "convoca.coalition"
    label = "coalition"
    verbose_name = _("Coalition")

    def ready(self):
        from convoca.coalition import personal_data
        from convoca.people.services import personal_data_handler_register

        personal_data_handler_register(
            "working_groups",
            label=_("Working groups"),
            export=personal_data.working_groups_export,
            erase=personal_data.working_groups_erase,
        )
        personal_data_handler_register(
            "working_group_requests",
            label=_("Requests to join working groups"),
            export=personal_data.join_requests_export,
            erase=personal_data.join_requests_erase,
        )
        personal_data_handler_register(
            "affiliation_requests",
            label=_("Affiliation requests"),
            export=personal_data.affiliation_requests_export,
            erase=personal_data.affiliation_requests_erase,
        )
