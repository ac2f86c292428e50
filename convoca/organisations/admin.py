"""The organiser interface for organisations, staff accounts and their roles, the audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from unfold.admin import StackedInline, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from convoca.core.audit import AUDIT_KINDS, audit_kind_label
from convoca.core.forms import OneLineField
from convoca.core.models import AuditEntry
from convoca.core.translatable import LanguageTextsInlineMixin, language_texts
from convoca.organisations.models import Membership, Organisation, OrganisationText
from convoca.organisations.scoping import CoordinatorOnlyAdmin, OrganisationScopedAdmin
from convoca.organisations.selectors import user_is_coordinator
from convoca.organisations.services import (
    membership_delete,
    membership_save,
    organisation_logo_clean,
    organisation_save,
)

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


# Here, not in core: only coordinators read the trail, and roles are this app's.
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
