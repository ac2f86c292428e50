"""The staff accounts page, with what only this app can do: sign out everywhere, reset factors.

The page itself is the organisations app's (``organisations.admin.UserAdmin``:
roles in organisations); this app adds its two actions to it, so that
organisations needs to know nothing of second factors and sessions.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from convoca.organisations.admin import UserAdmin
from convoca.staff.services import second_factors_reset, staff_sessions_end_all


class StaffUserAdmin(UserAdmin):
    actions = ["sign_out_everywhere", "reset_second_factors"]

    @admin.action(description=_("Sign the selected staff out on every device"))
    def sign_out_everywhere(self, request, queryset):
        for member in queryset:
            staff_sessions_end_all(member=member, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d staff member signed out everywhere.",
                "%(count)d staff members signed out everywhere.",
                len(queryset),
            )
            % {"count": len(queryset)},
        )

    @admin.action(
        description=_("Reset the second factors of the selected staff (and sign them out)")
    )
    def reset_second_factors(self, request, queryset):
        # Their next sign-in asks them to enrol an app or a passkey again.
        for member in queryset:
            second_factors_reset(member=member, by=request.user)
        messages.success(
            request,
            ngettext(
                "The second factors of %(count)d staff member were reset.",
                "The second factors of %(count)d staff members were reset.",
                len(queryset),
            )
            % {"count": len(queryset)},
        )


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), StaffUserAdmin)
