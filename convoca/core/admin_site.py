"""The organiser interface's site: Unfold's, with a sign-in that throttles failures only."""

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from unfold.sites import UnfoldAdminSite

from convoca.core.antibot import sign_in_gate
from convoca.core.pow import pow_challenge_make

SIGN_IN_POW_SCOPE = "admin-login"
#: The longer work asked for one account after many failures on it from one address.
SIGN_IN_ACCOUNT_POW_SCOPE = "admin-login-account"


class ConvocaAdminSite(UnfoldAdminSite):
    login_template = "admin/convoca_login.html"

    # The form is convoca.core.admin_sign_in.AdminSignInForm, through settings.UNFOLD["LOGIN"]
    # (this module is imported before the auth models, which the form needs).

    def login(self, request, extra_context=None):
        self._keep_next_in_admin(request)
        response = super().login(request, extra_context)
        # Asked after the attempt: the failure just counted may be the one that
        # makes the next form carry a proof of work. Nobody is refused outright:
        # the work grows instead (antibot.SignInGate).
        if getattr(response, "context_data", None) is not None:
            account = request.POST.get("username", "")[:150] if request.method == "POST" else ""
            gate = sign_in_gate(request, account=account)
            if gate.needs_long_pow:
                response.context_data["pow_challenge"] = pow_challenge_make(
                    scope=SIGN_IN_ACCOUNT_POW_SCOPE,
                    max_number=settings.CONVOCA_SIGN_IN_ACCOUNT_POW_MAX_NUMBER,
                )
            elif gate.needs_pow:
                response.context_data["pow_challenge"] = pow_challenge_make(scope=SIGN_IN_POW_SCOPE)
        return response

    def _keep_next_in_admin(self, request) -> None:
        """Send staff back to an admin page after signing in, or to the admin's index.

        A ``next`` on another host, or outside the admin (where no page needs
        a staff sign-in, so it would end on a 404), is replaced by the index.
        """
        index = reverse("admin:index", current_app=self.name)
        for data in ("GET", "POST"):
            query = getattr(request, data)
            target = query.get("next")
            if target is None:
                continue
            if not (
                url_has_allowed_host_and_scheme(
                    target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                )
                and target.startswith(index)
            ):
                query = query.copy()
                query["next"] = index
                setattr(request, data, query)


class ConvocaAdminConfig(AdminConfig):
    default_site = "convoca.core.admin_site.ConvocaAdminSite"
