"""Staff sessions in the organiser interface: ended elsewhere or idle, and the second step."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from convoca.staff import services
from convoca.staff.selectors import SecondFactorState, second_factor_state

#: Reachable while a second factor is still due (besides signing out).
_STEP_VIEWS = {"staff-second-factor", "logout"}
_ENROL_VIEWS = _STEP_VIEWS | {"staff-app-add", "staff-passkey-add"}


class StaffAccessMiddleware:
    """On every request to the organiser interface by a signed-in staff member:

    - a session signed out from elsewhere, or idle for longer than
      ``CONVOCA_STAFF_IDLE_MINUTES``, is signed out now;
    - a session that still owes its second factor is sent to give it (or to
      enrol one) from any page but those steps.

    Public pages are left alone: they never read the session here, so they
    stay cacheable. Goes after ``django_otp.middleware.OTPMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path_info.startswith(self.prefix):
            response = self._gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _gate(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        outcome = services.staff_session_check(request)
        if outcome == "idle":
            messages.info(request, _("You were signed out after a time without activity."))
        if outcome != "active":
            return None  # now anonymous: the admin asks them to sign in
        pending = second_factor_state(request.user)
        if pending == SecondFactorState.OK:
            return None
        try:
            view_name = resolve(request.path_info).url_name
        except Resolver404:
            view_name = None
        allowed = _STEP_VIEWS if pending == SecondFactorState.VERIFY else _ENROL_VIEWS
        if view_name in allowed:
            return None
        from convoca.staff.admin_site import StaffAdminSite
        from convoca.staff.views import next_in_admin

        target = next_in_admin(request, request.get_full_path() if request.method == "GET" else "")
        return redirect(StaffAdminSite._step_url(pending, target))
