from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "convoca.people"
    label = "people"
    verbose_name = _("Supporters")

    def ready(self):
        from django.db.models import Q

        from convoca.core.outbox import outbox_emails_erase_for_person, outbox_person_ids_waiting
        from convoca.people.services import (
            outbox_export_for_person,
            personal_data_handler_register,
            unconfirmed_retention_hold_register,
        )

        # Nobody is purged for not confirming while their confirmation email is on its way.
        unconfirmed_retention_hold_register(
            "outbox", people=lambda: Q(pk__in=list(outbox_person_ids_waiting()))
        )
        personal_data_handler_register(
            "outbox",
            label=_("Emails sent"),
            export=outbox_export_for_person,
            erase=lambda person: outbox_emails_erase_for_person(person_id=person.pk),
        )
