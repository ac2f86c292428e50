from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import StackedInline, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from convoca.coalition.models import (
    AffiliationRequest,
    JoinRequest,
    Membership,
    Organisation,
    OrganisationText,
    WorkingGroup,
    WorkingGroupMember,
    WorkingGroupText,
)
from convoca.coalition.scoping import CoordinatorOnlyAdmin, OrganisationScopedAdmin
from convoca.coalition.selectors import user_is_coordinator
from convoca.coalition.services import (
    affiliation_request_approve,
    affiliation_request_ask,
    affiliation_request_decline,
    join_request_decide,
    membership_delete,
    membership_save,
    organisation_logo_clean,
    organisation_save,
    organiser_invitation_resend,
    working_group_member_add,
    working_group_save,
)
from convoca.core.audit import AUDIT_KINDS, audit_kind_label
from convoca.core.crypto import email_index
from convoca.core.forms import OneLineField
from convoca.core.models import AuditEntry
from convoca.core.translatable import LanguageTextsInlineMixin, language_texts

admin.site.unregister(User)
admin.site.unregister(Group)


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]

    # Roles, not Django's per-model permissions, decide (see scoping.py).
    def has_view_permission(self, request, obj=None):
        return user_is_coordinator(request.user)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(User)
class UserAdmin(DjangoUserAdmin, CoordinatorOnlyAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "email", "is_active", "is_staff", "last_login"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Roles through the service, so that each one given or taken is on the audit trail.
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_delete(membership=membership, by=request.user)
        for membership in memberships:
            membership_save(membership=membership, by=request.user)
        return None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A staff member's name greets readers of test mailings and previews: one line.
        if db_field.name in ("first_name", "last_name"):
            kwargs["form_class"] = OneLineField
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class OrganisationTextInline(LanguageTextsInlineMixin, StackedInline):
    """The organisation's description: one block per language of the site, each optional."""

    model = OrganisationText
    fields = ["language", "description"]
    min_num = 0
    verbose_name = _("description in one language")
    verbose_name_plural = _("description in each language")


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = "pk"
    coordinator_only_fields = ("status", "relationship", "slug", "second_factor_required")
    list_display = ["name", "country", "city", "relationship", "status"]
    list_filter = ["status", "relationship", "country"]
    search_fields = ["name", "slug", "city"]
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "status", "relationship")}),
        (_("Where"), {"fields": ("country", "city", "website")}),
        (
            _("Public profile"),
            {"fields": ("logo", "show_in_directory")},
        ),
        (
            _("What the directory shows besides the name"),
            {"fields": (("show_logo", "show_website", "show_city", "show_description"),)},
        ),
        (_("Sealed pledge answers"), {"fields": ("pledge_public_key",)}),
        (_("Staff sign-in"), {"fields": ("second_factor_required",)}),
    )

    def get_prepopulated_fields(self, request, obj=None):
        # The slug is read-only for organisers, and a read-only field cannot be prepopulated.
        return self.prepopulated_fields if user_is_coordinator(request.user) else {}

    def has_add_permission(self, request, obj=None):
        return CoordinatorOnlyAdmin.has_module_permission(self, request)

    def has_delete_permission(self, request, obj=None):
        return CoordinatorOnlyAdmin.has_module_permission(self, request)

    inlines = [OrganisationTextInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def save_model(self, request, obj, form, change):
        if "logo" in form.changed_data and obj.logo:
            organisation_logo_clean(organisation=obj)
        organisation_save(organisation=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrganisationText:
            return super().save_formset(request, form, formset, change)
        # Through the service, the one write path for an organisation and its description.
        texts, removed = language_texts(formset, ["description"])
        organisation_save(organisation=form.instance, texts=texts, texts_removed=removed)
        return None


@admin.register(Membership)
class MembershipAdmin(CoordinatorOnlyAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        membership_save(membership=obj, by=request.user)

    def delete_model(self, request, obj):
        membership_delete(membership=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_delete(membership=membership, by=request.user)


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


class AuditKindFilter(admin.SimpleListFilter):
    title = _("what")
    parameter_name = "verb"

    def lookups(self, request, model_admin):
        kinds = dict(AUDIT_KINDS)
        # A kind no longer recorded stays findable while entries of it remain.
        for verb in model_admin.get_queryset(request).values_list("verb", flat=True).distinct():
            kinds.setdefault(verb, verb)
        return sorted(kinds.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(verb=self.value()) if self.value() else queryset


# Here, not in core: only coordinators read the trail, and roles are the coalition's.
@admin.register(AuditEntry)
class AuditEntryAdmin(CoordinatorOnlyAdmin):
    """Who reached whose personal data, how much, and when: read by coordinators, changed by nobody.

    Entries are written by ``core.audit.audit_record`` only; no one adds,
    changes or deletes one here (also not by a forged POST: the admin
    answers 403).
    """

    list_display = ["at", "user", "organisation", "kind", "target", "count"]
    list_filter = [
        AuditKindFilter,
        ("user", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
        ("at", admin.DateFieldListFilter),
    ]
    list_select_related = ["user", "organisation"]
    search_fields = ["target"]
    search_help_text = _("Search by what was reached: an action's title, a person's reference.")
    date_hierarchy = "at"
    readonly_fields = ["at", "user", "organisation", "kind", "target", "count"]
    fields = readonly_fields
    actions = None

    @admin.display(description=_("what"), ordering="verb")
    def kind(self, obj):
        return audit_kind_label(obj.verb)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
