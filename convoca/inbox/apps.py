from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "convoca.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self):
        from convoca.inbox.models import ContactMessage
        from convoca.inbox.services import contact_message_erase
        from convoca.people.services import personal_data_handler_register

        def export(person):
            return [
                {
                    "subject": m.subject,
                    "name": m.name,
                    "message": m.body,
                    "status": m.status,
                    "written_at": m.created_at.isoformat(),
                    "replies": [
                        {"text": e.body, "sent_at": e.sent_at.isoformat() if e.sent_at else None}
                        for e in m.entries.all()
                        if e.kind == "reply"
                    ],
                }
                for m in ContactMessage.objects.filter(person=person).prefetch_related("entries")
            ]

        def erase(person):
            for message in ContactMessage.objects.filter(person=person):
                contact_message_erase(message=message)

        personal_data_handler_register(
            "contact_messages", label=_("Messages to the organisers"), export=export, erase=erase
        )
