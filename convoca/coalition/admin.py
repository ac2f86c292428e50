from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from convoca.coalition.models import Membership, Organisation, WorkingGroup, WorkingGroupMember
from convoca.coalition.scoping import CoordinatorOnlyAdmin, OrganisationScopedAdmin
from convoca.coalition.services import organisation_logo_clean

admin.site.unregister(User)
admin.site.unregister(Group)


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


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


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = "pk"
    coordinator_only_fields = ("status", "relationship", "slug")
    list_display = ["name", "country", "city", "relationship", "status"]
    list_filter = ["status", "relationship", "country"]
    search_fields = ["name", "slug", "city"]
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "status", "relationship")}),
        (_("Where"), {"fields": ("country", "city", "website")}),
        (
            _("Public profile"),
            {"fields": ("logo", "description_en", "description_es", "show_in_directory")},
        ),
    )

    def has_add_permission(self, request, obj=None):
        return CoordinatorOnlyAdmin.has_module_permission(self, request)

    def has_delete_permission(self, request, obj=None):
        return CoordinatorOnlyAdmin.has_module_permission(self, request)

    def save_model(self, request, obj, form, change):
        if "logo" in form.changed_data and obj.logo:
            organisation_logo_clean(organisation=obj)
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(CoordinatorOnlyAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "organisation"]


class WorkingGroupMemberInline(TabularInline):
    model = WorkingGroupMember
    extra = 0
    fields = ["person", "role", "on_behalf_of", "public_name"]
    raw_id_fields = ["person"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(OrganisationScopedAdmin):
    list_display = ["name_en", "name_es", "organisation", "joining", "is_public"]
    list_filter = ["joining", "is_public"]
    search_fields = ["name_en", "name_es"]
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [WorkingGroupMemberInline]
