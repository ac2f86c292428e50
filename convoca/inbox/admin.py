"""The contact inbox in the organisers' interface: read, assign, reply, note, close."""

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from convoca.core.audit import AuditedAdminMixin
from convoca.core.crypto import email_index
from convoca.core.outbox import outbox_sent_at
from convoca.inbox.models import ACKNOWLEDGEMENT, ContactMessage, ThreadEntry
from convoca.inbox.selectors import contact_message_list_for_staff
from convoca.inbox.services import (
    contact_message_assign,
    contact_message_note_add,
    contact_message_reply,
    contact_message_status_set,
)
from convoca.organisations.scoping import OrganisationScopedAdmin
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator


class ContactMessageForm(forms.ModelForm):
    reply = forms.CharField(
        label=_("reply to the sender"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Sent by email when you save, and kept in the thread."),
    )
    note = forms.CharField(
        label=_("note for staff"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never sent: only staff see it."),
    )

    class Meta:
        model = ContactMessage
        fields = ["status", "assignee"]

    def clean_reply(self):
        reply = self.cleaned_data["reply"].strip()
        if reply and (self.instance.erased_at or not self.instance.email):
            raise forms.ValidationError(_("The sender's address is erased: no reply can be sent."))
        return reply


@admin.register(ContactMessage)
class ContactMessageAdmin(AuditedAdminMixin, OrganisationScopedAdmin):
    """Messages from the contact form.

    Coordinators see every message; other staff see their organisations'
    messages and those assigned to them, and viewers only read.
    """

    form = ContactMessageForm
    list_display = [
        "created_at",
        "sender",
        "subject",
        "status",
        "assignee",
        "acknowledged",
    ]
    list_display_links = ["created_at", "sender"]
    list_filter = ["status", "subject", "assignee", "language"]
    search_fields = ["subject"]
    search_help_text = _("Search by the sender's exact email address.")
    list_select_related = ["assignee", "person"]
    readonly_fields = [
        "sender",
        "sender_email",
        "subject",
        "language",
        "created_at",
        "acknowledged_at",
        "text",
        "thread",
        "closed_at",
        "erased_at",
    ]
    fieldsets = (
        (
            _("Message"),
            {
                "fields": (
                    ("sender", "sender_email"),
                    ("subject", "language"),
                    ("created_at", "acknowledged_at"),
                    "text",
                )
            },
        ),
        (_("Thread"), {"fields": ("thread",)}),
        (_("Handling"), {"fields": (("status", "assignee"), "reply", "note")}),
        (_("Record"), {"fields": ("closed_at", "erased_at")}),
    )

    def get_queryset(self, request):
        return (
            contact_message_list_for_staff(request.user)
            .select_related("person", "assignee")
            .annotate(acknowledgement_sent_at=outbox_sent_at(ACKNOWLEDGEMENT))
        )

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        # Viewers read; the assignee, organisers of the message's organisation and
        # coordinators handle it.
        if not self.has_view_permission(request, obj):
            return False
        if obj is None or user_is_coordinator(request.user) or obj.assignee_id == request.user.pk:
            return True
        return obj.organisation_id in organisation_ids_for_user(request.user, can_edit=True)

    def has_add_permission(self, request, obj=None):
        return False  # messages arrive through the contact form

    def has_delete_permission(self, request, obj=None):
        return user_is_coordinator(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(person__email_index=email_index(term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("from"))
    def sender(self, obj):
        return obj.name or "—"

    @admin.display(description=_("email"))
    def sender_email(self, obj):
        return obj.email or "—"

    @admin.display(description=_("acknowledged"), boolean=True)
    def acknowledged(self, obj):
        return obj.acknowledgement_sent_at is not None

    @admin.display(description=_("message"))
    def text(self, obj):
        return linebreaksbr(obj.body) if obj.body else "—"

    @admin.display(description=_("thread"))
    def thread(self, obj):
        entries = list(obj.entries.select_related("author"))
        if not entries:
            return _("No reply or note yet.")

        def status(entry):
            if entry.kind == ThreadEntry.Kind.NOTE:
                return _("note for staff only")
            if entry.sent_at:
                return _("reply, sent %(when)s") % {"when": f"{entry.sent_at:%Y-%m-%d %H:%M}"}
            return _("reply, not sent yet (the outbox retries it)")

        return format_html(
            '<ol class="thread">{}</ol>',
            format_html_join(
                "",
                '<li class="{}"><strong>{} · {} · {}</strong><br>{}</li>',
                (
                    (
                        e.kind,
                        f"{e.created_at:%Y-%m-%d %H:%M}",
                        e.author or "—",
                        status(e),
                        linebreaksbr(e.body),
                    )
                    for e in entries
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        # Each change goes through its service; the form's own save is not used.
        data = form.cleaned_data
        if "assignee" in form.changed_data:
            contact_message_assign(message=obj, assignee=data["assignee"], by=request.user)
        if "status" in form.changed_data:
            contact_message_status_set(message=obj, status=data["status"])
        if data.get("note", "").strip():
            contact_message_note_add(message=obj, author=request.user, body=data["note"])
        if data.get("reply"):
            contact_message_reply(message=obj, author=request.user, body=data["reply"])
            messages.success(request, _("Your reply is on its way to the sender."))
