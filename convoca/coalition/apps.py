from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "convoca.coalition"
    label = "coalition"
    verbose_name = _("Coalition")

    def ready(self):
        from convoca.coalition.models import WorkingGroupMember
        from convoca.people.services import personal_data_handler_register

        def export(person):
            return [
                {"working_group": m.group.name_en, "role": m.role, "public_name": m.public_name}
                for m in WorkingGroupMember.objects.filter(person=person).select_related("group")
            ]

        def erase(person):
            WorkingGroupMember.objects.filter(person=person).delete()

        personal_data_handler_register(
            "working_groups", label=_("Working groups"), export=export, erase=erase
        )
