from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "convoca.coalition"
    label = "coalition"
    verbose_name = _("Coalition")

    def ready(self):
        from django.db.models import Exists, OuterRef, Q

        from convoca.coalition import personal_data
        from convoca.coalition.models import AffiliationRequest
        from convoca.people.services import (
            personal_data_handler_register,
            unconfirmed_retention_hold_register,
        )

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
        # A contact waits for the coordinators' decision without confirming
        # anything; the request keeps them while it is open.
        unconfirmed_retention_hold_register(
            "affiliation_requests",
            people=lambda: Q(
                Exists(
                    AffiliationRequest.objects.filter(
                        person=OuterRef("pk"),
                        status__in=[
                            AffiliationRequest.Status.PENDING,
                            AffiliationRequest.Status.QUESTIONED,
                        ],
                    )
                )
            ),
        )
