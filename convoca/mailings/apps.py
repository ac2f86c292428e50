from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "convoca.mailings"
    label = "mailings"
    verbose_name = _("Mailings")

    def ready(self):
        from anymail.signals import tracking

        from convoca.coalition.services import working_group_list_register
        from convoca.core.outbox import (
            outbox_suppression_check_register,
            permanent_failure_handler_register,
        )
        from convoca.mailings import audiences, services
        from convoca.mailings.webhooks import tracking_received
        from convoca.people.services import (
            marketing_refusal_register,
            personal_data_handler_register,
        )

        personal_data_handler_register(
            "subscriptions",
            label=_("Mailing list subscriptions"),
            export=services.subscription_export_for_person,
            erase=services.subscription_erase_for_person,
        )
        outbox_suppression_check_register(
            "suppressions", suppressed=services.suppression_addresses_undeliverable
        )
        permanent_failure_handler_register("suppressions", handler=services.suppression_add_refused)
        marketing_refusal_register("mailings", refused=services.suppression_or_unsubscribe_indexes)
        tracking.connect(tracking_received, dispatch_uid="convoca.mailings.tracking")
        audiences.register_builtin()
        working_group_list_register(
            keep=services.working_group_list_keep,
            subscribe=services.working_group_member_subscribe,
        )
