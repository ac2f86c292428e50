from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "convoca.mailings"
    label = "mailings"
    verbose_name = _("Mailings")

    def ready(self):
        from anymail.signals import tracking

        from convoca.mailings import audiences, services
        from convoca.mailings.webhooks import tracking_received
        from convoca.people.services import personal_data_handler_register

        personal_data_handler_register(
            "subscriptions",
            label=_("Mailing list subscriptions"),
            export=services.subscription_export_for_person,
            erase=services.subscription_erase_for_person,
        )
        tracking.connect(tracking_received, dispatch_uid="convoca.mailings.tracking")
        audiences.register_builtin()
