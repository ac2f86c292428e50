"""The organiser interface's site with second factors and listed sessions.

``ConvocaAdminSite`` (core) throttles the password step; this adds what
comes after it: the second factor, the member's security page, and the
rule that only a staff member with a role gets in.
"""

from django.http import HttpResponseRedirect
from django.urls import path
from django.views.decorators.csrf import csrf_protect

from convoca.core.admin_site import ConvocaAdminConfig, ConvocaAdminSite


class StaffAdminSite(ConvocaAdminSite):
    def has_permission(self, request):
        """A staff member with a role (read anew on every request) and, if due, a second factor."""
        from convoca.organisations.models import Membership
        from convoca.staff.selectors import SecondFactorState, second_factor_state

        user = request.user
        return (
            super().has_permission(request)
            and (user.is_superuser or Membership.objects.filter(user=user).exists())
            and second_factor_state(user) == SecondFactorState.OK
        )

    def login(self, request, extra_context=None):
        from convoca.staff.selectors import SecondFactorState, second_factor_state
        from convoca.staff.views import next_in_admin

        user = request.user
        if request.method == "GET" and user.is_authenticated and user.is_staff:
            # Signed in with the password already: the next step, not the form again.
            pending = second_factor_state(user)
            if pending != SecondFactorState.OK:
                return HttpResponseRedirect(self._step_url(pending, next_in_admin(request)))
        response = super().login(request, extra_context)
        if (
            request.method == "POST"
            and isinstance(response, HttpResponseRedirect)
            and request.user.is_authenticated
        ):
            pending = second_factor_state(request.user)
            if pending != SecondFactorState.OK:
                target = next_in_admin(request, response["Location"])
                return HttpResponseRedirect(self._step_url(pending, target))
            return HttpResponseRedirect(next_in_admin(request, response["Location"]))
        return response

    @staticmethod
    def _step_url(pending, next_url: str) -> str:
        from convoca.staff.selectors import SecondFactorState
        from convoca.staff.views import with_next

        name = (
            "admin:staff-second-factor"
            if pending == SecondFactorState.VERIFY
            else "admin:staff-app-add"
        )
        return with_next(name, next_url)

    def get_urls(self):
        from convoca.staff import views

        def step(view):  # reachable with the password alone: the second step, enrolling
            signed_in = views.staff_signed_in(lambda request, **kw: view(request, self, **kw))
            return csrf_protect(signed_in)

        def verified(view):  # the rest: a member past every step (admin_view: has_permission)
            return self.admin_view(lambda request, **kw: view(request, self, **kw))

        return [
            path(
                "account/second-factor/",
                step(views.second_factor_verify_view),
                name="staff-second-factor",
            ),
            path("account/app/", step(views.authenticator_app_add_view), name="staff-app-add"),
            path("account/passkey/", step(views.passkey_add_view), name="staff-passkey-add"),
            path("account/", verified(views.account_view), name="staff-account"),
            path(
                "account/recovery-codes/",
                verified(views.recovery_codes_view),
                name="staff-recovery-codes",
            ),
            path(
                "account/factors/<path:device_id>/remove/",
                verified(views.second_factor_remove_view),
                name="staff-factor-remove",
            ),
            path(
                "account/sessions/<str:session_id>/sign-out/",
                verified(views.staff_session_end_view),
                name="staff-session-end",
            ),
            *super().get_urls(),
        ]


class StaffAdminConfig(ConvocaAdminConfig):
    default_site = "convoca.staff.admin_site.StaffAdminSite"
