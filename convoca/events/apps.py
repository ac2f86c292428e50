from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "convoca.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from convoca.actions.emails import pledge_nearest_event_register
        from convoca.events import audiences, selectors, services
        from convoca.people.services import personal_data_handler_register

        pledge_nearest_event_register(selectors.event_nearest_finder)

        personal_data_handler_register(
            "event_registrations",
            label=_("Event registrations"),
            export=services.registration_export_for_person,
            erase=services.registration_erase_for_person,
        )
        audiences.register()
