from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "convoca.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self):
        from django.db.models import Exists, OuterRef, Q

        from convoca.inbox.models import ContactMessage
        from convoca.inbox.services import contact_message_erase
        from convoca.people.services import (
            personal_data_handler_register,
            unconfirmed_retention_hold_register,
        )

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
        # Senders never confirm their address; their message keeps them until
        # the inbox's own retention (closed for INBOX_RETENTION_DAYS) erases it.
        unconfirmed_retention_hold_register(
            "contact_messages",
            people=lambda: Q(
                Exists(ContactMessage.objects.filter(person=OuterRef("pk"), erased_at__isnull=True))
            ),
        )
