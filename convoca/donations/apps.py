from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "convoca.donations"
    label = "donations"
    verbose_name = _("Donations")

    def ready(self):
        from convoca.core.views import POW_SCOPES
        from convoca.donations import services
        from convoca.people.services import personal_data_handler_register

        # The donate form asks browsers for a proof of work, as signing forms do.
        POW_SCOPES.add("donate")
        personal_data_handler_register(
            "donations",
            label=_("Donations"),
            export=services.donor_export_for_person,
            erase=services.donor_erase_for_person,
        )
