from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import StackedInline, TabularInline

from convoca.coalition.models import (
    AffiliationRequest,
    JoinRequest,
    WorkingGroup,
    WorkingGroupMember,
    WorkingGroupText,
)
from convoca.coalition.services import (
    affiliation_request_approve,
    affiliation_request_ask,
    affiliation_request_decline,
    join_request_decide,
    organiser_invitation_resend,
    working_group_member_add,
    working_group_save,
)
from convoca.core.crypto import email_index
from convoca.core.translatable import LanguageTextsInlineMixin, language_texts
from convoca.organisations.models import Organisation
from convoca.organisations.scoping import CoordinatorOnlyAdmin, OrganisationScopedAdmin


class WorkingGroupMemberInline(TabularInline):
    model = WorkingGroupMember
    extra = 0
    fields = ["person", "role", "on_behalf_of", "public_name"]
    raw_id_fields = ["person"]

    # Whoever may change the group may change its members (roles, not Django's
    # per-model permissions, decide: see scoping.py).
    def has_view_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(WorkingGroup).has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(WorkingGroup).has_change_permission(request, obj)

    has_add_permission = has_delete_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Members may act for any active organisation, not only the staff member's own.
        if db_field.name == "on_behalf_of":
            kwargs["queryset"] = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WorkingGroupTextInline(LanguageTextsInlineMixin, StackedInline):
    """The group's name, purpose and description: one block per language of the site."""

    model = WorkingGroupText
    fields = ["language", "name", "purpose", "description"]
    verbose_name = _("text in one language")
    verbose_name_plural = _("name, purpose and description in each language")


@admin.register(WorkingGroup)
class WorkingGroupAdmin(OrganisationScopedAdmin):
    list_display = ["__str__", "slug", "kind", "organisation", "joining", "is_public"]
    list_filter = ["kind", "joining", "is_public"]
    search_fields = ["versions__name", "slug"]
    inlines = [WorkingGroupTextInline, WorkingGroupMemberInline]
    fieldsets = ((None, {"fields": ("slug", "kind", "organisation", "joining", "is_public")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def save_model(self, request, obj, form, change):
        working_group_save(group=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is WorkingGroupText:
            # Through the service, which also names the group's mailing list anew.
            texts, removed = language_texts(formset, ["name", "purpose", "description"])
            working_group_save(group=form.instance, texts=texts, texts_removed=removed)
            return None
        if formset.model is not WorkingGroupMember:
            return super().save_formset(request, form, formset, change)
        # New members go through the service, like those who join from the site,
        # so that whatever follows joining (the timeline, the group's list) happens.
        members = formset.save(commit=False)
        for member in formset.deleted_objects:
            member.delete()
        for member in members:
            if member.pk is None:
                working_group_member_add(
                    group=form.instance,
                    person=member.person,
                    role=member.role,
                    on_behalf_of=member.on_behalf_of,
                    public_name=member.public_name,
                )
            else:
                member.save()
        return None


class AffiliationReviewForm(forms.ModelForm):
    """The coordinator's decision on an affiliation request, taken by saving the page."""

    class Decision:
        KEEP = "keep"
        ASK = "ask"
        APPROVE = "approve"
        DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            (Decision.KEEP, _("No decision yet")),
            (Decision.ASK, _("Email the question below to the contact")),
            (Decision.APPROVE, _("Approve: create the organisation and invite its contact")),
            (Decision.DECLINE, _("Decline, and email the text below (if any) to the contact")),
        ],
        initial=Decision.KEEP,
        widget=forms.RadioSelect,
    )
    question = forms.CharField(
        label=_("question or message to the contact"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent by email in the contact's language setting; they answer by replying."),
    )

    class Meta:
        model = AffiliationRequest
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.Decision.ASK and not cleaned.get("question", "").strip():
            self.add_error("question", _("Write the question to send."))
        if cleaned.get("decision") != self.Decision.KEEP and not self.instance.is_open:
            self.add_error("decision", _("This request has already been decided."))
        return cleaned


@admin.register(AffiliationRequest)
class AffiliationRequestAdmin(CoordinatorOnlyAdmin):
    """Coordinators review organisations' requests to affiliate."""

    form = AffiliationReviewForm
    actions = ["resend_invitation"]
    list_display = ["name", "country", "relationship", "status", "created_at"]
    list_filter = ["status", "relationship", "country"]
    search_fields = ["name", "city"]
    search_help_text = _("Search by name, city or the contact's exact email address.")
    readonly_fields = [
        "name",
        "country",
        "city",
        "website",
        "description",
        "relationship",
        "contact",
        "contact_email",
        "message",
        "logo_preview",
        "language",
        "status",
        "created_at",
        "questions_asked",
        "reviewed_by",
        "reviewed_at",
        "organisation",
    ]
    fieldsets = (
        (
            _("Organisation"),
            {
                "fields": (
                    "name",
                    ("country", "city"),
                    "website",
                    "description",
                    "relationship",
                    "logo_preview",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact", "contact_email", "language", "message")}),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "created_at",
                    "questions_asked",
                    "decision",
                    "question",
                    "reviewed_by",
                    "reviewed_at",
                    "organisation",
                )
            },
        ),
    )

    def has_add_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(person__email_index=email_index(term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("contact person"))
    def contact(self, obj):
        return obj.person.full_name if obj.person and not obj.person.erased_at else "—"

    @admin.display(description=_("contact email"))
    def contact_email(self, obj):
        return obj.person.email if obj.person and not obj.person.erased_at else "—"

    @admin.display(description=_("logo"))
    def logo_preview(self, obj):
        if not obj.logo:
            return "—"
        return format_html('<img src="{}" alt="" width="96">', obj.logo.url)

    @admin.display(description=_("questions asked"))
    def questions_asked(self, obj):
        questions = list(obj.questions.select_related("author"))
        if not questions:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{} · {}</strong><br>{}</li>",
                (
                    (
                        f"{q.created_at:%Y-%m-%d %H:%M}",
                        q.author or "—",
                        linebreaksbr(q.body),
                    )
                    for q in questions
                ),
            ),
        )

    @admin.action(description=_("Send the contact a new set-password link"))
    def resend_invitation(self, request, queryset):
        count = sum(
            organiser_invitation_resend(request=affiliation)
            for affiliation in queryset.filter(status=AffiliationRequest.Status.APPROVED)
        )
        messages.success(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count)
            % {"count": count},
        )

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        Decision = AffiliationReviewForm.Decision
        if decision == Decision.ASK:
            affiliation_request_ask(
                request=obj, author=request.user, question=form.cleaned_data["question"]
            )
            messages.success(request, _("The question is on its way to the contact."))
        elif decision == Decision.APPROVE:
            organisation = affiliation_request_approve(request=obj, reviewer=request.user)
            messages.success(
                request,
                _("%(name)s is now an organisation of the coalition; its contact is invited.")
                % {"name": organisation.name},
            )
        elif decision == Decision.DECLINE:
            message = form.cleaned_data["question"]
            affiliation_request_decline(request=obj, reviewer=request.user, message=message)
            if message.strip():
                messages.success(request, _("Declined; the message is on its way to the contact."))


@admin.register(JoinRequest)
class JoinRequestAdmin(OrganisationScopedAdmin):
    """Requests to join working groups, for the staff of the group's organisation."""

    organisation_path = "group__organisation"
    list_display = ["group", "on_behalf_of", "display_public_name", "status", "created_at"]
    list_filter = ["status", "group"]
    actions = ["accept", "decline"]
    readonly_fields = [
        "group",
        "requester",
        "requester_email",
        "on_behalf_of",
        "public_name",
        "message",
        "language",
        "status",
        "created_at",
        "confirmed_at",
        "reviewed_at",
        "reviewed_by",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    # Encrypted: shown, never sorted by (the order of ciphertexts means nothing).
    @admin.display(description=_("name shown publicly"))
    def display_public_name(self, obj):
        return obj.public_name

    @admin.display(description=_("name"))
    def requester(self, obj):
        return obj.person.full_name or "—"

    @admin.display(description=_("email"))
    def requester_email(self, obj):
        return obj.person.email or "—"

    def _decide(self, request, queryset, *, accept):
        count = sum(
            join_request_decide(
                join_request=join_request, accept=accept, reviewer=request.user.get_username()
            )
            for join_request in queryset.filter(status=JoinRequest.Status.PENDING)
        )
        messages.success(
            request,
            ngettext("%(count)d request decided.", "%(count)d requests decided.", count)
            % {"count": count},
        )

    @admin.action(description=_("Accept the selected requests"), permissions=["change"])
    def accept(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description=_("Decline the selected requests"), permissions=["change"])
    def decline(self, request, queryset):
        self._decide(request, queryset, accept=False)
